"""Fault injection: latency, 5xx, 429, dropped connections, determinism, runtime control."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from explorer.emulator import FaultConfig
from tests._emulator import RunningEmulator
from tests.emulator.conftest import Api, envelope

Factory = Callable[..., RunningEmulator]


def test_latency_is_added_to_api_routes_only(api: Api) -> None:
    api.http.get(api.url("datasets"))  # warm the connection
    start = time.perf_counter()
    api.http.get(api.url("datasets"))
    fast = time.perf_counter() - start
    api.running.server.set_faults(latency_ms=300)
    start = time.perf_counter()
    assert api.http.get(api.url("datasets")).status_code == 200
    slow = time.perf_counter() - start
    assert slow >= 0.3 > fast
    start = time.perf_counter()
    assert api.http.get("/_emulator/health").status_code == 200
    assert time.perf_counter() - start < 0.3
    assert api.running.server.fault_stats()["counts"]["latency"] == 1


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors(api: Api, status: int) -> None:
    api.running.server.set_faults(error_rate=1.0, error_statuses=(status,))
    response = api.http.post(api.url("datasets"), json={"name": "never"})
    assert response.status_code == status
    if status == 500:
        assert response.json() == envelope("server_error", "error", "A server error occurred.")
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert str(status) in response.text
    api.running.server.clear_faults()
    assert api.list_ids("datasets") == []  # the request never reached the API
    assert api.running.server.fault_stats()["counts"][f"error_{status}"] == 1


@pytest.mark.parametrize(("wait", "unit"), [(1, "second"), (37, "seconds")])
def test_throttle_fault_has_posthogs_body(api: Api, wait: int, unit: str) -> None:
    api.running.server.set_faults(throttle_rate=1.0, throttle_wait_s=wait)
    response = api.http.get(api.url("datasets"))
    assert response.status_code == 429
    assert response.json() == envelope(
        "throttled_error",
        "throttled",
        f"Request was throttled. Expected available in {wait} {unit}.",
    )
    assert "retry-after" not in response.headers


def test_drop_before_leaves_no_row(api: Api) -> None:
    api.running.server.set_faults(drop_before_rate=1.0)
    with pytest.raises(httpx.TransportError):
        api.http.post(api.url("datasets"), json={"name": "lost"})
    api.running.server.clear_faults()
    assert api.list_ids("datasets") == []
    assert api.running.server.fault_stats()["counts"]["drop_before"] == 1


def test_drop_after_leaves_the_row(api: Api) -> None:
    api.running.server.set_faults(drop_after_rate=1.0)
    with pytest.raises(httpx.TransportError):
        api.http.post(api.url("datasets"), json={"name": "applied"})
    api.running.server.clear_faults()
    rows = api.http.get(api.url("datasets")).json()["results"]
    assert [r["name"] for r in rows] == ["applied"]


def test_drop_after_applies_an_edit(api: Api) -> None:
    ds = api.dataset(name="before")["id"]
    api.running.server.set_faults(drop_after_rate=1.0)
    with pytest.raises(httpx.TransportError):
        api.http.patch(api.url("datasets", ds), json={"deleted": True})
    api.running.server.clear_faults()
    assert api.http.get(api.url("datasets", ds)).status_code == 404  # it was deleted


def test_dropped_connection_is_not_a_response(api: Api) -> None:
    """The client sees the TCP connection close with no HTTP response at all."""
    import socket

    api.running.server.set_faults(drop_before_rate=1.0)
    host, port = api.running.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(b"GET /api/projects/1/datasets/ HTTP/1.1\r\nHost: x\r\n\r\n")
        received = b""
        try:
            while chunk := sock.recv(4096):
                received += chunk
        except ConnectionResetError:
            pass
    assert received == b""


def _outcomes(running: RunningEmulator, n: int) -> list[str]:
    api = Api(running)
    seen = []
    for _ in range(n):
        try:
            seen.append(str(api.http.get(api.url("datasets")).status_code))
        except httpx.TransportError:
            seen.append("dropped")
    api.close()
    return seen


def _client_view(kind: str | None) -> str:
    if kind is None:
        return "200"
    if kind == "throttle":
        return "429"
    return "dropped" if kind.startswith("drop") else kind.removeprefix("error_")


MIXED = {"error_rate": 0.2, "throttle_rate": 0.2, "drop_before_rate": 0.1, "drop_after_rate": 0.1}


def test_same_seed_same_faults(emulator_factory: Factory) -> None:
    first = emulator_factory(faults=FaultConfig(seed=7, **MIXED))
    second = emulator_factory(faults=FaultConfig(seed=7, **MIXED))
    other = emulator_factory(faults=FaultConfig(seed=8, **MIXED))
    a, b, c = (_outcomes(r, 60) for r in (first, second, other))
    assert a == b
    assert a != c
    assert {"200", "429", "dropped"} <= set(a) and {"500", "502", "503"} & set(a)
    # the log agrees with what the client saw
    stats = first.server.fault_stats()
    assert stats["requests"] == 60
    logged = {entry["seq"]: entry["fault"] for entry in stats["log"]}
    for seq, outcome in enumerate(a, start=1):
        kind = logged.get(seq)
        assert outcome == _client_view(kind), (seq, kind)
    assert sum(stats["counts"].values()) == len(stats["log"])


def test_reconfiguring_restarts_the_sequence(emulator_factory: Factory) -> None:
    running = emulator_factory()
    running.server.set_faults(seed=3, **MIXED)
    first = _outcomes(running, 30)
    running.server.set_faults(seed=3, **MIXED)
    assert _outcomes(running, 30) == first


def test_faults_at_start_and_over_http(emulator_factory: Factory) -> None:
    running = emulator_factory(faults=FaultConfig(error_rate=1.0, error_statuses=(503,)))
    api = Api(running)
    assert api.http.get(api.url("datasets")).status_code == 503
    admin = running.url + "/_emulator/faults"
    off = httpx.delete(admin).json()
    assert off["config"]["error_rate"] == 0 and off["counts"]["error_503"] == 1
    assert api.http.get(api.url("datasets")).status_code == 200
    on = httpx.put(admin, json={"seed": 1, "error_rate": 1, "error_statuses": [500]})
    assert on.status_code == 200 and on.json()["config"]["error_statuses"] == [500]
    assert api.http.get(api.url("datasets")).status_code == 500
    stats = httpx.get(admin).json()
    assert stats["counts"]["error_500"] == 1 and stats["log"][-1]["fault"] == "error_500"
    assert stats["log"][-1]["path"] == "/api/projects/1/datasets/"
    reset = httpx.post(admin + "/reset").json()
    assert reset["requests"] == 0 and reset["log"] == []
    for bad in ({"error_rate": 2}, {"nope": 1}, {"error_rate": 0.6, "throttle_rate": 0.6}):
        assert httpx.put(admin, json=bad).status_code == 400
    assert httpx.get(running.url + "/_emulator/health").status_code == 200  # never faulted


def test_rates_are_validated() -> None:
    with pytest.raises(ValueError):
        FaultConfig(error_rate=1.5)
    with pytest.raises(ValueError):
        FaultConfig(error_statuses=(404,))
    assert not FaultConfig().active and FaultConfig(latency_ms=1).active
