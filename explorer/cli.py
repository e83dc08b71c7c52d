"""The ``dataset-explorer`` command.

    dataset-explorer serve [--port 8010] [--seed demo] [--api-key KEY[=SCOPES][@PROJECTS]] ...
    dataset-explorer [--demo [--api classic|v2]] [--profile NAME] [--host URL] [--project-id ID]
                     [--read-only]

``main()`` parses top-level options and sub-commands; each command is one function returning
the exit code. In a terminal, no sub-command opens the app (`explorer.tui.launch`). Heavy
modules are imported inside commands.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from explorer._version import __version__
from explorer.tui.demo import DEFAULT_DEMO_API, DEMO_APIS

if TYPE_CHECKING:
    from explorer.emulator import EmulatorServer

SERVING_PREFIX = "Serving PostHog datasets API on "
DISTRIBUTION = "posthog-dataset-explorer"
# What each part needs beyond the client, by the extra that installs it.
EXTRA_OF = {"textual": "tui", "starlette": "server", "uvicorn": "server"}
DEFAULT_PORT = 8010


def _rate(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not a fraction between 0 and 1")
    return value


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not abs(value) < float("inf"):  # false for NaN too (NaN would pass every later check)
        raise argparse.ArgumentTypeError(f"{text} is not a finite number")
    return value


def _project(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"project ids are integers, not {text!r}") from None


def _statuses(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("statuses are integers, e.g. 500,503") from None


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"a limit is a whole number of at least 1, not {text!r}")
    return value


def _add_serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--api",
        choices=("classic", "v2"),
        default="v2",
        help="the API generation: v2 (the versioned API PostHog Cloud serves since August 2026)"
        " or classic (older self-hosted PostHog); default v2",
    )
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = free)"
    )
    p.add_argument(
        "--db", metavar="FILE", help="SQLite file to keep data in (default: temporary, removed)"
    )
    p.add_argument(
        "--seed", choices=("none", "demo", "large"), default="demo", help="starting data"
    )
    p.add_argument(
        "--project",
        type=_project,
        action="append",
        metavar="ID",
        help="a project id the server knows (repeatable; default 1)",
    )
    p.add_argument(
        "--api-key",
        action="append",
        metavar="KEY[=SCOPES][@PROJECTS]",
        help="accept this personal API key (repeatable). SCOPES comma-separated, e.g. "
        "dataset:read (default: every scope); @PROJECTS restricts it to those project ids. "
        "Without any, the demo key phx_demo_key is accepted.",
    )
    p.add_argument(
        "--rate-limit",
        action="store_true",
        help="throttle per key like PostHog Cloud (480/minute, 4,800/hour)",
    )
    p.add_argument("--access-log", action="store_true", help="log each request (path only)")
    v2 = p.add_argument_group("v2 only (PostHog's limits and feature flag)")
    v2.add_argument(
        "--max-datasets", type=_limit, default=20, metavar="N", help="per project (default 20)"
    )
    v2.add_argument(
        "--max-items", type=_limit, default=600, metavar="N", help="per dataset (default 600)"
    )
    v2.add_argument(
        "--max-versions", type=_limit, default=40, metavar="N", help="per item (default 40)"
    )
    v2.add_argument(
        "--datasets-flag",
        choices=("on", "off"),
        default="on",
        help="off answers every request 403, as for an organisation without the"
        " llm-analytics-datasets feature flag (default on)",
    )
    faults = p.add_argument_group("fault injection (API routes only; deterministic per seed)")
    faults.add_argument("--fault-seed", type=int, default=0, metavar="N")
    faults.add_argument("--latency-ms", type=_finite_float, default=0.0, metavar="MS")
    faults.add_argument(
        "--error-rate", type=_rate, default=0.0, metavar="F", help="fraction answered 5xx"
    )
    faults.add_argument(
        "--error-statuses", type=_statuses, default=(500, 502, 503), metavar="500,502,503"
    )
    faults.add_argument(
        "--throttle-rate", type=_rate, default=0.0, metavar="F", help="fraction answered 429"
    )
    faults.add_argument("--throttle-wait", type=int, default=1, metavar="S")
    faults.add_argument(
        "--drop-before-rate",
        type=_rate,
        default=0.0,
        metavar="F",
        help="fraction whose connection drops before the server applies them",
    )
    faults.add_argument(
        "--drop-after-rate",
        type=_rate,
        default=0.0,
        metavar="F",
        help="fraction whose connection drops after the server applied them",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dataset-explorer",
        description="Browse and edit PostHog LLM-analytics datasets.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the app on the embedded server with demo data (127.0.0.1, stops on quit);"
        " without a terminal, serve the demo and print how to connect",
    )
    parser.add_argument(
        "--api",
        dest="demo_api",
        choices=DEMO_APIS,
        default=None,
        help="with --demo: the API generation the demo server speaks, classic (older"
        " self-hosted PostHog) or v2 (the versioned API of PostHog Cloud); default"
        f" {DEFAULT_DEMO_API}",
    )
    tui = parser.add_argument_group("connection (default: the config file's profile)")
    tui.add_argument("--profile", metavar="NAME", help="a profile of the config file")
    tui.add_argument(
        "--host", dest="posthog_host", metavar="URL", help="us, eu, or your PostHog's URL"
    )
    tui.add_argument("--project-id", metavar="ID", help="the project id (or @current)")
    tui.add_argument("--read-only", action="store_true", help="refuse every write")
    tui.add_argument(
        "--api-prefix", choices=("projects", "environments"), help="the API path generation"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the embedded PostHog-compatible datasets server",
        description="Run the embedded PostHog-compatible datasets server in the foreground.",
        allow_abbrev=False,
    )
    _add_serve_options(serve)
    return parser


def _say(line: str = "") -> None:
    with contextlib.suppress(BrokenPipeError):
        print(line, flush=True)


def _wait_for_signal(stop: threading.Event) -> None:
    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    while not stop.wait(0.25):
        pass


def _start(args: argparse.Namespace, parser: argparse.ArgumentParser) -> EmulatorServer | None:
    from explorer.emulator import EmulatorServer, FaultConfig

    # Requests (with --access-log: method, path and status only; keys travel in a header) and
    # server errors go to stderr.
    logging.basicConfig(
        level=logging.INFO if args.access_log else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )

    try:
        faults = FaultConfig(
            seed=args.fault_seed,
            latency_ms=args.latency_ms,
            error_rate=args.error_rate,
            error_statuses=args.error_statuses,
            throttle_rate=args.throttle_rate,
            throttle_wait_s=args.throttle_wait,
            drop_before_rate=args.drop_before_rate,
            drop_after_rate=args.drop_after_rate,
        )
        server = EmulatorServer(
            host=args.host,
            port=args.port,
            db_path=args.db,
            seed=args.seed,
            projects=args.project or (1,),
            api_keys=args.api_key,
            rate_limit=args.rate_limit,
            faults=faults,
            access_log=args.access_log,
            api=args.api,
            max_datasets=args.max_datasets,
            max_items=args.max_items,
            max_versions=args.max_versions,
            datasets_flag=args.datasets_flag == "on",
        )
    except ValueError as exc:
        parser.error(str(exc))
    try:
        return server.start()
    except OSError as exc:
        print(f"dataset-explorer: cannot serve on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return None
    except ValueError as exc:  # e.g. --db names a database of the other API generation
        print(f"dataset-explorer: cannot serve: {exc}", file=sys.stderr)
        return None


def serve(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Serve in the foreground until SIGINT or SIGTERM (exit 0)."""
    stop = threading.Event()
    # Signals that arrive while seeding are kept, so the server stops right after it starts.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stop.set())
    server = _start(args, parser)
    if server is None:
        return 1
    try:
        _say(f"{SERVING_PREFIX}{server.url}")
        if not args.api_key:
            _say("Accepting the demo API key phx_demo_key (every scope).")
        projects = ", ".join(str(p) for p in server.keyring.projects)
        _say(f"API: {args.api}. Projects: {projects}. Seed: {args.seed}. Press Ctrl+C to stop.")
        _wait_for_signal(stop)
    finally:
        server.stop()
    return 0


def demo(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Start the embedded server with demo data and say how to reach it."""
    api = args.demo_api or DEFAULT_DEMO_API
    serve_args = build_parser().parse_args(["serve", "--port", "0", "--seed", "demo", "--api", api])
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stop.set())
    server = _start(serve_args, parser)
    if server is None:
        return 1
    try:
        base = f"{server.url}/api/projects/{server.project_id}"
        _say(f"{SERVING_PREFIX}{server.url}")
        _say(f"Demo data loaded (API: {api}). Point a PostHog client at it:")
        _say(f"  host:     {server.url}")
        _say(f"  api key:  {server.api_key}  (the demo key; every scope)")
        _say(f"  project:  {server.project_id}")
        _say(f'  curl -H "Authorization: Bearer {server.api_key}" {base}/datasets/')
        _say("Press Ctrl+C to stop.")
        _wait_for_signal(stop)
    finally:
        server.stop()
    return 0


def _in_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def tui(args: argparse.Namespace) -> int:
    """Open the terminal app (explorer.tui.launch decides on what)."""
    from explorer.tui.launch import LaunchOptions, launch

    return launch(
        LaunchOptions(
            demo=args.demo,
            profile=args.profile,
            host=args.posthog_host,
            project_id=args.project_id,
            read_only=args.read_only,
            api_prefix=args.api_prefix,
            demo_api=args.demo_api or DEFAULT_DEMO_API,
        )
    )


def missing_extra(exc: ModuleNotFoundError) -> int | None:
    """Say which extra to install when a front end's or the server's library is missing
    (exit 2); None when the missing module is not one of theirs."""
    top = (exc.name or "").split(".")[0]
    extra = EXTRA_OF.get(top)
    if extra is None:
        return None
    what = "the terminal app" if extra == "tui" else "the embedded server"
    print(
        f"dataset-explorer: {what} needs {top}, which is not installed. Install it with:\n"
        f"  pip install '{DISTRIBUTION}[{extra}]'",
        file=sys.stderr,
    )
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.demo_api is not None and not args.demo:
        parser.error("--api chooses the demo's API generation: use it with --demo")
    try:
        if args.command == "serve":
            return serve(args, parser)
        if not _in_terminal():
            # No terminal to draw in: the demo is served headless; otherwise say how to use it.
            if args.demo:
                return demo(args, parser)
            parser.print_help()
            return 0
        return tui(args)
    except ModuleNotFoundError as exc:
        code = missing_extra(exc)
        if code is None:
            raise
        return code
