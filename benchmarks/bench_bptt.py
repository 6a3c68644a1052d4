"""BPTT through the engine against hand-written NumPy, PyTorch and HIPS autograd (issue 8).

Forward plus backward of the book's simple RNN (eqs 10.8-10.14, loss summed over time,
float64) for four configs (T, H, V, batch). Every implementation gets the same seeded
inputs and parameters, and must agree with the hand-written BPTT on the loss and all five
gradients (relative error < 1e-8) before it is timed. Timings are interleaved round by
round (`benchmarks.common.time_round_robin`); a ratio is an implementation's time divided
by the baseline's time *in the same round*, reported as median (min/max) over the rounds.
Peak memory is measured for the long config, each implementation in a fresh child process.
With one thread (the default) the clock is the process's CPU time, so other processes'
load does not enter the figures; with more threads it is wall time.

    python -m benchmarks.bench_bptt [--quick] [--threads N] [--configs tiny,small] [--profile]

The measurement runs in a child interpreter whose OMP/OPENBLAS/MKL_NUM_THREADS are set
(default 1, or what the environment asks for) before NumPy or PyTorch is imported, with
glibc's allocator thresholds fixed (`benchmarks.common.timing_env`), so that no timing
depends on the page faults another implementation's frees left behind.
``GRADBOOK_BENCH_QUICK=1`` makes ``python -m benchmarks`` use ``--quick``.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import sys
import time

from benchmarks import bptt_implementations as impls
from benchmarks.common import (REPO, default_threads, describe_allocator, describe_threads, peak_memory, save,
                               summarize, thread_report, time_round_robin, timing_env)

TOLERANCE = 1e-8
MEMORY_CONFIG = "long"
ENGINE_TARGETS = {"engine_op": {"tiny": 2.5, "small": 1.5, "medium": 1.15, "long": 2.0},
                  "engine_cell": {"tiny": 1.1, "small": 1.1, "medium": 1.1, "long": 1.1}}
MEMORY_TARGET = 2.0
"""Issue 8: engine ratios to the hand-written BPTT, and peak RSS (long config) at most 2x it."""
FLOORS = {"engine_op": "op_numpy"}
"""The row timing an engine's own NumPy calls without the engine: below it no engine can go."""


def parse(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_bptt", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("GRADBOOK_BENCH_QUICK") == "1",
                        help="fewer repeats (a smoke run; the figures are noisier)")
    parser.add_argument("--threads", type=int, default=default_threads(),
                        help="BLAS/OpenMP threads for every implementation (default: environment, else 1)")
    parser.add_argument("--configs", default=",".join(c.name for c in impls.CONFIGS),
                        help="comma-separated configs among " + ", ".join(impls.CONFIGS_BY_NAME))
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory children")
    parser.add_argument("--profile", action="store_true",
                        help="print the cProfile top functions of every engine run that misses its target")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [c for c in args.configs.split(",") if c not in impls.CONFIGS_BY_NAME]
    if unknown:
        parser.error(f"unknown config(s) {', '.join(unknown)}; use {', '.join(impls.CONFIGS_BY_NAME)}")
    return args


# ----- measuring ------------------------------------------------------------------------------

def available():
    """{name: Implementation} that can run here, and {name: why not} for the others."""
    ready, skipped = {}, {}
    for name, impl in impls.IMPLEMENTATIONS.items():
        reason = impl.missing()
        if reason is None:
            ready[name] = impl
        else:
            skipped[name] = reason
    return ready, skipped


def agreeing(config, ready):
    """Make every implementation for `config`; keep those that agree with the baseline.

    Returns ({name: run}, {name: relative error}) with the errors of all of them.
    """
    pb = impls.problem(config)
    runs = {name: impl.make(pb) for name, impl in ready.items()}
    reference = runs[impls.BASELINE]()
    errors = {name: impls.disagreement(run(), reference) for name, run in runs.items()}
    return {name: run for name, run in runs.items() if errors[name] < TOLERANCE}, errors


def paired_ratios(times, baseline):
    """Per-round ratios to the baseline: median, min and max."""
    ratios = [t / b for t, b in zip(times, baseline)]
    return {"median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}


def clock_for(threads):
    """CPU time of this process when everything runs on one thread (a busy machine then slows
    no one's figures), wall time otherwise (CPU time would add up the threads)."""
    return (time.process_time, "process CPU time") if threads == 1 else (time.perf_counter, "wall time")


def measure_config(config, ready, quick, clock):
    runs, errors = agreeing(config, ready)
    rounds = time_round_robin(runs, budget=0.5 if quick else 6.0, min_repeats=3 if quick else 7,
                              warmup=1 if quick else 2, clock=clock)
    row = {"config": config.__dict__, "errors": errors, "timings": {}}
    for name, seconds in rounds.items():
        row["timings"][name] = {**summarize(seconds), "ratio": paired_ratios(seconds, rounds[impls.BASELINE])}
    return row


def profile_engine(config, name, top=15):
    """cProfile of one engine run: the functions with the most own time."""
    run = impls.IMPLEMENTATIONS[name].make(impls.problem(config))
    run()
    profiler = cProfile.Profile()
    profiler.runcall(run)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


# ----- printing -------------------------------------------------------------------------------

def _cell(timing):
    if timing is None:
        return "-"
    r = timing["ratio"]
    return f"{r['median']:.2f}x ({r['min']:.2f}/{r['max']:.2f})"


def table(rows, names):
    labels = [impls.IMPLEMENTATIONS[n].label for n in names if n != impls.BASELINE]
    head = ["config (T, H, V, batch)", "NumPy BPTT median ms (min/max)"] + labels
    lines = [head]
    for row in rows:
        c = impls.Config(**row["config"])
        base = row["timings"][impls.BASELINE]
        cells = [f"{c.name} {c.shape_text}", f"{base['median_ms']:.2f} ({base['min_ms']:.2f}/{base['max_ms']:.2f})"]
        for n in names:
            if n == impls.BASELINE:
                continue
            cells.append(_cell(row["timings"].get(n)) if n in row["timings"] else "DISAGREES")
        lines.append(cells)
    widths = [max(len(line[k]) for line in lines) for k in range(len(head))]
    text = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths)) + " |" for line in lines]
    text.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(text)


def memory_table(memory):
    base = memory[impls.BASELINE]["rss_increase_kb"]
    lines = [f"peak memory, {MEMORY_CONFIG} config, one forward + backward, fresh child process each:",
             "  implementation               RSS increase  ratio   peak RSS   tracemalloc peak"]
    for name, m in memory.items():
        ratio = m["rss_increase_kb"] / base if base else float("nan")
        lines.append(f"  {impls.IMPLEMENTATIONS[name].label:<28} {m['rss_increase_kb'] / 1024:8.1f} MB "
                     f"{ratio:6.2f}x {m['peak_rss_kb'] / 1024:8.1f} MB {m['tracemalloc_peak_kb'] / 1024:10.1f} MB")
    return "\n".join(lines)


def verdicts(rows, memory):
    """One line per issue-8 target: met or missed, with the measured figure."""
    lines = []
    for name, targets in ENGINE_TARGETS.items():
        for row in rows:
            config = row["config"]["name"]
            timing = row["timings"].get(name)
            if timing is None:
                state = "not measured" if name not in row["errors"] else "DISAGREES with the baseline"
                lines.append((name, config, targets[config], None, state))
                continue
            ratio = timing["ratio"]["median"]
            lines.append((name, config, targets[config], ratio, "met" if ratio <= targets[config] else "MISSED"))
            floor = row["timings"].get(FLOORS.get(name))
            if floor is not None:
                lines[-1] += (floor["ratio"]["median"],)
    if memory and "engine_op" in memory:
        base = memory[impls.BASELINE]["rss_increase_kb"]
        for name in ("engine_op", "engine_cell"):
            if name in memory:
                ratio = memory[name]["rss_increase_kb"] / base if base else float("inf")
                lines.append((f"{name} memory", MEMORY_CONFIG, MEMORY_TARGET, ratio,
                              "met" if ratio <= MEMORY_TARGET else "MISSED"))
    return [{"what": w, "config": c, "target": t, "measured": m, "state": s, "floor": rest[0] if rest else None}
            for w, c, t, m, s, *rest in lines]


def _verdict_line(v):
    measured = "-" if v["measured"] is None else f"{v['measured']:.2f}x"
    floor = "" if v.get("floor") is None else f" (its NumPy calls alone: {v['floor']:.2f}x)"
    return f"  {v['state']:<8} {v['what']:<18} {v['config']:<7} target <= {v['target']}x, measured {measured}{floor}"


# ----- main -----------------------------------------------------------------------------------

def measure_all(args):
    ready, skipped = available()
    configs = [impls.CONFIGS_BY_NAME[name] for name in args.configs.split(",")]
    names = list(ready)
    clock, clock_name = clock_for(args.threads)
    print(f"forward + backward of the simple RNN (eqs 10.8-10.14), float64, loss summed over time; "
          f"{describe_threads(thread_report())}; clock: {clock_name}; {describe_allocator()}")
    for name, reason in skipped.items():
        print(f"  skipped {impls.IMPLEMENTATIONS[name].label}: {reason}")
    rows = []
    for config in configs:
        row = measure_config(config, ready, args.quick, clock)
        bad = {n: e for n, e in row["errors"].items() if e >= TOLERANCE}
        for n, e in bad.items():
            print(f"  {impls.IMPLEMENTATIONS[n].label} DISAGREES on {config.name}: relative error {e:.2e}")
        rows.append(row)
        print(f"  {config.name}: agree (max relative error {max(row['errors'].values()):.1e}), "
              f"{row['timings'][impls.BASELINE]['repeats']} interleaved rounds", flush=True)
    memory = {}
    if not args.no_memory and MEMORY_CONFIG in args.configs.split(","):
        memory = {name: peak_memory(MEMORY_CONFIG, name, args.threads) for name in names
                  if name not in FLOORS.values()}  # a floor keeps no graph: its memory says nothing
    print()
    print("ratio = implementation time / NumPy BPTT time in the same round: median (min/max) over rounds")
    print(table(rows, names))
    if memory:
        print()
        print(memory_table(memory))
    results = verdicts(rows, memory)
    print()
    print("issue 8 targets:")
    for v in results:
        print(_verdict_line(v))
    if args.profile:
        for v in results:
            if v["state"] == "MISSED" and "memory" not in v["what"]:
                print(f"\ncProfile of {v['what']} on {v['config']} (top functions by own time):")
                print(profile_engine(impls.CONFIGS_BY_NAME[v["config"]], v["what"]))
    path = save("bptt", {"tolerance": TOLERANCE, "quick": args.quick, "threads_requested": args.threads,
                         "clock": clock_name,
                         "skipped": skipped, "rows": rows, "memory_config": MEMORY_CONFIG,
                         "memory": memory, "targets": results})
    print(f"written to {path}")
    return 1 if any(e >= TOLERANCE for row in rows for e in row["errors"].values()) else 0


def main(argv=()):
    """Run the table in a child interpreter with the thread count fixed before any import."""
    args = parse(list(argv))
    if args.child:
        return measure_all(args)
    command = [sys.executable, "-m", "benchmarks.bench_bptt", "--child", *argv]
    if "--threads" not in argv:
        command += ["--threads", str(args.threads)]
    if args.quick and "--quick" not in argv:
        command.append("--quick")
    return subprocess.run(command, env=timing_env(args.threads), cwd=REPO).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
