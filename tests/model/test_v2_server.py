"""On a server speaking the versioned API (v2), the model (classic so far) says so in a notice
instead of failing on the first request, and sends nothing it cannot read."""

from __future__ import annotations

from typing import Any

from tests.model.conftest import MakeModel


async def test_the_model_says_the_screens_speak_classic_only(
    emulator_factory: Any, make_model: MakeModel
) -> None:
    server = emulator_factory("demo", api="v2")
    model = await make_model(server)
    notice = model.state.notice
    assert notice is not None and notice.level == "error"
    assert "versioned datasets API (v2" in str(notice)
    assert "explorer.api" in str(notice)
    assert model.state.datasets.datasets == []
    assert model.client.known_generation == "v2"
