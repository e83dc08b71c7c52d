"""Running the emulator: ``EmulatorServer`` serves uvicorn from a background thread.

with EmulatorServer(seed="demo", port=0) as server:
    httpx.get(f"{server.url}/api/projects/1/datasets/",
              headers={"Authorization": f"Bearer {server.api_key}"})
    server.set_faults(error_rate=0.5, seed=7)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any

import uvicorn

from explorer.emulator.admin import admin_routes
from explorer.emulator.app import EmulatorState, Limits, create_app
from explorer.emulator.auth import DEMO_API_KEY, ApiKey, KeyRing, parse_api_key
from explorer.emulator.bodylimit import CLASSIC_MAX_BODY_BYTES, V2_MAX_BODY_BYTES, BodyLimit
from explorer.emulator.faults import FaultConfig, FaultInjector
from explorer.emulator.ratelimit import RateLimitConfig, RateLimiter
from explorer.emulator.seed import SeedDatasetLike, prepare_database

logger = logging.getLogger(__name__)


def _keys(api_keys: Iterable[ApiKey | str] | None) -> list[ApiKey]:
    if not api_keys:
        return [ApiKey(DEMO_API_KEY)]
    return [k if isinstance(k, ApiKey) else parse_api_key(k) for k in api_keys]


class _Uvicorn(uvicorn.Server):
    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    # Signals belong to whoever runs the handle (the CLI installs its own), never to uvicorn.
    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield

    async def main_loop(self) -> None:
        # uvicorn's loop polls should_exit every 0.1 s; wake at once when asked to stop.
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), 0.1)

    def request_exit(self) -> None:
        self.should_exit = True
        if self._loop is not None and self._wake is not None:
            with contextlib.suppress(RuntimeError):  # loop already closed
                self._loop.call_soon_threadsafe(self._wake.set)


class EmulatorServer:
    """The emulator on ``host:port`` (port 0 picks a free one), served from a thread.

    ``api`` is the generation served: "classic" or "v2" (versioned). ``db_path`` None uses a
    temporary database removed at ``stop()``. ``seed`` is "none", "demo" or "large";
    ``seed_datasets`` replaces the classic demo data (tests). ``rate_limit`` True means PostHog
    Cloud's limits. v2 only: ``max_datasets``, ``max_items``, ``max_versions`` (PostHog's 20,
    600, 40 by default), ``datasets_flag`` False answers every request as PostHog does for an
    organisation without datasets, ``export_delay_s`` (None: exports stay pending). Raises
    ValueError for bad options, OSError if the port cannot be bound.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        db_path: str | None = None,
        seed: str = "demo",
        seed_datasets: Sequence[SeedDatasetLike] | None = None,
        projects: Sequence[int] = (1,),
        api_keys: Iterable[ApiKey | str] | None = None,
        rate_limit: bool | RateLimitConfig = False,
        faults: FaultConfig | None = None,
        access_log: bool = False,
        api: str = "classic",
        max_datasets: int = Limits.datasets,
        max_items: int = Limits.items,
        max_versions: int = Limits.versions,
        datasets_flag: bool = True,
        export_delay_s: float | None = 0.0,
    ) -> None:
        if api not in ("classic", "v2"):
            raise ValueError(f"unknown API {api!r}; expected classic or v2")
        if export_delay_s is not None and not 0 <= export_delay_s < float("inf"):
            raise ValueError("export_delay_s must be a finite number of seconds >= 0")
        self.api = api
        self.limits = Limits(datasets=max_datasets, items=max_items, versions=max_versions)
        self.datasets_flag = datasets_flag
        self.export_delay_s = export_delay_s
        self.host = host
        self._requested_port = port
        self._db_path = db_path
        self._seed = seed
        self._seed_datasets = seed_datasets
        self.keyring = KeyRing(_keys(api_keys), projects)
        if isinstance(rate_limit, bool):
            rate_limit = RateLimitConfig.posthog_cloud() if rate_limit else RateLimitConfig()
        self.limiter = RateLimiter(rate_limit)
        self._faults = faults or FaultConfig()
        self._access_log = access_log
        self._tmpdir: str | None = None
        self._socket: socket.socket | None = None
        self._uvicorn: _Uvicorn | None = None
        self._thread: threading.Thread | None = None
        self.state: EmulatorState | None = None
        self.injector: FaultInjector | None = None
        self.port = 0

    # -- facts ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://HOST:PORT`` (valid once started)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_key(self) -> str:
        return self.keyring.keys[0].key

    @property
    def project_id(self) -> int:
        return self.keyring.projects[0]

    @property
    def db_path(self) -> str:
        if self._db_path is None:
            raise RuntimeError("not started")
        return self._db_path

    # -- lifecycle --------------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> EmulatorServer:
        """Seed, bind, serve; returns once the server answers. Raises RuntimeError on failure."""
        if self._thread is not None:
            raise RuntimeError("already started")
        if self._db_path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="dataset-explorer-")
            self._db_path = os.path.join(self._tmpdir, "emulator.sqlite3")
        store = prepare_database(
            self._db_path,
            self._seed,
            team=self.project_id,
            datasets=self._seed_datasets,
            api=self.api,
        )
        self.state = EmulatorState(
            store,
            self.keyring,
            self.limiter,
            api=self.api,
            limits=self.limits,
            datasets_flag=self.datasets_flag,
            export_delay_s=self.export_delay_s,
        )
        router = create_app(self.state)
        # The fault injector stays outermost (it drops connections through uvicorn's transport).
        bound = V2_MAX_BODY_BYTES if self.api == "v2" else CLASSIC_MAX_BODY_BYTES
        self.injector = FaultInjector(BodyLimit(router, bound), self._faults)
        router.routes.extend(admin_routes(self.injector, self.limiter))
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # proto=IPPROTO_TCP so asyncio sets TCP_NODELAY on accepted connections (no 40 ms
        # Nagle/delayed-ACK stall between a response's header and body writes).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        sock.listen(128)
        sock.setblocking(False)
        self._socket = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.injector,
            log_level="info" if self._access_log else "warning",
            # Leave the host's logging alone (a TUI or pytest owns it): uvicorn's records go
            # to its loggers and propagate; the CLI configures a handler.
            log_config=None,
            access_log=self._access_log,
            lifespan="off",
            timeout_graceful_shutdown=3,
            server_header=False,
        )
        self._uvicorn = _Uvicorn(config)
        self._thread = threading.Thread(target=self._serve, name="emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._uvicorn.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the emulator did not start")
            time.sleep(0.005)
        return self

    def _serve(self) -> None:
        assert self._uvicorn is not None and self._socket is not None
        asyncio.run(self._uvicorn.serve(sockets=[self._socket]))

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving, close the database, remove a temporary one. Safe to call twice."""
        if self._uvicorn is not None:
            self._uvicorn.request_exit()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive() and self._uvicorn is not None:
                self._uvicorn.force_exit = True
                self._thread.join(timeout)
        self._thread = None
        self._uvicorn = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self.state is not None:
            self.state.store.close()
            self.state = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
            self._db_path = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- runtime configuration --------------------------------------------------------------

    def set_faults(self, config: FaultConfig | None = None, **settings: Any) -> FaultConfig:
        """Replace the fault settings (a FaultConfig, or its fields as keywords; none = off)."""
        if config is None:
            config = FaultConfig(**settings)
        self._faults = config
        if self.injector is not None:
            self.injector.configure(config)
        return config

    def clear_faults(self) -> None:
        self.set_faults(FaultConfig())

    def fault_stats(self) -> dict[str, Any]:
        """Settings, API requests seen, injected faults per kind and the recent log."""
        if self.injector is None:
            raise RuntimeError("not started")
        return self.injector.stats()

    def reset_fault_counts(self) -> None:
        if self.injector is not None:
            self.injector.reset_counts()

    def set_rate_limit(self, config: bool | RateLimitConfig) -> None:
        """Turn throttling on (True: PostHog Cloud's limits), off, or to custom rates."""
        if isinstance(config, bool):
            config = RateLimitConfig.posthog_cloud() if config else RateLimitConfig()
        self.limiter.configure(config)
