"""Benchmarks of the engine: run them all with ``python -m benchmarks`` (``make bench``).

Each ``bench_*.py`` module exposes ``main()``, which prints its figures and writes them as
JSON under ``benchmarks/results/`` (not committed: the numbers belong to the machine).
The two helpers here keep every benchmark's timing and output in the same form.
"""
from __future__ import annotations

import json
import platform
import statistics
import time
import timeit
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def measure(fns, rounds=25, round_seconds=0.04, warmup=200):
    """Microseconds per call of each callable in `fns` ({name: fn}), timed interleaved.

    Returns ``{name: {'min_us', 'median_us', 'number', 'rounds'}}``. After `warmup` untimed
    calls each, every round times every callable once over a loop sized to about
    `round_seconds`, so a burst of load from other processes slows all of them alike.
    The clock is this process's CPU time (the work is single-threaded), which other
    processes' load does not inflate; the minimum is the least-disturbed figure.
    """
    runs, numbers = {}, {}
    for name, fn in fns.items():
        for _ in range(warmup):
            fn()
        timer = timeit.Timer(fn, timer=time.process_time)
        number, seconds = timer.autorange()
        numbers[name] = max(1, int(number * round_seconds / max(seconds, 1e-9)))
        runs[name] = []
    for _ in range(rounds):
        for name, fn in fns.items():
            seconds = timeit.Timer(fn, timer=time.process_time).timeit(numbers[name])
            runs[name].append(seconds / numbers[name] * 1e6)
    return {name: {"min_us": min(r), "median_us": statistics.median(r), "number": numbers[name],
                   "rounds": rounds} for name, r in runs.items()}


def machine():
    """What the numbers were measured on."""
    return {"python": platform.python_version(), "numpy": np.__version__,
            "machine": platform.machine(), "processor": platform.processor() or platform.machine(),
            "system": platform.system()}


def save(name, payload):
    """Write ``results/<name>.json`` (with the machine description) and return its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"benchmark": name, "machine": machine(), **payload}, indent=2) + "\n")
    return path
