"""The real consumers of gradbook's output, as the tests call them: one place for each.

A LaTeX string is compiled by a TeX engine inside a Beamer frame and typeset by MathJax 3
under Node; an SVG or HTML page is opened by headless Chromium. Each consumer is looked up
once; a test that needs one carries the marker (``needs_tex``, ``needs_mathjax``,
``needs_chromium``) and is skipped loudly where it is absent (see ``tests/conftest.py``).
`.ci/run` installs all three (Debian's texlive and chromium, npm's mathjax-full into
``.ci/node``).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = Path(os.environ.get("GRADBOOK_NODE_MODULES", ROOT / ".ci" / "node" / "node_modules"))
MATHJAX_SCRIPT = Path(__file__).with_name("mathjax_typeset.js")

CHROMIUM = shutil.which("chromium")
PDFLATEX = shutil.which("pdflatex")
NODE = shutil.which("node")

BEAMER_PREAMBLE = r"""\documentclass{beamer}
\usepackage[T1]{fontenc}
\usepackage{lmodern}
\usepackage{amsmath,amssymb,bm}
"""


def have_tex():
    """pdflatex with the Beamer class (Debian: texlive-latex-recommended)."""
    if PDFLATEX is None or shutil.which("kpsewhich") is None:
        return False
    found = subprocess.run(["kpsewhich", "beamer.cls"], capture_output=True, text=True)
    return bool(found.stdout.strip())


def have_mathjax():
    """node and the mathjax-full package (npm, installed by .ci/run into .ci/node)."""
    return NODE is not None and (NODE_MODULES / "mathjax-full" / "js" / "mathjax.js").exists()


def have_chromium():
    return CHROMIUM is not None


def mathjax_errors(items):
    """MathJax 3's errors for each ``(id, latex)`` (display math): ``{id: [message, ...]}``.

    Every string is typeset in one Node process; an empty list means it typeset cleanly.
    """
    payload = json.dumps([{"id": str(i), "latex": latex, "display": True} for i, latex in items])
    done = subprocess.run([NODE, str(MATHJAX_SCRIPT)], input=payload, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "NODE_PATH": str(NODE_MODULES)})
    if done.returncode != 0:
        raise RuntimeError(f"node {MATHJAX_SCRIPT.name} failed: {done.stderr.strip()[-2000:]}")
    return {r["id"]: r["errors"] for r in json.loads(done.stdout)}


def compile_beamer(frames, folder, preamble="", framed=False, options=""):
    """Compile a Beamer document, one frame per body in `frames`, with pdflatex in `folder`.

    `framed` says the bodies are whole ``frame`` environments already (placed as they are);
    `options` are the class options (``aspectratio=169``).
    Returns ``(pdf_path or None, errors)``: `errors` are the log's ``! ...`` lines with the
    line after each (TeX's own words, e.g. ``! Package amsmath Error: \\tag not allowed here``).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{frame}\n" if framed else f"\\begin{{frame}}[fragile]\n{frame}\n\\end{{frame}}\n"
                   for frame in frames)
    tex = folder / "slides.tex"
    head = BEAMER_PREAMBLE.replace("{beamer}", f"[{options}]{{beamer}}") if options else BEAMER_PREAMBLE
    tex.write_text(head + preamble + "\\begin{document}\n" + body + "\\end{document}\n",
                   encoding="utf-8")
    done = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                           tex.name], cwd=folder, capture_output=True, text=True, timeout=300,
                          errors="replace")
    log = (folder / "slides.log").read_text(encoding="utf-8", errors="replace") if (folder / "slides.log").exists() \
        else done.stdout
    lines = log.splitlines()
    errors = [f"{ln} {lines[k + 1].strip() if k + 1 < len(lines) else ''}".strip()
              for k, ln in enumerate(lines) if ln.startswith("! ")]
    pdf = folder / "slides.pdf"
    ok = done.returncode == 0 and not errors and pdf.exists()
    return (pdf if ok else None), errors


def overfull_boxes(folder):
    """The ``Overfull \\hbox`` / ``\\vbox`` warnings of the last `compile_beamer` in `folder`:
    what TeX says does not fit (a formula wider than the frame, a frame too full)."""
    log = Path(folder) / "slides.log"
    text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return [ln for ln in text.splitlines() if ln.startswith(("Overfull \\hbox", "Overfull \\vbox"))]


def chromium(*args, profile, timeout=90):
    """Run headless Chromium with the flags this closed network needs; the CompletedProcess."""
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=timeout)


def screenshot(url, png, profile, size=(1280, 900)):
    """A headless-Chromium screenshot of `url` into `png`; returns the DOM Chromium built too."""
    chromium("--hide-scrollbars", f"--window-size={size[0]},{size[1]}", f"--screenshot={png}", url,
             profile=profile)
    return Path(png)


def dump_dom(url, profile, size=(1280, 900)):
    """The DOM Chromium built for `url`, serialised (``--dump-dom``)."""
    return chromium(f"--window-size={size[0]},{size[1]}", "--dump-dom", url, profile=profile).stdout


_XML_ERROR_PAGE = re.compile(r"This page contains the following errors|error on line \d+ at column \d+")


def is_xml_error_page(dom):
    """Chromium's page for a document that is not well-formed XML (what it shows for a bad SVG)."""
    return bool(_XML_ERROR_PAGE.search(dom))
