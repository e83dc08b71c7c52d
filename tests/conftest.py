"""Fixtures every test tier shares: the embedded server on 127.0.0.1.

demo_server       session-scoped, seed "demo". Do not modify its existing rows (create your
                  own dataset and work in it).
empty_server      function-scoped, seed "none", fresh.
emulator_factory  function-scoped: emulator_factory(seed="none", api_keys=..., projects=...,
                  rate_limit=..., faults=...) -> RunningEmulator; all stopped at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests._emulator import RunningEmulator, start_emulator

__all__ = ["RunningEmulator"]

EmulatorFactory = Callable[..., RunningEmulator]


@pytest.fixture(scope="session")
def demo_server() -> Iterator[RunningEmulator]:
    running = start_emulator("demo")
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture
def empty_server() -> Iterator[RunningEmulator]:
    running = start_emulator("none")
    try:
        yield running
    finally:
        running.server.stop()


@pytest.fixture
def emulator_factory() -> Iterator[EmulatorFactory]:
    started: list[RunningEmulator] = []

    def factory(seed: str = "none", **options: Any) -> RunningEmulator:
        running = start_emulator(seed, **options)
        started.append(running)
        return running

    try:
        yield factory
    finally:
        for running in started:
            running.server.stop()
