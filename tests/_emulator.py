"""Running the embedded server for tests: `RunningEmulator` and the factory behind fixtures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from explorer.emulator import ApiKey, EmulatorServer, FaultConfig, RateLimitConfig


@dataclass(frozen=True)
class RunningEmulator:
    url: str  # "http://127.0.0.1:PORT"
    api_key: str  # "phx_demo_key" unless configured
    project_id: int  # 1 unless configured
    server: EmulatorServer  # in-process handle (set_faults, fault_stats, set_rate_limit...)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def api(self, resource: str = "datasets", *, project: int | str | None = None) -> str:
        """Absolute URL of a list route, e.g. ``api("dataset_items")``."""
        return (
            f"{self.url}/api/projects/{self.project_id if project is None else project}/{resource}/"
        )


def start_emulator(
    seed: str = "none",
    *,
    api_keys: Iterable[ApiKey | str] | None = None,
    projects: Sequence[int] = (1,),
    rate_limit: bool | RateLimitConfig = False,
    faults: FaultConfig | None = None,
    **options: Any,
) -> RunningEmulator:
    """Start a server on 127.0.0.1 and a free port; the caller stops ``.server``."""
    server = EmulatorServer(
        host="127.0.0.1",
        port=0,
        seed=seed,
        api_keys=api_keys,
        projects=projects,
        rate_limit=rate_limit,
        faults=faults,
        **options,
    ).start()
    return RunningEmulator(server.url, server.api_key, server.project_id, server)
