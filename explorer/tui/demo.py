"""The demo: the embedded server with demo data, for ``--demo`` and the connection screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from explorer.api import Settings

if TYPE_CHECKING:
    from explorer.emulator import EmulatorServer

__all__ = ["start_demo"]


def start_demo(read_only: bool = False) -> tuple[EmulatorServer, Settings]:
    """Start the embedded server with demo data on 127.0.0.1 (free port); the caller stops it.
    Raises OSError when it cannot listen."""
    from explorer.emulator import EmulatorServer

    server = EmulatorServer(host="127.0.0.1", port=0, seed="demo").start()
    settings = Settings(
        host=server.url,
        project_id=server.project_id,
        api_key=server.api_key,
        read_only=read_only,
    )
    return server, settings
