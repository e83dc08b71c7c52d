"""Panel fixtures: tests that take ``generation`` run on the classic API and on v2.

``any_demo_server`` is the session's demo server of that generation (classic: the shared
``demo_server``; v2: one more, started once). Do not modify its rows. ``running`` in the writing
tests is a fresh demo server of the generation.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests._emulator import RunningEmulator, start_emulator

GENERATIONS = ("classic", "v2")


@pytest.fixture(scope="session", params=GENERATIONS)
def generation(request: pytest.FixtureRequest) -> str:
    """The API generation of the server the test runs on."""
    return str(request.param)


@pytest.fixture(scope="session")
def v2_demo_server() -> Iterator[RunningEmulator]:
    running = start_emulator("demo", api="v2")
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture(scope="session")
def any_demo_server(generation: str, request: pytest.FixtureRequest) -> RunningEmulator:
    """The demo server (never modified) of ``generation``."""
    name = "demo_server" if generation == "classic" else "v2_demo_server"
    running: RunningEmulator = request.getfixturevalue(name)
    return running
