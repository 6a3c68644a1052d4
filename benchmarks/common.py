"""Timing, memory and thread helpers shared by the table benchmarks (bench_bptt, bench_render).

* `time_round_robin` times several implementations of the same computation *interleaved*:
  every repeat runs each of them once, in a rotating order, so a burst of load from another
  process slows all of them alike and the ratios stay meaningful on a shared machine.
* `peak_memory` runs one implementation in a fresh child interpreter and reads its peak
  resident set size (the kernel's VmHWM, reset just before the run) and its ``tracemalloc`` peak.
* `thread_env` / `thread_report` fix and report the BLAS/OpenMP thread counts;
  `timing_env` also fixes glibc's allocator thresholds for the timing child.
* `save` writes a result as JSON under ``benchmarks/results/`` (gitignored).
"""
from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import machine, save as _save

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
REPO = Path(__file__).resolve().parent.parent


def thread_env(threads):
    """A copy of the environment with every BLAS/OpenMP thread variable set to `threads`."""
    env = dict(os.environ)
    for name in THREAD_VARIABLES:
        env[name] = str(threads)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return env


# glibc moves its mmap threshold up each time a large block is freed, so whether a 2 MB
# temporary costs 512 fresh page faults or none depended on what the previous implementation
# in the round had freed: the hand-written BPTT on the long config took 13 ms or 20 ms
# depending on its neighbours. Fixed thresholds keep freed memory in the heap for everyone.
ALLOCATOR_VARIABLES = {"MALLOC_MMAP_THRESHOLD_": str(64 << 20), "MALLOC_TRIM_THRESHOLD_": str(128 << 20)}


def timing_env(threads):
    """`thread_env` plus fixed glibc allocator thresholds (unless the environment sets them)."""
    env = thread_env(threads)
    for name, value in ALLOCATOR_VARIABLES.items():
        env.setdefault(name, value)
    return env


def describe_allocator():
    """One line for the printed table: the allocator thresholds this process runs with."""
    values = [f"{name}={os.environ[name]}" for name in ALLOCATOR_VARIABLES if name in os.environ]
    return "allocator: " + (", ".join(values) if values else "glibc defaults (dynamic thresholds)")


def default_threads():
    """The thread count asked for in the environment (OMP/OPENBLAS_NUM_THREADS), else 1.

    One thread by default: on a 2-core machine shared with other work, BLAS threads fight
    each other for the small matrices of an RNN step and the timings become noise.
    """
    for name in THREAD_VARIABLES:
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    return 1


def thread_report():
    """How many threads the numerical libraries use: threadpoolctl's view if installed,
    else the environment variables (which the libraries read when first imported)."""
    report = {"environment": {name: os.environ.get(name) for name in THREAD_VARIABLES},
              "cpu_count": os.cpu_count()}
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        report["source"] = "environment (threadpoolctl not installed)"
        return report
    report["source"] = "threadpoolctl"
    report["pools"] = [{k: info.get(k) for k in ("internal_api", "num_threads", "version")}
                       for info in threadpool_info()]
    return report


def describe_threads(report):
    """One line for the printed table."""
    if "pools" in report:
        pools = ", ".join(f"{p['internal_api']}={p['num_threads']}" for p in report["pools"])
        return f"threads: {pools} (threadpoolctl); {report['cpu_count']} CPUs"
    env = ", ".join(f"{k}={v}" for k, v in report["environment"].items() if v is not None) or "unset"
    return f"threads: {env} ({report['source']}); {report['cpu_count']} CPUs"


def _once(fn, clock=time.perf_counter):
    # Garbage left by the previous run (another implementation's graph) is collected outside
    # the clock, so no implementation pays for another's; the collector stays enabled while
    # timing because reference-cycle collection is part of what a graph of objects costs.
    gc.collect()
    start = clock()
    fn()
    return clock() - start


def summarize(seconds):
    """min, median and max of a list of durations, in milliseconds, and how many there were."""
    ms = [s * 1e3 for s in seconds]
    return {"min_ms": min(ms), "median_ms": statistics.median(ms), "max_ms": max(ms), "repeats": len(ms)}


def time_round_robin(fns, budget=2.0, min_repeats=5, max_repeats=200, warmup=2, clock=time.perf_counter):
    """Time each callable of `fns` ({name: fn}) interleaved; {name: [seconds of each round]}.

    `warmup` untimed rounds first (imports, caches, allocator). The number of timed rounds
    fits about `budget` seconds of total run time, clamped to [min_repeats, max_repeats];
    round r starts at implementation r mod n, so no one always runs right after another.
    `clock` is ``time.perf_counter`` (wall) or ``time.process_time`` (this process's CPU
    time: blind to other processes' load, right only when the work runs on one thread).
    """
    names = list(fns)
    # Nothing is frozen (gc.freeze()): the engine ends each pause of the collector in constant
    # time only in a program that froze nothing itself (`autodiff.collector.resume`), which is
    # the program the figures are for; frozen, it would pay a young-generation pass over each
    # graph it built, a cost of the harness.
    gc.collect()
    for _ in range(warmup):
        for name in names:
            fns[name]()
    estimate = sum(_once(fns[name], time.perf_counter) for name in names)
    repeats = int(min(max_repeats, max(min_repeats, budget / max(estimate, 1e-9))))
    times = {name: [] for name in names}
    for r in range(repeats):
        for k in range(len(names)):
            name = names[(r + k) % len(names)]
            times[name].append(_once(fns[name], clock))
    return times


def time_repeated(fn, budget=10.0, min_repeats=1, max_repeats=5, warmup=0):
    """Durations in seconds of calling `fn` again and again, for slow whole tasks (rendering
    a figure, a command line): stop after `max_repeats`, or once `budget` seconds have been
    spent and at least `min_repeats` runs are done. A first run slower than `budget` is
    therefore timed only once."""
    for _ in range(warmup):
        fn()
    times = []
    while len(times) < max_repeats and (len(times) < min_repeats or sum(times) < budget):
        times.append(_once(fn))
    return times


# Runs in a fresh interpreter: builds the problem and the implementation, resets the kernel's
# peak-RSS mark (VmHWM; writing 5 to /proc/self/clear_refs), notes the current RSS, runs once
# and reads the new peak; then runs again under tracemalloc, which sees every NumPy buffer but
# not PyTorch's own allocator. ru_maxrss would not do here: a child inherits its parent's
# maximum through fork, so every child would report at least the parent's size.
_MEMORY_CHILD = r"""
import json, sys, tracemalloc
from benchmarks import bptt_implementations as impls
config, name = impls.CONFIGS_BY_NAME[sys.argv[1]], sys.argv[2]
run = impls.IMPLEMENTATIONS[name].make(impls.problem(config))
def status_kb(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
before = status_kb("VmRSS")
run()
peak = status_kb("VmHWM")
tracemalloc.start()
run()
traced = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
print(json.dumps({"rss_before_kb": before, "peak_rss_kb": peak, "tracemalloc_peak_kb": traced // 1024}))
"""


def peak_memory(config_name, implementation, threads):
    """Peak memory of one forward + backward of `implementation` on a config, in a fresh child.

    Returns ``{'rss_before_kb', 'peak_rss_kb', 'rss_increase_kb', 'tracemalloc_peak_kb'}``
    (Linux: read from /proc/self/status). ``rss_increase_kb`` = peak RSS during the run minus
    the RSS just before it (interpreter, libraries and inputs already loaded): what the
    computation itself added at its peak.
    """
    done = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, config_name, implementation],
                          capture_output=True, text=True, env=thread_env(threads), cwd=REPO, timeout=600)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        raise RuntimeError(f"memory child for {implementation} on {config_name} failed: {last}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["rss_increase_kb"] = max(0, result["peak_rss_kb"] - result["rss_before_kb"])
    return result


def save(name, payload):
    """Write ``benchmarks/results/<name>.json`` with the machine and thread settings; its path."""
    return _save(name, {"threads": thread_report(), **payload})


__all__ = ["THREAD_VARIABLES", "ALLOCATOR_VARIABLES", "thread_env", "timing_env", "describe_allocator",
           "default_threads", "thread_report", "describe_threads", "summarize", "time_round_robin",
           "time_repeated", "peak_memory", "save", "machine"]
