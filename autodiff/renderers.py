"""Turning DOT text into SVG, PDF or PNG: the renderer chain.

1. the system ``dot`` (Debian's graphviz package), if it is on PATH;
2. the pygraphviz wheel, which bundles a real Graphviz and needs only pip. Its layout runs
   in a child process, because a failed C assertion inside Graphviz aborts the whole
   interpreter (a notebook kernel, the lecture job); one child renders a whole batch (a
   big batch is shared by one child per CPU), so dozens of figures cost a few start-ups;
3. neither: `RendererMissing`, with the one-line fix.

Whatever happens, the ``.dot`` source is written beside the requested file first, so a
figure is never lost: it can be rendered later or pasted into an online viewer. Every file
is written atomically (`autodiff.files.atomic_path`): Graphviz renders into a temp file
beside the target, which replaces it only once complete, so an interrupted or failed
render leaves the previous figure. SVG output is then made well-formed (`autodiff.svg`).
PNG resolution is Graphviz's ``dpi``, given per call (``dpi=300`` for slides), never in the
DOT text, where it would also scale the SVG.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RenderFailed, RendererMissing
from . import page
from .files import atomic_path, write_text
from .svg import SVGError, fix_svg

FORMATS = ("svg", "pdf", "png", "dot", "json")  # json: the layout, for rnn.figures.tikz
INSTALL_HINT = "pip install pygraphviz (bundles Graphviz) or apt-get install graphviz"
_TIMEOUT = 300

#: What happens to a rendered file before it replaces the target, by format.
POSTPROCESS = {"svg": fix_svg}

# Runs in the child interpreter: reads [(dot file, output file, format, graph attributes), ...]
# as JSON on stdin and reports each job as it finishes, so the parent knows which one a crash
# or a timeout interrupted.
_CHILD = r"""
import importlib.util, json, sys, warnings
warnings.simplefilter("ignore")
import pygraphviz
spec = importlib.util.spec_from_file_location("gradbook_page", sys.argv[1])
page = importlib.util.module_from_spec(spec)
spec.loader.exec_module(page)
for k, (src, out, fmt, attrs) in enumerate(json.load(sys.stdin)):
    try:
        graph = pygraphviz.AGraph(filename=src)
        graph.graph_attr.update(attrs)
        if fmt in page.PAGED:
            # measure with one layout, draw with a fresh one: drawing the measured graph
            # re-runs neato -n2, whose bounding box can differ from dot's by a few points
            sized = pygraphviz.AGraph(filename=src)
            sized.graph_attr.update(attrs)
            sized.layout(prog="dot")
            x0, y0, x1, y1 = (float(v) for v in sized.graph_attr["bb"].split(","))
            graph.graph_attr["pad"] = page.whole_page_pad(x1 - x0, y1 - y0, graph.graph_attr.get("pad"), fmt,
                                                          graph.graph_attr.get("dpi"))
        graph.draw(out, format=fmt, prog="dot")
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


@dataclass
class _Job:
    """One figure to render: its DOT file, the target, and the temp file Graphviz writes."""
    dot_file: Path
    out: Path
    fmt: str
    attrs: dict = field(default_factory=dict)
    tmp: Path | None = None
    commit: object = None


def render_many(jobs, renderer=None, dpi=None):
    """Render several ``(dot_source, path)`` or ``(dot_source, path, format)`` jobs; their paths.

    Each job's DOT source is written beside it (``fig.svg`` gets ``fig.dot``) before any
    rendering. All jobs share one renderer call chain: with pygraphviz, one child process.
    `dpi` sets the resolution of PNG output (Graphviz's cairo default is 96 dots per inch).
    """
    prepared = []
    for job in jobs:
        source, path = job[0], job[1]
        fmt = output_format(path, job[2] if len(job) > 2 else None)
        out = _output_path(path, fmt)
        dot_file = out if fmt == "dot" else out.with_suffix(".dot")
        write_text(dot_file, source)
        attrs = {"dpi": str(dpi)} if dpi and fmt == "png" else {}
        prepared.append(_Job(dot_file, out, fmt, attrs))
    pending = [job for job in prepared if job.fmt != "dot"]
    if pending:
        renderer = renderer or find_renderer()
        if renderer is None:
            raise RendererMissing(f"no Graphviz renderer for {pending[0].out}: {INSTALL_HINT}; "
                                  f"the DOT source is in {pending[0].dot_file}")
        failures = _render_atomically(pending, _render_with_dot if renderer == "dot" else _render_in_children)
        if failures:
            out, message = failures[0]
            more = f"; {len(failures)} of {len(pending)} figures failed" if len(failures) > 1 else ""
            raise RenderFailed(f"Graphviz could not render {out}: {message}{more}; the DOT source is "
                               f"beside it")
    return [job.out for job in prepared]


def _render_atomically(jobs, render):
    """Let `render` write each job into a temp file beside its target; replace the targets it
    rendered (post-processed), keep the old files of those that failed. The failures."""
    for job in jobs:
        job.commit = atomic_path(job.out)
        job.tmp = job.commit.__enter__()
    try:
        failures = render(jobs)
    except BaseException:
        for job in jobs:
            _finish(job, ok=False)
        raise
    failed = {out for out, _ in failures}
    for job in jobs:
        if job.out not in failed:
            try:
                _postprocess(job)
            except SVGError as exc:
                failures.append((job.out, f"its SVG is not well-formed XML ({exc})"))
                failed.add(job.out)
        _finish(job, ok=job.out not in failed)
    return failures


def _postprocess(job):
    fix = POSTPROCESS.get(job.fmt)
    if fix is not None:
        job.tmp.write_text(fix(job.tmp.read_text(encoding="utf-8")), encoding="utf-8")


def _finish(job, ok):
    """Replace the target with the temp file (ok) or drop the temp file and keep the target."""
    if ok:
        job.commit.__exit__(None, None, None)
    else:
        discarded = RenderFailed(f"{job.out} not rendered")
        job.commit.__exit__(RenderFailed, discarded, None)


def render_source(dot_source, path, format=None, dpi=None):
    """Write `dot_source` as the figure `path` (format from the suffix or `format`); its Path."""
    return render_many([(dot_source, path, format)], dpi=dpi)[0]


def _render_with_dot(jobs):
    failures = []
    for job in jobs:
        try:
            attrs = {**job.attrs, **_whole_page_attrs(job)}
            args = ["dot", f"-T{job.fmt}", *(f"-G{k}={v}" for k, v in attrs.items()), "-o", str(job.tmp),
                    str(job.dot_file)]
            done = subprocess.run(args, capture_output=True, text=True, timeout=_TIMEOUT)
        except subprocess.TimeoutExpired:
            failures.append((job.out, f"timed out after {_TIMEOUT} s"))
            continue
        except RenderFailed as exc:
            failures.append((job.out, str(exc)))
            continue
        if done.returncode != 0:
            failures.append((job.out, _exit_message("dot", done.returncode, done.stderr)))
    return failures


def _whole_page_attrs(job):
    """The pad for a whole PDF or PNG page (`autodiff.page`), from the size in ``dot -Tplain``."""
    if job.fmt not in page.PAGED:
        return {}
    done = subprocess.run(["dot", "-Tplain", *(f"-G{k}={v}" for k, v in job.attrs.items()), str(job.dot_file)],
                          capture_output=True, text=True, timeout=_TIMEOUT)
    first = done.stdout.split("\n", 1)[0].split()
    if done.returncode != 0 or len(first) < 4 or first[0] != "graph":
        raise RenderFailed(_exit_message("dot", done.returncode, done.stderr))
    scale, width, height = (float(v) for v in first[1:4])
    pad = _graph_pad(job.dot_file)
    return {"pad": page.whole_page_pad(width * 72 * scale, height * 72 * scale, pad, job.fmt, job.attrs.get("dpi"))}


def _graph_pad(dot_file):
    """The ``pad`` the DOT source sets on its graph (inches), or None."""
    match = re.search(r'^\s*graph \[.*?\bpad="?([0-9.]+)', dot_file.read_text(encoding="utf-8"), re.M)
    return match.group(1) if match else None


def _render_in_children(jobs, per_child=6):
    """Spread a batch over up to one child per CPU (each child pays ~0.1 s to start)."""
    workers = max(1, min(os.cpu_count() or 1, len(jobs) // per_child))
    if workers == 1:
        return _render_in_child(jobs)
    chunks = [jobs[k::workers] for k in range(workers)]
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(_render_in_child, chunks))
    order = {job.out: k for k, job in enumerate(jobs)}
    return sorted((f for chunk in results for f in chunk), key=lambda f: order[f[0]])


def _reports(stdout):
    """{job index: None (done) or the error message} from the child's report lines."""
    if isinstance(stdout, bytes):
        stdout = stdout.decode("utf-8", "replace")
    reported = {}
    for line in (stdout or "").splitlines():
        status, _, rest = line.partition(" ")
        k, _, message = rest.partition(" ")
        if status in ("ok", "error") and k.isdigit():
            reported[int(k)] = None if status == "ok" else json.loads(message)
    return reported


def _render_in_child(jobs):
    """Render `jobs` with pygraphviz in child interpreters; a crash costs only its own figure."""
    failures = []
    while jobs:
        payload = json.dumps([[str(j.dot_file), str(j.tmp), j.fmt, j.attrs] for j in jobs])
        try:
            done = subprocess.run([sys.executable, "-c", _CHILD, page.__file__], input=payload,
                                  capture_output=True, text=True, timeout=_TIMEOUT)
            stdout, code, stderr = done.stdout, done.returncode, done.stderr
        except subprocess.TimeoutExpired as exc:
            stdout, code, stderr = exc.stdout, None, ""
        reported = _reports(stdout)
        failures.extend((jobs[k].out, message) for k, message in sorted(reported.items()) if message is not None)
        if len(reported) == len(jobs):
            break
        stuck = len(reported)
        if code is None:
            # the timeout covers the batch; the figure the child was on is the one that hung
            failures.append((jobs[stuck].out, f"timed out after {_TIMEOUT} s"))
            failures.extend((j.out, "not rendered: an earlier figure timed out") for j in jobs[stuck + 1:])
            break
        if stuck == 0 and code == 0:
            failures.extend((j.out, _exit_message("the pygraphviz child", code, stderr)) for j in jobs)
            break
        failures.append((jobs[stuck].out, _exit_message("the Graphviz child process", code, stderr)))
        jobs = jobs[stuck + 1:]
    return failures


def _exit_message(who, code, stderr):
    """How a renderer process ended, in words: a signal or exit code, plus Graphviz's own error
    line if it wrote one (Fontconfig's warnings about the system's font setup are noise)."""
    lines = [ln.strip() for ln in (stderr or "").splitlines()
             if ln.strip() and not ln.lstrip().startswith("Fontconfig")]
    said = f" ({lines[-1]})" if lines else ""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"{who} crashed with {name}{said}"
    if code == 0:
        return f"{who} exited without reporting the figure{said}"
    return f"{who} exited with code {code}{said}"


def svg_text(dot_source, renderer=None):
    """The SVG of `dot_source` as a string (for notebooks and inlined pages)."""
    with tempfile.TemporaryDirectory(prefix="gradbook-") as tmp:
        path = render_many([(dot_source, Path(tmp) / "graph.svg")], renderer=renderer)[0]
        return path.read_text(encoding="utf-8")
