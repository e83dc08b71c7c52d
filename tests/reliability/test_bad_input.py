"""Bad input gets a clear error and loses nothing: one table, one row per bad input.

Each row names the input, where it enters (``settings``: `Settings`; ``client``: a `Client`
call; ``model``: an `ExplorerModel` command such as edit_field/save/create_dataset; ``cli``: the
``dataset-explorer`` command) and a regex of the message the user sees: the exception text,
the model's notice (message and hint, as both front ends show it), or the CLI's stderr. Every
message must also carry advice (a verb telling what to do) and never the API key. Rows that
edit an item also check that nothing was lost: the editor still holds the text, the journal
on disk (read by a second connection) holds the draft, and the server item is unchanged
unless the save was meant to reach it.

Server faults come from `httpx.MockTransport` (an HTML login page, a truncated body, an empty
200, a 413 from a proxy...) or from the emulator's fault options (500, a dropped connection).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

import httpx
import pytest

from explorer.api import ApiError, AsyncClient, Client, RetryPolicy, Settings
from explorer.emulator import FaultConfig
from explorer.model import ExplorerModel, Journal
from tests._emulator import RunningEmulator, start_emulator

KEY = "phx_badinput_" + uuid.uuid4().hex  # accepted by the module's server, every scope
READ_KEY = "phx_readonly_" + uuid.uuid4().hex  # dataset:read only
P1_KEY = "phx_project1_" + uuid.uuid4().hex  # every scope, project 1 only
WRONG_KEY = "phx_wrong_" + uuid.uuid4().hex
NO_RETRY = RetryPolicy(retries=0)
MISSING = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b"

# Every message must tell the user what to do: one of these words, as advice.
ADVICE = re.compile(
    r"\b(Check|check|Use|use|Fix|fix|Pass|pass|Make|Create|Wait|Retry|retry|Edit|Set|set|add"
    r"|Drop|Correct|Choose|Try|try|give|Send|needs|look like|save again|Nothing was sent|must be"
    r"|may not|at most|allowed|usage)\b"
)


@dataclass
class World:
    server: RunningEmulator
    dataset_id: str
    item_id: str
    tmp: Path
    monkeypatch: pytest.MonkeyPatch
    capsys: pytest.CaptureFixture[str]


@dataclass
class Seen:
    """What the user saw; for edits, what the editor and the journal still hold."""

    message: str
    editor_text: str | None = None
    journal_text: str | None = None
    server_changed: bool | None = None


Act = Callable[[World], Awaitable[Seen]]
Entry = Literal["settings", "client", "model", "cli"]


@dataclass(frozen=True)
class Row:
    id: str
    enters: Entry
    input: str  # the bad input, in words
    act: Act
    says: str  # regex of the message the user sees
    keeps: tuple[str, str] | None = None  # (field, text): the edit that must not be lost


# --- adapters: one per entry point ------------------------------------------------------


def settings(
    config: str | bytes | None = None, env: dict[str, str] | None = None, **kwargs: Any
) -> Act:
    """`Settings.resolve` with a config file of ``config`` and the environment ``env``."""

    async def act(world: World) -> Seen:
        path = world.tmp / "config.toml"
        if config is not None:
            path.write_bytes(config.encode() if isinstance(config, str) else config)
            path.chmod(0o600)
        try:
            Settings.resolve(config_path=path, env=env or {}, **kwargs)
        except ApiError as exc:
            return Seen(str(exc))
        raise AssertionError("no error")

    return act


def client(
    call: Callable[[Client, World], object],
    *,
    key: str = KEY,
    project: int = 1,
    read_only: bool = False,
    faults: FaultConfig | None = None,
    host: str | None = None,
) -> Act:
    """A `Client` call on the module's server (optionally with faults turned on)."""

    async def act(world: World) -> Seen:
        server = world.server.server
        if faults is not None:
            server.set_faults(faults)
        try:
            with Client(
                host or world.server.url,
                key,
                project,
                read_only=read_only,
                retries=NO_RETRY,
                timeout=2.0,
                config_path=world.tmp / "none.toml",
            ) as c:
                call(c, world)
        except (ApiError, ValueError) as exc:
            return Seen(str(exc))
        finally:
            if faults is not None:
                server.clear_faults()
        raise AssertionError("no error")

    return act


def answered(
    handler: Callable[[httpx.Request], httpx.Response],
    call: Callable[[Client], object] = lambda c: c.datasets.list(),
) -> Act:
    """A `Client` call against a server that answers with ``handler`` (MockTransport)."""

    async def act(world: World) -> Seen:
        transport = httpx.MockTransport(handler)
        try:
            with Client(
                "https://posthog.example.com",
                KEY,
                7,
                retries=NO_RETRY,
                transport=transport,
                generation="classic",
            ) as c:
                call(c)
        except ApiError as exc:
            return Seen(str(exc))
        raise AssertionError("no error")

    return act


class TooLarge(httpx.AsyncBaseTransport):
    """A proxy in front of the server that answers 413 to any body over ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if len(request.content) > self.limit:
            body = b"<html><head><title>413 Request Entity Too Large</title></head></html>"
            return httpx.Response(413, content=body, request=request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


async def _with_model(
    world: World,
    work: Callable[[ExplorerModel], Awaitable[None]],
    *,
    key: str = KEY,
    project: int = 1,
    transport: httpx.AsyncBaseTransport | None = None,
    start: bool = True,
) -> tuple[str, ExplorerModel, Path]:
    journal_path = world.tmp / f"journal-{uuid.uuid4().hex[:8]}.sqlite3"
    async_client = AsyncClient(
        world.server.url, key, project, retries=NO_RETRY, transport=transport
    )
    model = ExplorerModel(async_client, Journal(journal_path))
    try:
        if start:
            await model.start()
        await work(model)
        notice = model.state.notice
        return ("" if notice is None else str(notice)), model, journal_path
    finally:
        await model.close()
        await async_client.aclose()
        model.journal.journal.close()


def command(
    work: Callable[[ExplorerModel, World], Awaitable[Any]],
    *,
    key: str = KEY,
    project: int = 1,
    transport: Callable[[], httpx.AsyncBaseTransport] | None = None,
    start: bool = True,
) -> Act:
    """A model command; the user sees the notice (message and hint)."""

    async def act(world: World) -> Seen:
        message, _, _ = await _with_model(
            world,
            lambda m: work(m, world),
            key=key,
            project=project,
            transport=transport() if transport else None,
            start=start,
        )
        return Seen(message)

    return act


def edit(
    field: str,
    text: str,
    *,
    key: str = KEY,
    transport: Callable[[], httpx.AsyncBaseTransport] | None = None,
    faults: FaultConfig | None = None,
) -> Act:
    """Open the item, ``edit_field(field, text)``, ``save()``; then what is kept where."""

    async def act(world: World) -> Seen:
        with Client(world.server.url, KEY, 1) as c:
            before = c.items.get(world.item_id)
        kept: dict[str, str | None] = {}

        async def work(model: ExplorerModel) -> None:
            await model.open_dataset(world.dataset_id)
            await model.select(world.item_id)
            await model.edit_field(field, text)
            if faults is not None:
                world.server.server.set_faults(faults)
            try:
                await model.save()
            finally:
                world.server.server.clear_faults()
            editor = model.state.editor
            kept["editor"] = None if editor is None else editor.fields[field].text

        message, model, journal_path = await _with_model(
            world, work, key=key, transport=transport() if transport else None
        )
        # A second connection to the journal file: the draft is on disk, not only in memory.
        journal = Journal(journal_path)
        try:
            project = journal.for_project(model.state.host, model.state.project_id)
            drafts = [d for d in project.drafts() if d.item_id == world.item_id]
        finally:
            journal.close()
        with Client(world.server.url, KEY, 1) as c:
            after = c.items.get(world.item_id)
        return Seen(
            message,
            editor_text=kept["editor"],
            journal_text=drafts[0].fields.get(field) if drafts else None,
            server_changed=after.updated_at != before.updated_at,
        )

    return act


def cli(argv: list[str], config: str | None = None, env: dict[str, str] | None = None) -> Act:
    """``dataset-explorer ARGV`` in a terminal (the app itself must never start)."""

    async def act(world: World) -> Seen:
        import explorer.cli
        import explorer.tui.app

        def no_app(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("the app started: the input was accepted")

        path = world.tmp / "cli-config.toml"
        if config is not None:
            path.write_text(config)
            path.chmod(0o600)
        world.monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(path))
        world.monkeypatch.setenv("POSTHOG_EXPLORER_DATA_DIR", str(world.tmp / "data"))
        for name, value in (env or {}).items():
            world.monkeypatch.setenv(name, value)
        world.monkeypatch.setattr(explorer.cli, "_in_terminal", lambda: True)
        world.monkeypatch.setattr(explorer.tui.app, "make_app", no_app)
        world.capsys.readouterr()
        try:
            code = explorer.cli.main(argv)
        except SystemExit as exc:
            code = exc.code  # type: ignore[assignment]
        out = world.capsys.readouterr()
        assert code == 2, (code, out)
        # argparse prints the usage line above its error; both are what the user reads
        return Seen(out.err.strip())

    return act


# --- the table ------------------------------------------------------------------------------

PROFILES = f"""
default_profile = "us"

[profiles.us]
host = "us"
project_id = 1
api_key_env = "US_KEY"

[profiles.local]
host = "http://127.0.0.1:8010"
project_id = 1
api_key = "{KEY}"
"""

HTML_LOGIN = b"<!DOCTYPE html><html><head><title>Log in</title></head><body>Log in</body></html>"


def html(status: int, body: bytes = HTML_LOGIN) -> Callable[[httpx.Request], httpx.Response]:
    return lambda r: httpx.Response(status, content=body, headers={"content-type": "text/html"})


def raises(error: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return handler


def create_item(**fields: Any) -> Callable[[Client, World], object]:
    return lambda c, w: c.items.create(w.dataset_id, **fields)


HUGE = '{"text": "' + "x" * 3_000_000 + '"}'  # a 3 MB item

ROWS: list[Row] = [
    # settings ------------------------------------------------------------------------------
    Row(
        "toml-syntax",
        "settings",
        "config file with an unclosed table header",
        settings('[profiles.us\nhost = "us"\n'),
        r"config file .*config\.toml is not valid TOML: .*\(at line 1, column 13\)\. Fix the"
        r" file",
    ),
    Row(
        "toml-not-utf8",
        "settings",
        "config file that is not UTF-8",
        settings(b"\xff\xfe[profiles]"),
        r"is not valid TOML: 'utf-8' codec can't decode .*Fix the file \(UTF-8 TOML",
    ),
    Row(
        "profile-missing",
        "settings",
        "profile='eu', which the file does not have",
        settings(PROFILES, profile="eu"),
        r"No profile 'eu' in .*\(profiles: local, us\)\. Use one of those, or add a"
        r" \[profiles\.eu\] table",
    ),
    Row(
        "profile-key-variable-unset",
        "settings",
        "profile reads the key from US_KEY, which is unset",
        settings(PROFILES, profile="us"),
        r"reads the API key from US_KEY, which is not set\. Set US_KEY to your personal API key",
    ),
    Row(
        "profile-unknown-key",
        "settings",
        "profile with a misspelt key 'api_kee'",
        settings('[profiles.a]\nhost = "us"\nproject_id = 1\napi_kee = "x"\n', profile="a"),
        r"Unknown keys in profile 'a' .*: api_kee \(known: .*api_key, api_key_env.*\)\. Fix the"
        r" spelling",
    ),
    Row(
        "profile-read-only-not-bool",
        "settings",
        'read_only = "yes"',
        settings('[profiles.a]\nhost = "us"\nproject_id = 1\nread_only = "yes"\n', profile="a"),
        r"read_only in profile 'a' .* must be true or false",
    ),
    Row(
        "ingestion-host",
        "settings",
        "host https://us.i.posthog.com",
        settings(host="https://us.i.posthog.com", api_key=KEY, project_id=1),
        r"us\.i\.posthog\.com is PostHog's ingestion host .*use https://us\.posthog\.com",
    ),
    Row(
        "plain-http-remote",
        "settings",
        "host http://posthog.example.com",
        settings(host="http://posthog.example.com", api_key=KEY, project_id=1),
        r"Refusing http:// to posthog\.example\.com: the API key would travel unencrypted\."
        r" Use https://",
    ),
    Row(
        "host-not-web-address",
        "settings",
        "host ftp://files.example.com",
        settings(host="ftp://files.example.com", api_key=KEY, project_id=1),
        r"Host 'ftp://files\.example\.com' is not a web address\. Use us, eu, or your PostHog's",
    ),
    Row(
        "host-with-query",
        "settings",
        "host https://us.posthog.com/?project=1",
        settings(host="https://us.posthog.com/?project=1", api_key=KEY, project_id=1),
        r"must be a plain address, no query",
    ),
    Row(
        "project-id-not-number",
        "settings",
        "POSTHOG_PROJECT_ID=abc",
        settings(
            env={"POSTHOG_HOST": "us", "POSTHOG_PERSONAL_API_KEY": KEY, "POSTHOG_PROJECT_ID": "abc"}
        ),
        r"POSTHOG_PROJECT_ID must be a positive number \(the one after /project/ .*\) or"
        r" '@current', not 'abc'",
    ),
    Row(
        "project-id-zero",
        "settings",
        "project_id=0",
        settings(host="us", api_key=KEY, project_id=0),
        r"project_id must be a positive number .* not 0\.",
    ),
    Row(
        "project-key-not-personal",
        "settings",
        "a phc_ project key",
        settings(host="us", api_key="phc_abcdef", project_id=1),
        r"is a project API key \(phc_\.\.\., for sending events\)\. The datasets API needs a"
        r" personal API key \(phx_\.\.\.\)",
    ),
    Row(
        "no-key",
        "settings",
        "no key anywhere",
        settings(host="us", project_id=1),
        r"No PostHog API key: pass api_key=, set POSTHOG_PERSONAL_API_KEY.*Create a personal API"
        r" key",
    ),
    Row(
        "empty-key",
        "settings",
        'api_key="  "',
        settings(host="us", api_key="  ", project_id=1),
        r"api_key is empty\. Set it to a personal API key",
    ),
    Row(
        "key-with-space",
        "settings",
        "a key with a space pasted in",
        settings(host="us", api_key=KEY[:10] + " " + KEY[10:], project_id=1),
        r"api_key contains spaces or control characters; check for a typo",
    ),
    Row(
        "no-host",
        "settings",
        "key and project but no host",
        settings(api_key=KEY, project_id=1),
        r"No PostHog host: pass host=, set POSTHOG_HOST",
    ),
    # client calls on the embedded server ---------------------------------------------------
    Row(
        "wrong-key",
        "client",
        "a personal key the server does not know",
        client(lambda c, w: c.datasets.list(), key=WRONG_KEY),
        r"did not accept the API key .*create a personal API key at http://127\.0\.0\.1:\d+"
        r"/settings/user-api-keys with the dataset:read scope",
    ),
    Row(
        "missing-scope",
        "client",
        "create a dataset with a dataset:read key",
        client(lambda c, w: c.datasets.create("needs write"), key=READ_KEY),
        r"The API key lacks the dataset:write scope .*Create a personal API key with the"
        r" dataset:write scope",
    ),
    Row(
        "key-without-project",
        "client",
        "a key limited to project 1 used on project 2",
        client(lambda c, w: c.datasets.list(), key=P1_KEY, project=2),
        r"The API key has no access to project 2 .*Check the project id",
    ),
    Row(
        "wrong-project",
        "client",
        "project 99, which does not exist",
        client(lambda c, w: c.datasets.list(), project=99),
        r"Project 99 was not found on http://127\.0\.0\.1:\d+ .*Check POSTHOG_PROJECT_ID",
    ),
    Row(
        "empty-name",
        "client",
        'datasets.create("")',
        client(lambda c, w: c.datasets.create("")),
        r"refused POST /api/projects/1/datasets/: name: This field may not be blank\. \(code"
        r" blank\)\. Fix the name",
    ),
    Row(
        "long-name",
        "client",
        "a 401-character dataset name",
        client(lambda c, w: c.datasets.create("n" * 401)),
        r"name: Ensure this field has no more than 400 characters\. .*Fix the name",
    ),
    Row(
        "long-ref-trace-id",
        "client",
        "a 256-character ref_trace_id",
        client(create_item(input=1, ref_trace_id="t" * 256)),
        r"ref_trace_id: Ensure this field has no more than 255 characters.*Fix the ref_trace_id",
    ),
    Row(
        "long-ref-source-id",
        "client",
        "a 1,000-character ref_source_id",
        client(create_item(input=1, ref_source_id="s" * 1000)),
        r"ref_source_id: Ensure this field has no more than 255 characters.*Fix the"
        r" ref_source_id",
    ),
    Row(
        "bad-timestamp",
        "client",
        'ref_timestamp="yesterday"',
        client(create_item(input=1, ref_timestamp="yesterday")),
        r"ref_timestamp: Datetime has wrong format\. Use one of these formats instead:"
        r" YYYY-MM-DDThh:mm",
    ),
    Row(
        "naive-datetime",
        "client",
        "ref_timestamp=datetime(2025, 1, 1) without a timezone",
        client(create_item(input=1, ref_timestamp=datetime(2025, 1, 1))),
        r"ref_timestamp: give a timezone-aware datetime \(got naive 2025-01-01 00:00:00\)",
    ),
    Row(
        "non-uuid-item-id",
        "client",
        'items.get("42")',
        client(lambda c, w: c.items.get("42")),
        r"item id '42' is not a UUID \(ids look like 0199a3c4-",
    ),
    Row(
        "non-uuid-dataset-id",
        "client",
        'items.list("my-dataset")',
        client(lambda c, w: c.items.list("my-dataset")),
        r"dataset id 'my-dataset' is not a UUID \(ids look like 0199a3c4-",
    ),
    Row(
        "nan-value",
        "client",
        "input=float('nan')",
        client(create_item(input=float("nan"))),
        r"input: not representable as JSON \(Out of range float values.*\)\. Send only JSON"
        r" values",
    ),
    Row(
        "read-only-write",
        "client",
        "a write with read_only=True",
        client(lambda c, w: c.datasets.create("x"), read_only=True),
        r"This client is read-only; refused POST /api/projects/1/datasets/ without sending it\."
        r" Drop read_only",
    ),
    Row(
        "missing-item",
        "client",
        "update of an item id that does not exist",
        client(lambda c, w: c.items.update(MISSING, output=1)),
        rf"The dataset item {MISSING} was not found .*or it was deleted .*Check the id\.",
    ),
    Row(
        "server-500",
        "client",
        "the server fails every request (emulator faults)",
        client(
            lambda c, w: c.datasets.list(),
            faults=FaultConfig(error_rate=1.0, error_statuses=(500,)),
        ),
        r"failed on GET /api/projects/1/datasets/ with 500 .*Try again later; if it persists,"
        r" report it",
    ),
    Row(
        "connection-dropped",
        "client",
        "the server drops the connection after answering (emulator faults)",
        client(lambda c, w: c.datasets.list(), faults=FaultConfig(drop_after_rate=1.0)),
        r"Could not reach http://127\.0\.0\.1:\d+ for GET .*Check the host, your connection and"
        r" any proxy; then try again",
    ),
    Row(
        "unreachable",
        "client",
        "a host where nothing listens",
        client(lambda c, w: c.datasets.list(), host="http://127.0.0.1:9"),
        r"Could not reach http://127\.0\.0\.1:9 for GET .*ConnectError.*Check the host",
    ),
    # client calls on a server that answers wrongly (MockTransport) -------------------------
    Row(
        "html-login-page",
        "client",
        "200 with an HTML login page",
        answered(html(200)),
        r"answered GET /api/projects/7/datasets/ with 200 but not with a page of datasets"
        r" \(Invalid JSON.*the body starts '<!DOCTYPE html>.*Check that the host is PostHog's"
        r" app host",
    ),
    Row(
        "html-502",
        "client",
        "502 with a proxy's HTML page",
        answered(html(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>")),
        r"failed on GET /api/projects/7/datasets/ with 502 Bad Gateway\. Try again later",
    ),
    Row(
        "not-posthog-404",
        "client",
        "404 HTML page on the list route (not PostHog, or no datasets API)",
        answered(html(404, b"<html>Not Found</html>")),
        r"https://posthog\.example\.com has no datasets API at GET /api/projects/7/datasets/"
        r" \(404\)\. Check that the host is PostHog's app host",
    ),
    Row(
        "truncated-json",
        "client",
        "200 whose JSON body is cut off",
        answered(lambda r: httpx.Response(200, content=b'{"count": 3, "results": [{"id": "01')),
        r"with 200 but not with a page of datasets \(Invalid JSON: EOF while parsing",
    ),
    Row(
        "truncated-transfer",
        "client",
        "the connection closes mid-body",
        answered(
            raises(httpx.RemoteProtocolError("peer closed connection without sending complete"))
        ),
        r"Could not reach https://posthog\.example\.com .*RemoteProtocolError.*Check the host,"
        r" your connection",
    ),
    Row(
        "empty-200",
        "client",
        "200 with an empty body",
        answered(lambda r: httpx.Response(200, content=b"")),
        r"with 200 but not with a page of datasets \(the body is empty;.*Check that the host",
    ),
    Row(
        "wrong-shape-json",
        "client",
        "200 with JSON of the wrong shape",
        answered(lambda r: httpx.Response(200, json={"count": "many", "results": 5})),
        r"not with a page of datasets \(count: Input should be a valid integer",
    ),
    Row(
        "undecodable-gzip",
        "client",
        "a body that claims gzip but is not",
        answered(
            lambda r: httpx.Response(200, content=b"plain", headers={"content-encoding": "gzip"})
        ),
        r"answered GET .* with a body that cannot be decoded \(DecodingError.*Check that the host",
    ),
    Row(
        "redirect-to-login",
        "client",
        "302 to a login page",
        answered(
            lambda r: httpx.Response(302, headers={"location": "https://posthog.example.com/login"})
        ),
        r"redirected GET /api/projects/7/datasets/ to https://posthog\.example\.com/login\. Set"
        r" the host",
    ),
    Row(
        "timeout",
        "client",
        "the server does not answer in time",
        answered(raises(httpx.ReadTimeout("timed out"))),
        r"did not answer GET /api/projects/7/datasets/ in time .*allow more time with timeout=",
    ),
    Row(
        "huge-item-413",
        "client",
        "a 3 MB item behind a proxy that answers 413",
        answered(
            html(413, b"<html><title>413 Request Entity Too Large</title></html>"),
            lambda c: c.items.create(MISSING, input="x" * 3_000_000),
        ),
        r"refused POST /api/projects/7/dataset_items/ as too large \(3,0\d\d,\d\d\d bytes\): 413"
        r" Request Entity Too Large\. Make the value smaller",
    ),
    # model commands: edits (the draft must survive) -----------------------------------------
    *[
        Row(
            f"edit-json-{name}",
            "model",
            f"edit_field('input', {text[:30]!r}) then save",
            edit("input", text),
            rf"Saving refused: input: {says}\. Fix the field; nothing was sent\.",
            keeps=("input", text),
        )
        for name, text, says in [
            (
                "trailing-comma",
                '{"a": 1,}',
                r"expected a key in double quotes \(no trailing comma after the last member\?\)"
                r" \(line 1, column 9\)",
            ),
            (
                "single-quotes",
                "{'a': 1}",
                r"expected a key in double quotes .* \(line 1, column 2\)",
            ),
            ("unclosed", '{"a": [1, 2}', r"expecting ',' delimiter \(line 1, column 12\)"),
            ("nan", '{"score": NaN}', r"NaN is not valid JSON \(line 1, column 11\)"),
            ("infinity", '{"x": -Infinity}', r"-Infinity is not valid JSON \(line 1, column 7\)"),
            (
                "two-values",
                '{"a": 1}\n\n  {"b": 2}',
                r"unexpected text after the end of the JSON value \(line 3, column 3\)",
            ),
            ("unterminated", '"hello', r"unterminated string starting at \(line 1, column 1\)"),
            ("python-literal", '{"ok": True}', r"expected a value \(line 1, column 8\)"),
            ("comment", '// note\n{"a": 1}', r"expected a value \(line 1, column 1\)"),
            ("too-deep", "[" * 100_000, r"nested too deeply"),
        ]
    ],
    Row(
        "edit-bad-timestamp",
        "model",
        "edit_field('ref_timestamp', 'yesterday') then save",
        edit("ref_timestamp", "yesterday"),
        r"Saving refused: ref_timestamp: not an ISO-8601 timestamp \(e\.g\. 2025-09-05T12:34:56Z\)"
        r".*Fix the field; nothing was sent",
        keeps=("ref_timestamp", "yesterday"),
    ),
    Row(
        "edit-impossible-date",
        "model",
        "edit_field('ref_timestamp', '2025-02-30T10:00:00Z') then save",
        edit("ref_timestamp", "2025-02-30T10:00:00Z"),
        r"Saving refused: ref_timestamp: not an ISO-8601 timestamp",
        keeps=("ref_timestamp", "2025-02-30T10:00:00Z"),
    ),
    Row(
        "edit-long-ref-trace-id",
        "model",
        "edit_field('ref_trace_id', 256 characters) then save",
        edit("ref_trace_id", "t" * 256),
        r"Saving refused: ref_trace_id: 256 characters; at most 255 allowed \(line 1, column 256\)",
        keeps=("ref_trace_id", "t" * 256),
    ),
    Row(
        "edit-long-ref-source-id",
        "model",
        "edit_field('ref_source_id', 300 characters) then save",
        edit("ref_source_id", "s" * 300),
        r"Saving refused: ref_source_id: 300 characters; at most 255 allowed",
        keeps=("ref_source_id", "s" * 300),
    ),
    Row(
        "edit-missing-scope",
        "model",
        "save with a dataset:read key",
        edit("output", '"changed with a read key"', key=READ_KEY),
        r"Not saved: The API key lacks the dataset:write scope .*Your edit is kept \(also in the"
        r" local journal\); save again to retry\.",
        keeps=("output", '"changed with a read key"'),
    ),
    Row(
        "edit-server-500",
        "model",
        "save while the server fails every request",
        edit(
            "output",
            '"saved during an outage"',
            faults=FaultConfig(error_rate=1.0, error_statuses=(500,)),
        ),
        r"Not saved: PostHog at .* failed on GET .* with 500 .*Your edit is kept .*save again to"
        r" retry",
        keeps=("output", '"saved during an outage"'),
    ),
    Row(
        "edit-huge-item-413",
        "model",
        "save a 3 MB input through a proxy that answers 413",
        edit("input", HUGE, transport=lambda: TooLarge(1_000_000)),
        r"Not saved: .* refused PATCH /api/projects/1/dataset_items/.* as too large \(3,0\d\d,\d{3}"
        r" bytes\): 413 .*Make the value smaller .*Your edit is kept",
        keeps=("input", HUGE),
    ),
    Row(
        "edit-unknown-field",
        "model",
        "edit_field('inputs', ...)",
        command(
            lambda m, w: _select_then(m, w, m.edit_field("inputs", "1")),
        ),
        r"'inputs' is not an editable field\. Edit one of input, output, metadata, ref_trace_id",
    ),
    # model commands: datasets, ids, connection ---------------------------------------------
    Row(
        "create-dataset-empty-name",
        "model",
        "create_dataset('   ')",
        command(lambda m, w: m.create_dataset("   ")),
        r"Not created: name: may not be blank\. Nothing was sent\.",
    ),
    Row(
        "create-dataset-long-name",
        "model",
        "create_dataset(401 characters)",
        command(lambda m, w: m.create_dataset("n" * 401)),
        r"Not created: name: 401 characters; at most 400 allowed\. Nothing was sent\.",
    ),
    Row(
        "create-dataset-metadata-array",
        "model",
        "create_dataset('x', metadata='[1, 2]')",
        command(lambda m, w: m.create_dataset("x", metadata="[1, 2]")),
        r"Not created: metadata: must be a JSON object \(\{\.\.\.\}\) or empty",
    ),
    Row(
        "create-dataset-metadata-invalid",
        "model",
        "create_dataset('x', metadata='{owner: me}')",
        command(lambda m, w: m.create_dataset("x", metadata="{owner: me}")),
        r"Not created: metadata: expected a key in double quotes .*\(line 1, column 2\)\. Nothing"
        r" was sent",
    ),
    Row(
        "select-non-uuid",
        "model",
        "select('item-42')",
        command(lambda m, w: m.select("item-42")),
        r"Opening the item failed: item id 'item-42' is not a UUID .*Nothing was sent; ids are"
        r" UUIDs",
    ),
    Row(
        "move-to-non-uuid",
        "model",
        "move_item('my-other-dataset', item)",
        command(lambda m, w: _select_then(m, w, m.move_item("my-other-dataset", w.item_id))),
        r"Moving the item failed: dataset id 'my-other-dataset' is not a UUID .*Nothing was sent",
    ),
    Row(
        "sort-unknown",
        "model",
        "sort_datasets('name')",
        command(lambda m, w: m.sort_datasets("name")),
        r"Unknown sort order 'name'\. Use one of -created_at, created_at",
    ),
    Row(
        "start-wrong-key",
        "model",
        "start() with a key the server does not know",
        command(lambda m, w: m.start(), key=WRONG_KEY, start=False),
        r"Loading the datasets failed: PostHog at .* did not accept the API key .*Check the API"
        r" key",
    ),
    Row(
        "start-wrong-project",
        "model",
        "start() on project 42, which does not exist",
        command(lambda m, w: m.start(), project=42, start=False),
        r"Loading the datasets failed: Project 42 was not found .*Check the project id\.$",
    ),
    Row(
        "start-html-answer",
        "model",
        "start() against a host that answers an HTML page",
        command(
            lambda m, w: m.start(),
            transport=lambda: httpx.MockTransport(html(200)),
            start=False,
        ),
        r"Loading the datasets failed: .* but not with a page of datasets .*Check that the host is"
        r" PostHog's app host",
    ),
    # the command line ------------------------------------------------------------------------
    Row(
        "cli-profile-missing",
        "cli",
        "dataset-explorer --profile nope",
        cli(["--profile", "nope"], PROFILES),
        r"^dataset-explorer: No profile 'nope' in .*\(profiles: local, us\)\. Use one of those",
    ),
    Row(
        "cli-bad-toml",
        "cli",
        "dataset-explorer with a config file that is not TOML",
        cli([], 'default_profile = "us\n'),
        r"^dataset-explorer: The config file .* is not valid TOML: .*\(at line 1, column \d+\)\."
        r" Fix the file",
    ),
    Row(
        "cli-plain-http",
        "cli",
        "dataset-explorer --profile local --host http://posthog.example.com",
        cli(["--profile", "local", "--host", "http://posthog.example.com"], PROFILES),
        r"^dataset-explorer: Refusing http:// to posthog\.example\.com: .*Use https://",
    ),
    Row(
        "cli-project-id",
        "cli",
        "dataset-explorer --profile local --project-id abc",
        cli(["--profile", "local", "--project-id", "abc"], PROFILES),
        r"^dataset-explorer: project_id must be a positive number .*not 'abc'",
    ),
    Row(
        "cli-ingestion-host",
        "cli",
        "POSTHOG_HOST=https://eu.i.posthog.com dataset-explorer",
        cli(
            [],
            None,
            {
                "POSTHOG_HOST": "https://eu.i.posthog.com",
                "POSTHOG_PERSONAL_API_KEY": KEY,
                "POSTHOG_PROJECT_ID": "1",
            },
        ),
        r"^dataset-explorer: eu\.i\.posthog\.com is PostHog's ingestion host .*use"
        r" https://eu\.posthog\.com",
    ),
    Row(
        "cli-serve-project",
        "cli",
        "dataset-explorer serve --project abc",
        cli(["serve", "--project", "abc"]),
        r"argument --project: project ids are integers, not 'abc'",
    ),
    Row(
        "cli-serve-key-projects",
        "cli",
        "dataset-explorer serve --api-key KEY@one",
        cli(["serve", "--api-key", f"{KEY}@one"]),
        r"error: projects after @ must be integers, not 'one' \(in an --api-key\)",
    ),
    Row(
        "cli-serve-rate",
        "cli",
        "dataset-explorer serve --error-rate 2",
        cli(["serve", "--error-rate", "2"]),
        r"argument --error-rate: 2 is not a fraction between 0 and 1",
    ),
]


async def _select_then(model: ExplorerModel, world: World, then: Awaitable[None]) -> None:
    await model.open_dataset(world.dataset_id)
    await model.select(world.item_id)
    await then


# --- the test -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[RunningEmulator]:
    running = start_emulator(
        "none",
        api_keys=[KEY, f"{READ_KEY}=dataset:read", f"{P1_KEY}@1"],
        projects=(1, 2),
    )
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture(scope="module")
def seeded(server: RunningEmulator) -> tuple[str, str]:
    with Client(server.url, KEY, 1) as c:
        dataset = c.datasets.create("bad-input")
        item = c.items.create(
            dataset,
            input={"question": "unchanged"},
            output="unchanged",
            ref_trace_id="trace-1",
            ref_timestamp="2025-09-05T12:34:56Z",
            ref_source_id="span-1",
        )
    return str(dataset.id), str(item.id)


@pytest.fixture
def world(
    server: RunningEmulator,
    seeded: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> World:
    for name in (
        "POSTHOG_PERSONAL_API_KEY",
        "POSTHOG_HOST",
        "POSTHOG_PROJECT_ID",
        "POSTHOG_EXPLORER_PROFILE",
        "US_KEY",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POSTHOG_EXPLORER_CONFIG", str(tmp_path / "absent.toml"))
    return World(server, seeded[0], seeded[1], tmp_path, monkeypatch, capsys)


def test_the_table_is_big_and_covers_every_entry_point() -> None:
    assert len(ROWS) >= 40
    assert len({row.id for row in ROWS}) == len(ROWS)
    assert {row.enters for row in ROWS} == {"settings", "client", "model", "cli"}


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
async def test_bad_input_gets_a_clear_message_and_loses_nothing(row: Row, world: World) -> None:
    seen = await row.act(world)
    message = seen.message
    where = f"{row.input} (via {row.enters}) said: {message}"
    assert re.search(row.says, message, re.DOTALL), where
    assert ADVICE.search(message), f"no advice in: {message}"
    for key in (KEY, READ_KEY, P1_KEY, WRONG_KEY):
        assert key not in message, where
    if row.keeps is not None:
        _field, text = row.keeps
        assert seen.editor_text == text, "the editor lost the edit"
        assert seen.journal_text == text, "the journal on disk does not hold the draft"
        assert seen.server_changed is False, "the server item changed"
