"""Turning DOT text into SVG, PDF or PNG: the renderer chain.

1. the system ``dot`` (Debian's graphviz package), if it is on PATH;
2. the pygraphviz wheel, which bundles a real Graphviz and needs only pip. Its layout runs
   in a child process, because a failed C assertion inside Graphviz aborts the whole
   interpreter (a notebook kernel, the lecture job); one child renders a whole batch (a
   big batch is shared by one child per CPU), so dozens of figures cost a few start-ups;
3. neither: `RendererMissing`, with the one-line fix.

Whatever happens, the ``.dot`` source is written beside the requested file first, so a
figure is never lost: it can be rendered later or pasted into an online viewer.
"""
from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import RenderFailed, RendererMissing

FORMATS = ("svg", "pdf", "png", "dot", "json")  # json: the layout, for rnn.figures.tikz
INSTALL_HINT = "pip install pygraphviz (bundles Graphviz) or apt-get install graphviz"
_TIMEOUT = 300

# Runs in the child interpreter: reads [(dot file, output file, format), ...] as JSON on stdin
# and reports each job as it finishes, so the parent knows which one a crash interrupted.
_CHILD = r"""
import json, sys, warnings
warnings.simplefilter("ignore")
import pygraphviz
for k, (src, out, fmt) in enumerate(json.load(sys.stdin)):
    try:
        pygraphviz.AGraph(filename=src).draw(out, format=fmt, prog="dot")
        print("ok", k, flush=True)
    except Exception as exc:
        print("error", k, json.dumps((str(exc).strip().splitlines() or [type(exc).__name__])[-1]), flush=True)
"""


def find_renderer():
    """The first renderer of the chain that is installed: ``'dot'``, ``'pygraphviz'`` or None."""
    if shutil.which("dot"):
        return "dot"
    if importlib.util.find_spec("pygraphviz") is not None:
        return "pygraphviz"
    return None


def output_format(path, format=None):
    """The output format: `format` if given, else the file's suffix; one of `FORMATS`."""
    fmt = (format or Path(path).suffix.lstrip(".")).lower()
    if fmt == "gv":
        fmt = "dot"
    if fmt not in FORMATS:
        raise RenderFailed(f"cannot tell the format of {str(path)!r}; end the name in "
                           f".svg, .pdf, .png or .dot, or pass format=")
    return fmt


def _output_path(path, fmt):
    path = Path(path)
    return path if path.suffix else path.with_suffix("." + fmt)


def render_many(jobs, renderer=None):
    """Render several ``(dot_source, path)`` or ``(dot_source, path, format)`` jobs; their paths.

    Each job's DOT source is written beside it (``fig.svg`` gets ``fig.dot``) before any
    rendering. All jobs share one renderer call chain: with pygraphviz, one child process.
    """
    prepared = []
    for job in jobs:
        source, path = job[0], job[1]
        fmt = output_format(path, job[2] if len(job) > 2 else None)
        out = _output_path(path, fmt)
        out.parent.mkdir(parents=True, exist_ok=True)
        dot_file = out if fmt == "dot" else out.with_suffix(".dot")
        dot_file.write_text(source, encoding="utf-8")
        prepared.append((dot_file, out, fmt))
    pending = [job for job in prepared if job[2] != "dot"]
    if pending:
        renderer = renderer or find_renderer()
        if renderer is None:
            raise RendererMissing(f"no Graphviz renderer for {pending[0][1]}: {INSTALL_HINT}; "
                                  f"the DOT source is in {pending[0][0]}")
        failures = _render_with_dot(pending) if renderer == "dot" else _render_in_children(pending)
        if failures:
            first = failures[0]
            raise RenderFailed(f"Graphviz could not render {first[0]} ({first[1]}); "
                               f"{len(failures)} of {len(pending)} figures failed; check the DOT "
                               f"source beside it")
    return [out for _, out, _ in prepared]


def render_source(dot_source, path, format=None):
    """Write `dot_source` as the figure `path` (format from the suffix or `format`); its Path."""
    return render_many([(dot_source, path, format)])[0]


def _render_with_dot(jobs):
    failures = []
    for dot_file, out, fmt in jobs:
        done = subprocess.run(["dot", f"-T{fmt}", "-o", str(out), str(dot_file)],
                              capture_output=True, text=True, timeout=_TIMEOUT)
        if done.returncode != 0:
            failures.append((out, _last_line(done.stderr) or f"dot exited with {done.returncode}"))
    return failures


def _render_in_children(jobs, per_child=6):
    """Spread a batch over up to one child per CPU (each child pays ~0.1 s to start)."""
    workers = max(1, min(os.cpu_count() or 1, len(jobs) // per_child))
    if workers == 1:
        return _render_in_child(jobs)
    chunks = [jobs[k::workers] for k in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(_render_in_child, chunks))
    order = {out: k for k, (_, out, _) in enumerate(jobs)}
    return sorted((f for chunk in results for f in chunk), key=lambda f: order[f[0]])


def _render_in_child(jobs):
    """Render `jobs` with pygraphviz in child interpreters; a crash costs only its own figure."""
    failures = []
    while jobs:
        payload = json.dumps([[str(d), str(o), f] for d, o, f in jobs])
        done = subprocess.run([sys.executable, "-c", _CHILD], input=payload, capture_output=True,
                              text=True, timeout=_TIMEOUT)
        reported = {}
        for line in done.stdout.splitlines():
            status, _, rest = line.partition(" ")
            k, _, message = rest.partition(" ")
            if status in ("ok", "error") and k.isdigit():
                reported[int(k)] = None if status == "ok" else json.loads(message)
        for k, message in sorted(reported.items()):
            if message is not None:
                failures.append((jobs[k][1], message))
        if len(reported) == len(jobs):
            break
        crashed = len(reported)
        if crashed == 0 and done.returncode == 0:
            failures.extend((o, _last_line(done.stderr) or "no output") for _, o, _ in jobs)
            break
        failures.append((jobs[crashed][1], _last_line(done.stderr) or f"renderer crashed ({done.returncode})"))
        jobs = jobs[crashed + 1:]
    return failures


def _last_line(text):
    lines = [ln for ln in (text or "").strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def svg_text(dot_source, renderer=None):
    """The SVG of `dot_source` as a string (for notebooks and inlined pages)."""
    with tempfile.TemporaryDirectory(prefix="gradbook-") as tmp:
        path = render_many([(dot_source, Path(tmp) / "graph.svg")], renderer=renderer)[0]
        return path.read_text(encoding="utf-8")
