"""Rendering times (issue 8): the tau = 20 op-level graph and the book-style tau = 50 figure.

* The op-level graph: `rnn.unroll` of the simple RNN (Fig. 10.3, eqs 10.8-10.14) over
  tau = 20 steps, BPTT, then ``Graph.render('....svg')`` (DOT from `autodiff.render.to_dot`,
  layout by Graphviz). Target: under 3 s from model to SVG.
* The book-style figure: Fig. 10.3 unrolled over tau = 50 steps (``gradbook draw rnn
  --steps 50``: `rnn.figures.figure_dot` then `autodiff.render.render_source`). Target: 2 s.

Each task is timed whole (what a lecturer waits for, including the Graphviz child process),
and its parts are reported: building the graph, writing DOT, laying it out as SVG. The
op-level graph's argument positions are edge ``xlabel``s (placed after layout); as ``label``s
they made each edge a chain through a virtual node, doubling the ranks every long edge from a
shared parameter crosses, and the layout took 10-70 s.

    python -m benchmarks.bench_render [--quick]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import save, summarize, time_repeated

TARGETS = {"op_graph_tau20": 3.0, "book_figure_tau50": 2.0}
"""Issue 8: seconds from model to SVG."""


def _op_graph(tau):
    """The op-level graph of a simple RNN over tau steps, after BPTT (as `Graph.render` sees it)."""
    import rnn
    from rnn.figures.catalog import inputs, targets
    model = rnn.SimpleRNN(n_in=4, hidden=3, n_out=4, seed=0)
    u = rnn.unroll(model, inputs(tau), targets(tau))
    u.loss.backward()
    return u.graph


def _timed(task):
    """Run one figure's stages once: {stage: seconds}."""
    build, to_source, lay_out = task
    start = time.perf_counter()
    made = build()
    built = time.perf_counter()
    source = to_source(made)
    written = time.perf_counter()
    lay_out(source)
    done = time.perf_counter()
    return {"build_s": built - start, "dot_s": written - built, "layout_s": done - written}


def op_graph_task(out_dir, tau=20):
    """Model to SVG as ``Graph.render`` does it: `to_dot`, then the renderer chain."""
    from autodiff.render import render_source, to_dot
    path = Path(out_dir) / f"op_graph_tau{tau}.svg"
    return (lambda: _op_graph(tau)), to_dot, (lambda source: render_source(source, path))


def book_figure_task(out_dir, tau=50):
    """``gradbook draw rnn --steps 50``: `figure_dot` (unroll, collapse, DOT), then the renderer."""
    from autodiff.render import render_source
    from rnn.figures import figure_dot
    path = Path(out_dir) / f"fig10_3_tau{tau}.svg"
    return (lambda: tau), (lambda steps: figure_dot("rnn", steps=steps)), (lambda source: render_source(source, path))


def missing():
    """Why a task cannot run here: {task: reason}."""
    from autodiff.render import find_renderer
    reasons = {}
    if find_renderer() is None:
        reason = "no Graphviz renderer (pip install pygraphviz or apt-get install graphviz)"
        return {task: reason for task in TARGETS}
    try:
        from rnn.figures import figure_dot  # noqa: F401
    except ImportError as exc:
        reasons["book_figure_tau50"] = f"rnn.figures is not available ({exc})"
    return reasons


def run_task(name, task, quick):
    """Time the task whole (build + DOT + layout) a few times; its summary."""
    runs = []

    def once():
        runs.append(_timed(task))
    times = time_repeated(once, budget=3.0 if quick else 12.0, max_repeats=2 if quick else 5)
    stages = {stage: statistics.median(r[stage] for r in runs) for stage in runs[0]}
    result = {**summarize(times), "stages_median": stages, "target_s": TARGETS[name]}
    result["state"] = "met" if result["median_ms"] / 1e3 <= TARGETS[name] else "MISSED"
    return result


def _line(name, r):
    st = r["stages_median"]
    return (f"  {name:<18} median {r['median_ms'] / 1e3:6.2f} s (min {r['min_ms'] / 1e3:.2f}, max "
            f"{r['max_ms'] / 1e3:.2f}, {r['repeats']} runs)  target < {r['target_s']:g} s: {r['state']}\n"
            f"  {'':<18} build {st['build_s'] * 1e3:.0f} ms, DOT {st['dot_s'] * 1e3:.0f} ms, "
            f"layout and SVG {st['layout_s']:.2f} s")


def main(argv=()):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_render", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("GRADBOOK_BENCH_QUICK") == "1")
    args = parser.parse_args(list(argv))
    skipped = missing()
    results = {}
    print("rendering to SVG, whole task timed (Graphviz runs in a child process):")
    with tempfile.TemporaryDirectory() as out_dir:
        tasks = {"op_graph_tau20": op_graph_task(out_dir), "book_figure_tau50": book_figure_task(out_dir)}
        for name, task in tasks.items():
            if name in skipped:
                print(f"  skipped {name}: {skipped[name]}")
                continue
            results[name] = run_task(name, task, args.quick)
            print(_line(name, results[name]), flush=True)
    path = save("render", {"quick": args.quick, "op_graph_nodes": len(_op_graph(20).nodes), "results": results,
                           "skipped": skipped})
    print(f"  written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
