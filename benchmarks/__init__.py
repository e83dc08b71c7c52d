"""Performance scenarios, each measured beside a baseline in the same run.

Run them all with ``python -m benchmarks`` (writes ``benchmarks/RESULTS.md``), or one module with
``python -m benchmarks emulator``. Each ``bench_*.py`` module exposes ``run() -> list[Result]``.
"""
