"""BPTT through the engine against two hand-written NumPy baselines, PyTorch and HIPS autograd.

Forward plus backward of the book's simple RNN (eqs 10.8-10.14, loss summed over time,
float64) for four configs (T, H, V, batch). Every implementation gets the same seeded
inputs and parameters, and must agree with the time-batched `rnn.bptt.bptt_fast` on the
loss and all five gradients (relative error < 1e-8) before it is timed. Timings are
interleaved round by round (`benchmarks.common.time_round_robin`); every ratio is an
implementation's time divided by a baseline's time *in the same round*, reported as median
(min/max) over the rounds, against both baselines: the per-step book BPTT ('per-step', the
program the op-level graph mirrors) and `bptt_fast` ('batched', the floor). A scaling row
times the op level per step at T = 1k, 10k, 50k.
Peak memory is measured for the long config, each implementation in a fresh child process.
With one thread (the default) the clock is the process's CPU time, so other processes'
load does not enter the figures; with more threads it is wall time.

    python -m benchmarks.bench_bptt [--quick] [--threads N] [--configs tiny,small] [--no-scaling] [--profile]

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
ENGINE_TARGETS = {"engine_op": ("book_bptt", {"small": 1.3, "medium": 1.3, "long": 1.3}),
                  "engine_cell": ("numpy_bptt", {"small": 1.1, "medium": 1.1, "long": 1.3})}
"""Issue 15: {engine: (baseline, {config: largest ratio})}. The op level, which runs the book's
steps one at a time, against the per-step book BPTT; the cell level, which batches over t
as `bptt_fast` does, against `bptt_fast`. Tiny is reported without a target."""
MEMORY_TARGET = 2.0
"""Peak RSS increase on the long config at most 2x the time-batched `bptt_fast`'s (issue 8)."""
SCALING_TOLERANCE = 0.2
"""Issue 15: op-level time per step at T = 1k, 10k, 50k within 20% of each other."""
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
    parser.add_argument("--no-scaling", action="store_true",
                        help="skip the scaling row (op level at T = " +
                             ", ".join(map(str, impls.SCALING_STEPS)) + "; about 2 GB at the longest)")
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


def measure_scaling(steps, quick, clock):
    """Microseconds per step of the op-level engine and of the per-step book BPTT at each T of
    `steps` (the long config's width): median over rounds, interleaved. A backward pass
    linear in the graph's size keeps the engine's figure flat as T grows."""
    rows = []
    for T in steps:
        pb = impls.problem(impls.scaling_config(T))
        runs = {name: impls.IMPLEMENTATIONS[name].make(pb) for name in ("engine_op", "book_bptt")}
        rounds = time_round_robin(runs, budget=0.0, min_repeats=1 if quick else 3, max_repeats=3,
                                  warmup=0 if T > 10000 else 1, clock=clock)
        rows.append({"T": T, **{name: statistics.median(seconds) / T * 1e6 for name, seconds in rounds.items()},
                     **{f"{name}_min": min(seconds) / T * 1e6 for name, seconds in rounds.items()}})
        del runs, pb
    return rows


def scaling_table(rows):
    long = impls.CONFIGS_BY_NAME["long"]
    lines = [f"scaling: microseconds per step, best round and median, "
             f"(H, V, batch) = ({long.H}, {long.V}, {long.batch}):",
             "  T        engine, op level: best (median)   per-step book BPTT: best (median)   ratio of bests"]
    for row in rows:
        lines.append(f"  {row['T']:<8} {row['engine_op_min']:10.1f} us ({row['engine_op']:6.1f})        "
                     f"{row['book_bptt_min']:10.1f} us ({row['book_bptt']:6.1f})          "
                     f"{row['engine_op_min'] / row['book_bptt_min']:5.2f}x")
    return "\n".join(lines)


def scaling_verdict(rows):
    """Met when the engine's slowest per-step time is within 20% of its fastest, comparing each
    T's best round: the least disturbed by other processes (a round of the 50 000-step graph
    takes seconds, and a burst of load moves a median of three rounds by a third)."""
    per_step = [row["engine_op_min"] for row in rows]
    spread = max(per_step) / min(per_step) - 1.0
    return {"what": "engine_op us/step", "config": "T=" + "/".join(str(r["T"]) for r in rows),
            "target": f"spread <= {SCALING_TOLERANCE:.0%}", "measured": spread,
            "state": "met" if spread <= SCALING_TOLERANCE else "MISSED", "floor": None}


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
        row["timings"][name] = {**summarize(seconds),
                                "ratios": {base: paired_ratios(seconds, rounds[base])
                                           for base in impls.BASELINES if base in rounds}}
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
    return "; ".join(f"{r['median']:.2f}x {impls.BASELINES[base]} ({r['min']:.2f}/{r['max']:.2f})"
                      for base, r in timing["ratios"].items())


def table(rows, names):
    """One row per config: both baselines' times, then every other implementation's ratio to
    each baseline in the same round, labelled 'per-step' and 'batched'."""
    others = [n for n in names if n not in impls.BASELINES]
    head = (["config (T, H, V, batch)"] +
            [f"{impls.IMPLEMENTATIONS[b].label}: median ms (min/max)" for b in impls.BASELINES if b in names] +
            [impls.IMPLEMENTATIONS[n].label for n in others])
    lines = [head]
    for row in rows:
        c = impls.Config(**row["config"])
        cells = [f"{c.name} {c.shape_text}"]
        for b in impls.BASELINES:
            if b in names:
                t = row["timings"][b]
                cells.append(f"{t['median_ms']:.2f} ({t['min_ms']:.2f}/{t['max_ms']:.2f})")
        for n in others:
            cells.append(_cell(row["timings"].get(n)) if n in row["timings"] else "DISAGREES")
        lines.append(cells)
    widths = [max(len(line[k]) for line in lines) for k in range(len(head))]
    text = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths)) + " |" for line in lines]
    text.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(text)


def memory_table(memory):
    bases = {b: memory[b]["rss_increase_kb"] for b in impls.BASELINES if b in memory}
    lines = [f"peak memory, {MEMORY_CONFIG} config, one forward + backward, fresh child process each:",
             "  implementation                   RSS increase  " +
             "  ".join(f"x {impls.BASELINES[b]:<8}" for b in bases) + "  peak RSS   tracemalloc peak"]
    for name, m in memory.items():
        ratios = "  ".join(f"{m['rss_increase_kb'] / base if base else float('nan'):8.2f}x" for base in bases.values())
        lines.append(f"  {impls.IMPLEMENTATIONS[name].label:<32} {m['rss_increase_kb'] / 1024:8.1f} MB  {ratios} "
                     f"{m['peak_rss_kb'] / 1024:8.1f} MB {m['tracemalloc_peak_kb'] / 1024:10.1f} MB")
    return "\n".join(lines)


def verdicts(rows, memory):
    """One line per issue-15 target: met or missed, with the measured figure."""
    lines = []
    for name, (baseline, targets) in ENGINE_TARGETS.items():
        for row in rows:
            config = row["config"]["name"]
            if config not in targets:
                continue
            what = f"{name} / {impls.BASELINES[baseline]}"
            timing = row["timings"].get(name)
            if timing is None or baseline not in timing["ratios"]:
                state = "not measured" if name not in row["errors"] else "DISAGREES with the baseline"
                lines.append((what, config, targets[config], None, state))
                continue
            ratio = timing["ratios"][baseline]["median"]
            floor = row["timings"].get(FLOORS.get(name))
            lines.append((what, config, targets[config], ratio, "met" if ratio <= targets[config] else "MISSED",
                          None if floor is None else floor["ratios"][baseline]["median"]))
    if memory and impls.BASELINE in memory:
        base = memory[impls.BASELINE]["rss_increase_kb"]
        for name in ("engine_op", "engine_cell"):
            if name in memory:
                ratio = memory[name]["rss_increase_kb"] / base if base else float("inf")
                lines.append((f"{name} memory / batched", MEMORY_CONFIG, MEMORY_TARGET, ratio,
                              "met" if ratio <= MEMORY_TARGET else "MISSED"))
    return [{"what": w, "config": c, "target": t, "measured": m, "state": s, "floor": rest[0] if rest else None}
            for w, c, t, m, s, *rest in lines]


def _verdict_line(v):
    if isinstance(v["target"], str):
        return f"  {v['state']:<8} {v['what']:<28} {v['config']:<16} {v['target']}, measured {v['measured']:.0%}"
    measured = "-" if v["measured"] is None else f"{v['measured']:.2f}x"
    floor = "" if v.get("floor") is None else f" (its NumPy calls alone: {v['floor']:.2f}x)"
    return f"  {v['state']:<8} {v['what']:<28} {v['config']:<16} target <= {v['target']}x, measured {measured}{floor}"


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
    scaling = [] if args.no_scaling else measure_scaling(impls.SCALING_STEPS, args.quick, clock)
    print()
    print("ratio = implementation time / a baseline's time in the same round, median (min/max) over rounds;")
    print("  'per-step': the book's BPTT one step at a time (the program the op-level graph mirrors);")
    print("  'batched': rnn.bptt.bptt_fast, products batched over t (the floor)")
    print(table(rows, names))
    if memory:
        print()
        print(memory_table(memory))
    if scaling:
        print()
        print(scaling_table(scaling))
    results = verdicts(rows, memory) + ([scaling_verdict(scaling)] if scaling else [])
    print()
    print("issue 15 targets:")
    for v in results:
        print(_verdict_line(v))
    if args.profile:
        for v in results:
            if v["state"] == "MISSED" and v["config"] in impls.CONFIGS_BY_NAME and "memory" not in v["what"]:
                engine = v["what"].split(" / ")[0]
                print(f"\ncProfile of {engine} on {v['config']} (top functions by own time):")
                print(profile_engine(impls.CONFIGS_BY_NAME[v["config"]], engine))
    path = save("bptt", {"tolerance": TOLERANCE, "quick": args.quick, "threads_requested": args.threads,
                         "clock": clock_name,
                         "skipped": skipped, "rows": rows, "memory_config": MEMORY_CONFIG,
                         "memory": memory, "scaling": scaling, "targets": results})
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
