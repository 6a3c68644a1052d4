"""Run every ``benchmarks/bench_*.py`` module's ``main()`` in name order.

``python -m benchmarks`` runs them all; ``python -m benchmarks overhead`` runs only
``bench_overhead``.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def modules():
    """Names of the benchmark modules, sorted."""
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(argv=None):
    wanted = sys.argv[1:] if argv is None else argv
    names = modules()
    unknown = [w for w in wanted if f"bench_{w}" not in names and w not in names]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; available: "
              f"{', '.join(n.removeprefix('bench_') for n in names)}", file=sys.stderr)
        return 2
    for name in names:
        if wanted and name not in wanted and name.removeprefix("bench_") not in wanted:
            continue
        print(f"== {name}")
        importlib.import_module(f"benchmarks.{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
