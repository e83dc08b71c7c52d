"""The demo: the embedded server with demo data, for ``--demo`` and the connection screen.

Light on purpose (the CLI reads `DEFAULT_DEMO_API` while parsing its arguments): the client and
the server are imported when a demo starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    from explorer.api import Settings
    from explorer.emulator import EmulatorServer

__all__ = ["DEFAULT_DEMO_API", "DEMO_APIS", "DemoApi", "start_demo"]

DemoApi = Literal["classic", "v2"]
DEMO_APIS: Final = ("classic", "v2")
DEFAULT_DEMO_API: Final[DemoApi] = "v2"  # PostHog Cloud's generation
"""The API generation the demo serves unless told (``--demo --api``; the connection screen)."""


def start_demo(
    read_only: bool = False, api: DemoApi = DEFAULT_DEMO_API
) -> tuple[EmulatorServer, Settings]:
    """Start the embedded server with demo data on 127.0.0.1 (free port), speaking ``api``
    ("classic" or "v2"); the caller stops it. Raises OSError when it cannot listen."""
    from explorer.api import Settings
    from explorer.emulator import EmulatorServer

    server = EmulatorServer(host="127.0.0.1", port=0, seed="demo", api=api).start()
    settings = Settings(
        host=server.url,
        project_id=server.project_id,
        api_key=server.api_key,
        read_only=read_only,
        generation=api,  # known: no request to find it
    )
    return server, settings
