"""The ``dataset-explorer`` command.

    dataset-explorer serve [--port 8010] [--seed demo] [--api-key KEY[=SCOPES][@PROJECTS]] ...
    dataset-explorer [CONNECTION] export DATASET [--revision N] [--output FILE] [--format csv]
                     [--query QUERY]
    dataset-explorer [CONNECTION] import FILE --dataset NAME [--create] [--dry-run]
                     [--format jsonl|csv] [--map COLUMN=FIELD ...]
    dataset-explorer [--demo [--api classic|v2]] [--profile NAME] [--host URL] [--project-id ID]
                     [--read-only]

``main()`` parses top-level options and sub-commands; each command is one function returning
the exit code. In a terminal, no sub-command opens the app (`explorer.tui.launch`). Heavy
modules are imported inside commands; ``serve``, ``export`` and ``import`` never load Textual.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from explorer._version import __version__
from explorer.tui.demo import DEFAULT_DEMO_API, DEMO_APIS, start_demo

if TYPE_CHECKING:
    from explorer.api import AnyDataset, AsyncClient, Settings
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


def _revision(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"a revision is a whole number from 1, not {text!r}")
    return value


def _seconds(text: str) -> float:
    value = _finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"a wait is a number of seconds above 0, not {text!r}")
    return value


def _add_connection_options(group: argparse._ArgumentGroup, *, keep: bool = False) -> None:
    """The connection options; ``keep``: a sub-command's copy, which leaves the value given
    before the sub-command alone unless given again after it."""
    unset: Any = argparse.SUPPRESS if keep else None
    group.add_argument(
        "--profile", default=unset, metavar="NAME", help="a profile of the config file"
    )
    group.add_argument(
        "--host",
        dest="posthog_host",
        default=unset,
        metavar="URL",
        help="us, eu, or your PostHog's URL",
    )
    group.add_argument(
        "--project-id", default=unset, metavar="ID", help="the project id (or @current)"
    )
    group.add_argument(
        "--api-prefix",
        choices=("projects", "environments"),
        default=unset,
        help="the API path generation",
    )


def _add_export_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("dataset", metavar="DATASET", help="the dataset's name (exact) or id")
    p.add_argument(
        "--revision",
        type=_revision,
        metavar="N",
        help="v2: the dataset as it was at revision N (default: its newest revision)",
    )
    p.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="the file to write, whole or not at all (default: <name>-r<N>.jsonl in this"
        " directory, as PostHog names exports; classic: <name>.jsonl)",
    )
    p.add_argument(
        "--format",
        choices=("jsonl", "csv"),
        help="jsonl (PostHog's export format, the default) or csv (a header, then one column per"
        " key of the JSONL rows; JSON values as compact JSON); default: from --output's"
        " extension",
    )
    p.add_argument(
        "--query",
        metavar="QUERY",
        help="only the items matching this search, e.g. 'metadata.tags:refunds' (words,"
        ' "a phrase", field:word, metadata.key:value, has:trace, -term; as in the app\'s /)',
    )
    p.add_argument(
        "--wait",
        type=_seconds,
        default=600.0,
        metavar="SECONDS",
        help="v2: how long PostHog may take to prepare the export (default 600)",
    )
    _add_command_connection(p, "export", "export from")


def _add_command_connection(p: argparse.ArgumentParser, command: str, verb: str) -> None:
    connection = p.add_argument_group(
        f"connection (default: the config file's profile; also accepted before `{command}`)"
    )
    connection.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS,
        help=f"{verb} the embedded server with demo data (started and stopped here)",
    )
    connection.add_argument(
        "--api",
        dest="demo_api",
        choices=DEMO_APIS,
        default=argparse.SUPPRESS,
        help=f"with --demo: the demo's API generation (default {DEFAULT_DEMO_API})",
    )
    _add_connection_options(connection, keep=True)


def _add_import_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "file",
        metavar="FILE",
        help="JSONL (a JSON object per line: an export's rows, or input, expected_output or"
        " output, metadata...) or CSV with a header naming the fields",
    )
    p.add_argument(
        "--dataset",
        required=True,
        metavar="NAME",
        help="the dataset to add the items to: its name (exact) or id",
    )
    p.add_argument("--create", action="store_true", help="create the dataset if there is none")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="read and check every row and the dataset's limits, say what would happen, and"
        " write nothing",
    )
    p.add_argument(
        "--format",
        choices=("jsonl", "csv"),
        help="the file's format (default: from its extension, .jsonl/.ndjson or .csv)",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FIELD",
        help="read a column (CSV) or key (JSONL) as a field, e.g. --map question=input --map"
        " answer=expected_output --map topic=metadata.topic; COLUMN= leaves it out"
        " (repeatable)",
    )
    _add_command_connection(p, "import", "import into")


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
    _add_connection_options(tui)
    tui.add_argument("--read-only", action="store_true", help="refuse every write")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the embedded PostHog-compatible datasets server",
        description="Run the embedded PostHog-compatible datasets server in the foreground.",
        allow_abbrev=False,
    )
    _add_serve_options(serve)
    export = commands.add_parser(
        "export",
        help="write a dataset to a JSONL (or CSV) file in PostHog's export format",
        description="Write a dataset to a JSONL file, one row per item, in PostHog's export"
        " format (or to CSV, the same rows). On v2 it is PostHog's own export, pinned to a"
        " revision; the classic API has no exports and no revisions, so its live items are"
        " written as they are now. --query keeps the items a search matches. Progress goes to"
        " stderr. Exit status: 0 written, 1 the server or the file system refused, 2 a usage"
        " problem (no such dataset, a query that cannot be read, no connection configured).",
        allow_abbrev=False,
    )
    _add_export_options(export)
    importing = commands.add_parser(
        "import",
        help="add a JSONL or CSV file's rows to a dataset",
        description="Add one item per row of a JSONL or CSV file to a dataset. Running it again"
        " (after an interruption, say) adds nothing twice: on v2 each row's client_item_id is"
        " its own or one made from its content; on classic a ledger beside the journal"
        " remembers what was created. Progress and problems go to stderr, with line numbers."
        " Exit status: 0 every row imported or already there, 1 a row failed or the server"
        " refused, 2 a usage problem (no such dataset without --create, a file that cannot be"
        " read, no connection configured).",
        allow_abbrev=False,
    )
    _add_import_options(importing)
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


class _UsageProblem(Exception):
    """A dataset that cannot be named so (exit 2); the message says what to type instead."""


class _NoSuchDataset(_UsageProblem):
    """No dataset has that id or name."""


def _fail(message: str, code: int) -> int:
    from explorer.model.untrusted import make_visible

    with contextlib.suppress(BrokenPipeError):
        print(f"dataset-explorer: {make_visible(message)}", file=sys.stderr, flush=True)
    return code


def _note(line: str) -> None:
    from explorer.model.untrusted import make_visible

    with contextlib.suppress(BrokenPipeError):
        print(make_visible(line), file=sys.stderr, flush=True)


def _shown(path: Path) -> str:
    """``path`` as typed, with ``./`` before a bare file name (it went to this directory)."""
    return f"./{path}" if not path.is_absolute() and path.parent == Path(".") else str(path)


async def _closest_names(client: AsyncClient, text: str) -> str:
    """What to say when no dataset is named ``text``: the names it may have meant."""
    import difflib

    from explorer.model.untrusted import make_visible

    names: list[str] = []
    datasets = client.datasets.iter()
    async with contextlib.aclosing(datasets):
        async for dataset in datasets:
            names.append(dataset.name)
            if len(names) >= 1000:  # enough to suggest from
                break
    if not names:
        return "The project has no datasets."
    folded = text.casefold()

    def likeness(name: str) -> float:
        """How much ``text`` looks like the name or one of its words (``support`` in
        ``customer-support-evals``)."""
        name = name.casefold()
        if folded in name or name in folded:
            return 1.0
        words = [name, *name.replace("_", "-").replace(" ", "-").split("-")]
        return max(difflib.SequenceMatcher(None, folded, word).ratio() for word in words)

    scored = sorted(((likeness(n), n) for n in names), key=lambda pair: -pair[0])
    close = [name for score, name in scored if score >= 0.75]
    picked = list(dict.fromkeys(close))[:5]
    if picked:
        return "Did you mean " + " or ".join(f"'{make_visible(n)}'" for n in picked) + "?"
    listed = ", ".join(f"'{make_visible(n)}'" for n in names[:10])
    more = f" and {len(names) - 10} more" if len(names) > 10 else ""
    return f"Its datasets: {listed}{more}."


async def _find_dataset(client: AsyncClient, text: str) -> AnyDataset:
    """The dataset with this id, else the one with exactly this name; `_UsageProblem` when
    none or several are."""
    import uuid

    from explorer.api import NotFound
    from explorer.model.untrusted import make_visible

    try:
        wanted: uuid.UUID | None = uuid.UUID(text)
    except ValueError:
        wanted = None
    if wanted is not None:
        with contextlib.suppress(NotFound):  # else perhaps a name that looks like an id
            return await client.datasets.get(wanted)
    named = [d async for d in client.datasets.iter(search=text) if d.name == text]
    if not named and client.generation == "v2":  # archived datasets export too
        archived = client.datasets.iter(search=text, archived=True)
        named = [d async for d in archived if d.name == text]
    if len(named) == 1:
        return named[0]
    project = client.settings.project_id
    if named:
        ids = ", ".join(str(d.id) for d in named)
        raise _UsageProblem(
            f"{len(named)} datasets of project {project} are named '{make_visible(text)}'"
            f" ({ids}): name one by its id."
        )
    hint = await _closest_names(client, text)
    raise _NoSuchDataset(f"No dataset of project {project} is named '{make_visible(text)}'. {hint}")


def _export_format(args: argparse.Namespace) -> str:
    """``--format``, else the one ``--output`` names by its extension, else jsonl."""
    if args.format:
        return str(args.format)
    if args.output and Path(args.output).suffix.lower() == ".csv":
        return "csv"
    return "jsonl"


async def _export(client: AsyncClient, args: argparse.Namespace) -> int:
    from explorer.api import ApiError, Unsupported
    from explorer.model.export import (
        ExportFormat,
        ExportProgress,
        default_filename,
        export_dataset,
    )
    from explorer.model.search import QueryError, parse_query

    if args.query is not None:
        try:
            parse_query(args.query)
        except QueryError as exc:
            return _fail(f"--query: {exc}", 2)
    try:
        dataset = await _find_dataset(client, args.dataset)
    except _UsageProblem as exc:
        return _fail(str(exc), 2)
    except ApiError as exc:
        return _fail(exc.message, 1)
    v2 = client.generation == "v2"
    revision = args.revision
    if revision is None and v2:
        # Pinned to the newest revision now, so the default file name says what the file holds.
        revision = getattr(dataset, "current_revision", None)
    format: ExportFormat = "csv" if _export_format(args) == "csv" else "jsonl"
    path = Path(args.output or default_filename(dataset.name, revision if v2 else None, format))
    host = client.settings.host
    _note(
        f"Exporting '{dataset.name}' ({dataset.id}) from {host}, project"
        f" {client.settings.project_id} ({'API v2' if v2 else 'classic API'})"
    )
    shown_phase: list[str] = []

    def progress(step: ExportProgress) -> None:
        if step.phase != "done" and step.phase not in shown_phase[-1:]:
            shown_phase.append(step.phase)
            _note(step.message)

    try:
        result = await export_dataset(
            client,
            dataset.id,
            path,
            revision=revision,
            on_progress=progress,
            wait=args.wait,
            format=format,
            query=args.query,
        )
    except Unsupported as exc:  # --revision on classic
        return _fail(exc.message, 2)
    except ApiError as exc:
        return _fail(exc.message, 1)
    except OSError as exc:
        reason = f"cannot write {path}: {exc.strerror}" if exc.strerror else str(exc)
        return _fail(reason, 1)
    rows = f"{result.rows} row" if result.rows == 1 else f"{result.rows} rows"
    matching = f" matching {args.query}" if args.query is not None and args.query.strip() else ""
    if result.revision is not None:
        _say(f"Wrote {rows}{matching} of revision {result.revision} to {_shown(path)}")
    else:
        _say(
            f"Wrote {rows}{matching} to {_shown(path)} (the classic API keeps no revisions:"
            " the items now)"
        )
    return 0


def _settings(
    args: argparse.Namespace, read_only: bool | None
) -> tuple[EmulatorServer | None, Settings] | int:
    """(the demo server or None, the settings) of a command's connection options, or the exit
    status when there is none."""
    from explorer.api import ConfigError, Settings

    if args.demo:
        try:
            return start_demo(api=args.demo_api or DEFAULT_DEMO_API)
        except OSError as exc:
            return _fail(f"the demo server could not start: {exc}", 1)
    try:
        settings = Settings.resolve(
            host=args.posthog_host,
            project_id=args.project_id,
            profile=args.profile,
            api_prefix=args.api_prefix,
            read_only=read_only,
        )
    except ConfigError as exc:
        return _fail(exc.message, 2)
    return None, settings


def _run_connected(
    args: argparse.Namespace,
    read_only: bool | None,
    command: Callable[[AsyncClient], Awaitable[int]],
) -> int:
    """Run ``command`` with a client of the connection options (starting and stopping the
    demo server with ``--demo``): its exit status, 130 when interrupted."""
    import asyncio

    from explorer.api import AsyncClient

    connection = _settings(args, read_only)
    if isinstance(connection, int):
        return connection
    server, settings = connection
    if settings.read_only and read_only is None:
        if server is not None:
            server.stop()
        return _fail(
            "the profile is read-only (read_only = true): nothing can be imported with it."
            " Use --dry-run to check the file, or another profile.",
            2,
        )

    async def run() -> int:
        async with AsyncClient(settings=settings) as client:
            return await command(client)

    try:
        return asyncio.run(run())
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    finally:
        if server is not None:
            server.stop()


def export(args: argparse.Namespace) -> int:
    """Write one dataset to a JSONL or CSV file (`explorer.model.export`): 0 written; 1 the
    server, the connection or the file system refused; 2 a usage problem (no such dataset,
    nothing configured, ``--revision`` on classic, a query that cannot be read); 130
    interrupted. Never prints the API key."""
    # An export changes nothing in the dataset (PostHog lets a dataset:read key make one), so
    # a read-only profile may export.
    return _run_connected(args, False, lambda client: _export(client, args))


IMPORT_PROGRESS_EVERY = 100  # rows between two progress lines
IMPORT_PROBLEMS_SHOWN = 50


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


async def _dataset_to_import_into(
    client: AsyncClient, args: argparse.Namespace
) -> tuple[Any, str] | int:
    """(the dataset or None when a dry run would create it, its name), or the exit status."""
    from explorer.api import ApiError
    from explorer.model.untrusted import make_visible

    try:
        dataset = await _find_dataset(client, args.dataset)
    except _NoSuchDataset as exc:
        if _is_uuid(args.dataset):
            return _fail(
                f"No dataset of project {client.settings.project_id} has the id"
                f" {args.dataset}: name a dataset (--create makes one by name).",
                2,
            )
        if not args.create:
            return _fail(f"{exc} Add --create to create it.", 2)
    except _UsageProblem as exc:
        return _fail(str(exc), 2)
    except ApiError as exc:
        return _fail(exc.message, 1)
    else:
        return dataset, dataset.name
    if args.dry_run:
        _note(f"There is no dataset '{args.dataset}': the import would create it.")
        return None, args.dataset
    try:
        dataset = await client.datasets.create(args.dataset)
    except ApiError as exc:
        return _fail(f"cannot create the dataset '{make_visible(args.dataset)}': {exc.message}", 1)
    _note(f"Created the dataset '{dataset.name}' ({dataset.id}).")
    return dataset, dataset.name


async def _import(client: AsyncClient, args: argparse.Namespace, rows: Any) -> int:
    import sqlite3

    from explorer.api import ApiError
    from explorer.model.importing import ImportLedger, ImportProgress, import_rows
    from explorer.model.untrusted import make_visible

    found = await _dataset_to_import_into(client, args)
    if isinstance(found, int):
        return found
    dataset, name = found
    try:
        generation = await client.detect_generation()
    except ApiError as exc:
        return _fail(exc.message, 1)
    ledger = None
    if generation == "classic":
        try:
            ledger = ImportLedger(must_exist=args.dry_run)  # a dry run makes no ledger
        except FileNotFoundError:
            ledger = None
        except (OSError, sqlite3.Error) as exc:
            return _fail(f"cannot open the import ledger beside the journal: {exc}", 1)
    where = f"'{name}' ({dataset.id})" if dataset is not None else f"a new dataset '{name}'"
    api = "API v2" if generation == "v2" else "classic API"
    what = "Checking (dry run: nothing is written)" if args.dry_run else "Importing"
    _note(
        f"{what} {args.file} into {where} on {client.settings.host}, project"
        f" {client.settings.project_id} ({api})"
    )

    def progress(step: ImportProgress) -> None:
        if step.rows % IMPORT_PROGRESS_EVERY == 0:
            _note(step.message)

    try:
        report = await import_rows(
            client,
            None if dataset is None else dataset.id,
            rows,
            ledger=ledger,
            dry_run=args.dry_run,
            on_progress=progress,
        )
    except ApiError as exc:
        return _fail(exc.message, 1)
    finally:
        if ledger is not None:
            ledger.close()
    for problem in report.problems[:IMPORT_PROBLEMS_SHOWN]:
        _note(f"line {problem.line}: {problem.reason}")
    if report.failed > IMPORT_PROBLEMS_SHOWN:
        _note(f"... and {report.failed - IMPORT_PROBLEMS_SHOWN} more rows not imported")
    if report.stopped is not None:
        _fail(
            f"stopped at line {report.stopped_at}: {report.stopped}. The rows before it are"
            " imported; running the command again imports none of them twice.",
            1,
        )
    shown = make_visible(name)
    count = f"{report.created} row" if report.created == 1 else f"{report.created} rows"
    if args.dry_run:
        _say(
            f"Dry run: would import {count} into {shown} ({report.already} already there,"
            f" {report.failed} invalid). Nothing was written."
        )
    else:
        _say(
            f"Imported {count} into {shown} ({report.already} already there,"
            f" {report.failed} failed)."
        )
    return 0 if report.ok else 1


def import_file(args: argparse.Namespace) -> int:
    """Add a JSONL or CSV file's rows to a dataset (`explorer.model.importing`): 0 every row
    imported or already there; 1 a row failed, or the server, the connection or the ledger
    refused; 2 a usage problem (a file that cannot be read, no such dataset without
    ``--create``, nothing configured, a read-only profile); 130 interrupted. Never prints the
    API key."""
    from explorer.model.importing import ImportFileError, parse_mapping, read_rows

    try:
        rows = read_rows(args.file, args.format, parse_mapping(args.map))
    except ImportFileError as exc:
        return _fail(str(exc), 2)
    except OSError as exc:
        reason = f"cannot read {args.file}: {exc.strerror}" if exc.strerror else str(exc)
        return _fail(reason, 2)
    with rows:
        # A dry run writes nothing: a read-only profile may check a file.
        read_only = False if args.dry_run else None
        return _run_connected(args, read_only, lambda client: _import(client, args, rows))


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
        if args.command == "export":
            return export(args)
        if args.command == "import":
            return import_file(args)
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
