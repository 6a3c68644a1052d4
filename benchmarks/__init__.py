"""Benchmarks of the engine: run them all with ``python -m benchmarks`` (``make bench``).

Each ``bench_*.py`` module exposes ``main()``, which prints its figures and writes them as
JSON under ``benchmarks/results/`` (not committed: the numbers belong to the machine).
The two helpers here keep every benchmark's timing and output in the same form.
"""
from __future__ import annotations

import json
import platform
import statistics
import timeit
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def measure(fn, repeat=9, min_seconds=0.2, warmup=200):
    """Microseconds per call of `fn`: ``{'min_us', 'median_us', 'number', 'repeat'}``.

    Warms up first (caches, allocator), picks the loop count so one repeat lasts about
    `min_seconds`, then reports the minimum (the least-disturbed run) and the median.
    """
    for _ in range(warmup):
        fn()
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    per_call = timer.timeit(number) / number
    number = max(number, int(min_seconds / max(per_call, 1e-9)))
    runs = [t / number * 1e6 for t in timer.repeat(repeat=repeat, number=number)]
    return {"min_us": min(runs), "median_us": statistics.median(runs), "number": number, "repeat": repeat}


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
