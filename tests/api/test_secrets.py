"""The API key never shows: not in exception text, reprs, log records or URLs.

Every failure path is driven over real HTTP on 127.0.0.1 (so httpx's and httpcore's own debug
logging runs too) and over MockTransport, with every logger at DEBUG.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from explorer.api import ApiError, Client, ConfigError, RetryPolicy, Settings, Unreachable

KEY = "phx_never_show_me_4f2a9c"
DS = "0199a3c4-5b6d-7e8f-9a0b-1c2d3e4f5a6b"

# path suffix -> (status, body); the echo route puts the Authorization header in the detail.
ROUTES: dict[str, tuple[int, bytes]] = {
    "401": (401, b'{"type":"authentication_error","code":"authentication_failed","detail":"bad"}'),
    "403": (
        403,
        b'{"type":"authentication_error","code":"permission_denied",'
        b'"detail":"API key missing required scope \'dataset:write\'"}',
    ),
    "404": (404, b'{"type":"invalid_request","code":"not_found","detail":"Not found."}'),
    "400": (400, b'{"type":"validation_error","code":"blank","detail":"blank","attr":"name"}'),
    "429": (
        429,
        b'{"type":"throttled_error","code":"throttled",'
        b'"detail":"Request was throttled. Expected available in 99 seconds."}',
    ),
    "500": (500, b"<html>oops</html>"),
    "503": (503, b""),
    "html": (200, b"<!DOCTYPE html><html>login</html>"),
    "empty": (200, b""),
    "405": (405, b""),
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        project = self.path.split("/")[3]
        if project == "77":  # stalls: for timeouts
            time.sleep(0.5)
            status, payload = 200, b'{"count": 0, "results": []}'
        elif project == "88":  # echoes the credentials back
            auth = self.headers.get("authorization", "")
            status, body = 400, json.dumps({"code": "invalid", "detail": f"bad header {auth}"})
            payload = body.encode()
        else:
            status, payload = ROUTES[project]
        try:
            self.send_response(status)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PATCH = _answer


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def everything_said(error: BaseException) -> str:
    """The text a user or a log could ever see of an exception, with its whole chain."""
    parts = ["".join(traceback.format_exception(error)), repr(error)]
    seen = error
    while seen is not None:
        parts += [str(seen), repr(seen), str(getattr(seen, "request", ""))]
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    if isinstance(error, ApiError):
        parts += [str(v) for v in vars(error).values()]
    return "\n".join(parts)


def call_all(client: Client) -> list[BaseException]:
    calls: list[Callable[[], object]] = [
        lambda: client.datasets.list(search="q"),
        lambda: client.datasets.create("x"),
        lambda: client.items.update(DS, output=1),
        lambda: list(client.items.iter(page_size=10)),
        lambda: client.datasets.get(DS),
    ]
    errors: list[BaseException] = []
    for call in calls:
        try:
            call()
        except ApiError as exc:
            errors.append(exc)
    return errors


def test_key_in_no_error_no_log_no_url(
    server_url: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    seen_urls: list[str] = []
    errors: list[BaseException] = []
    fast = RetryPolicy(retries=1, backoff=0.001, rate_limit_max_wait=0)
    for project in [*ROUTES, "77", "88"]:
        timeout = 0.1 if project == "77" else 5.0
        client = Client(
            server_url,
            KEY,
            int(project) if project.isdigit() else 1,
            retries=fast,
            timeout=timeout,
            config_path=str(tmp_path / "none.toml"),
            generation="classic",  # the hostile server's routes answer as classic
        )
        if not project.isdigit():
            client._classic._root = f"/api/projects/{project}"
        client._http.event_hooks["request"].append(lambda r: seen_urls.append(str(r.url)))
        with client:
            assert KEY not in repr(client)
            errors += call_all(client)
    # unreachable: nothing listens on port 9
    with Client("http://127.0.0.1:9", KEY, 1, retries=fast) as dead:
        errors += call_all(dead)
    assert any(isinstance(e, Unreachable) and "did not answer" in str(e) for e in errors)
    assert any(isinstance(e, Unreachable) and "Could not reach" in str(e) for e in errors)
    assert len(errors) >= 50
    for error in errors:
        assert KEY not in everything_said(error), everything_said(error)
    echo = [e for e in errors if isinstance(e, ApiError) and e.detail and "bad header" in e.detail]
    assert echo and all("<api key>" in e.detail for e in echo)  # type: ignore[operator]
    assert seen_urls and not [u for u in seen_urls if KEY in u]
    logged = [r for r in caplog.records if r.name.startswith(("httpx", "httpcore", "explorer"))]
    assert any(r.name.startswith("httpcore") for r in logged)  # debug logging really ran
    for record in caplog.records:
        assert KEY not in record.getMessage()
        assert KEY not in repr(record.args)


def test_key_not_in_config_errors(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text(f'[profiles.a]\napi_key = "{KEY} with spaces"\nhost = "us"\nproject_id = 1\n')
    bad.chmod(0o600)
    with pytest.raises(ConfigError) as info:
        Settings.resolve(profile="a", config_path=bad, env={})
    assert KEY not in everything_said(info.value)
    with pytest.raises(ConfigError) as info:
        Settings("http://ph.example.com", 1, KEY)
    assert KEY not in everything_said(info.value)


def test_authorization_header_is_redacted_in_httpx_reprs() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"count": 0, "results": []})

    with Client(
        "us", KEY, 1, transport=httpx.MockTransport(handler), generation="classic"
    ) as client:
        client.datasets.list()
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in repr(seen[0].headers)
    assert KEY not in str(seen[0].url)
