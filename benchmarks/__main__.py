"""Run every benchmark scenario beside its baseline and write benchmarks/RESULTS.md.

python -m benchmarks            # all modules
python -m benchmarks client     # only benchmarks/bench_client.py
"""

from __future__ import annotations

import importlib
import pkgutil
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

import benchmarks
from benchmarks._common import Result

HERE = Path(__file__).parent


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def main(argv: list[str]) -> int:
    names = sorted(
        m.name[len("bench_") :]
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )
    chosen = argv or names
    rows: list[Result] = []
    for name in chosen:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"== {name}", flush=True)
        for r in module.run():
            print(
                f"   {r.scenario}: ours {_fmt(r.ours)} {r.unit}, baseline {_fmt(r.baseline)}"
                f" -> {'PASS' if r.passed else 'FAIL'} ({r.target})",
                flush=True,
            )
            rows.append(r)
    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'}"
        f" ({platform.python_implementation()} {platform.python_version()},"
        f" {platform.machine()}). Rerun: `python -m benchmarks` ({', '.join(chosen)}).",
        "",
        "| scenario | ours | baseline | ratio | unit | target | verdict | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.scenario} | {_fmt(r.ours)} | {_fmt(r.baseline)} | {_fmt(r.ratio)} | {r.unit}"
            f" | {r.target} | {'pass' if r.passed else 'FAIL'} | {r.note} |"
        )
    if argv:
        out = HERE / "output" / f"RESULTS-{'-'.join(argv)}.md"
        out.parent.mkdir(exist_ok=True)
    else:
        out = HERE / "RESULTS.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")
    return 0 if all(r.passed for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
