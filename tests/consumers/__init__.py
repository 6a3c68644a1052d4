"""The real consumers of gradbook's output, as the tests call them: one place for each.

A LaTeX string is compiled by a TeX engine inside a Beamer frame and typeset by MathJax 3
under Node; an SVG or HTML page is opened by headless Chromium; a PDF is measured and
rasterised by poppler (``pdfinfo``, ``pdftoppm``, ``pdffonts``); a CSV report is opened by
LibreOffice Calc. Each consumer is looked up once; a test that needs one carries the marker
(``needs_tex``, ``needs_mathjax``, ``needs_chromium``, ``needs_libreoffice``, ``needs_poppler``)
and is skipped loudly where it is absent (see ``tests/conftest.py``). `.ci/run` installs them
all (Debian's texlive, chromium, poppler-utils and libreoffice-calc-nogui, npm's mathjax-full
into ``.ci/node``).
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
PDFINFO, PDFTOPPM, PDFFONTS = shutil.which("pdfinfo"), shutil.which("pdftoppm"), shutil.which("pdffonts")

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
    body = "".join(f"{frame}\n" if framed else f"\\begin{{frame}}[fragile]\n{frame}\n\\end{{frame}}\n"
                   for frame in frames)
    head = BEAMER_PREAMBLE.replace("{beamer}", f"[{options}]{{beamer}}") if options else BEAMER_PREAMBLE
    return compile_document(head + preamble + "\\begin{document}\n" + body + "\\end{document}\n", folder)


def compile_document(source, folder, name="slides"):
    """Compile the complete LaTeX document `source` with pdflatex in `folder`, as `compile_beamer`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tex = folder / f"{name}.tex"
    tex.write_text(source, encoding="utf-8")
    done = subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                           tex.name], cwd=folder, capture_output=True, text=True, timeout=300,
                          errors="replace")
    log_file = folder / f"{name}.log"
    log = log_file.read_text(encoding="utf-8", errors="replace") if log_file.exists() else done.stdout
    lines = log.splitlines()
    errors = [f"{ln} {lines[k + 1].strip() if k + 1 < len(lines) else ''}".strip()
              for k, ln in enumerate(lines) if ln.startswith("! ")]
    pdf = folder / f"{name}.pdf"
    ok = done.returncode == 0 and not errors and pdf.exists()
    return (pdf if ok else None), errors


def pdf_info(pdf):
    """poppler's ``pdfinfo`` of `pdf` as ``{field: value}`` (``Pages``, ``Page size`` ...)."""
    done = subprocess.run([PDFINFO or "pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True)
    return {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in done.stdout.splitlines()) if v}


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


def dump_dom(url, profile, size=(1280, 900), wait_ms=None):
    """The DOM Chromium built for `url`, serialised (``--dump-dom``); `wait_ms` lets the page's
    scripts and their requests run that long in virtual time first (a page that fetches)."""
    wait = (f"--virtual-time-budget={wait_ms}",) if wait_ms else ()
    return chromium(f"--window-size={size[0]},{size[1]}", *wait, "--dump-dom", url, profile=profile).stdout


_MATH_WIDTHS = """<script>
document.body.insertAdjacentHTML('beforeend', '<pre id="sizes">' + JSON.stringify(
  [...document.querySelectorAll('math')].map(m => m.getBoundingClientRect().width)) + '</pre>');
</script>"""


def mathml_widths(maths, folder):
    """The widths in CSS px Chromium lays each MathML element of `maths` out at, one paragraph
    each on an HTML page written in `folder` (an element it does not know collapses to 0)."""
    body = "".join(f"<p>{m}</p>" for m in maths)
    page = Path(folder) / "maths.html"
    page.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{body}{_MATH_WIDTHS}</body></html>",
                    encoding="utf-8")
    dom = dump_dom(page.as_uri(), Path(folder) / "profile")
    return [float(w) for w in dom.split('<pre id="sizes">[')[1].split("]</pre>")[0].split(",")]


_XML_ERROR_PAGE = re.compile(r"This page contains the following errors|error on line \d+ at column \d+")


def is_xml_error_page(dom):
    """Chromium's page for a document that is not well-formed XML (what it shows for a bad SVG)."""
    return bool(_XML_ERROR_PAGE.search(dom))


SOFFICE = shutil.which("soffice")
_XLSX = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def have_libreoffice():
    """LibreOffice Calc, headless (Debian: libreoffice-calc-nogui)."""
    return SOFFICE is not None


def spreadsheet_cells(csv_path, folder, delimiter=","):
    """Open a UTF-8 CSV in LibreOffice Calc, formulas evaluated as a spreadsheet user gets
    them, and save it as xlsx; the cells row by row, each ``(text, formula or None)``
    (``("", None)`` for an empty cell; trailing empty cells are left out).

    The import options (CSV filter tokens) are the separator, ``"`` as the text delimiter,
    UTF-8, from line 1, and token 13 "evaluate formulas" on: a cell Calc reads as a formula
    comes back with its formula, e.g. ``('2', '1+1')`` for ``=1+1``.
    """
    import xml.etree.ElementTree as ET
    import zipfile

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    options = f"CSV:{ord(delimiter)},34,76,1,,0,false,false,false,false,false,-1,true"
    done = subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                           f"--infilter={options}", "--convert-to", "xlsx", "--outdir", str(folder),
                           str(csv_path)], capture_output=True, text=True, timeout=180)
    xlsx = folder / (Path(csv_path).stem + ".xlsx")
    if done.returncode != 0 or not xlsx.exists():
        raise RuntimeError(f"soffice --convert-to xlsx failed: {done.stderr.strip()[-2000:]}")
    with zipfile.ZipFile(xlsx) as book:
        strings = [] if "xl/sharedStrings.xml" not in book.namelist() else [
            "".join(t.text or "" for t in si.iter(f"{{{_XLSX['m']}}}t"))
            for si in ET.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", _XLSX)]
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
    rows = []
    for row in sheet.iterfind("m:sheetData/m:row", _XLSX):
        cells = []
        for c in row.findall("m:c", _XLSX):
            column = sum((ord(ch) - 64) * 26 ** k for k, ch in enumerate(reversed(re.match(r"[A-Z]+", c.get("r"))[0])))
            cells += [("", None)] * (column - 1 - len(cells))  # empty cells are not stored
            value, formula = c.findtext("m:v", "", _XLSX), c.find("m:f", _XLSX)
            if c.get("t") == "s":
                value = strings[int(value)]
            elif c.get("t") == "inlineStr":
                value = "".join(t.text or "" for t in c.iter(f"{{{_XLSX['m']}}}t"))
            cells.append((value, None if formula is None else formula.text or ""))
        rows.append(cells)
    return rows


def have_poppler():
    """pdfinfo, pdftoppm and pdffonts (Debian: poppler-utils)."""
    return None not in (PDFINFO, PDFTOPPM, PDFFONTS)


def pdf_page_size(pdf):
    """The first page's ``(width, height)`` in PostScript points, as pdfinfo reports it."""
    size = pdf_info(pdf).get("Page size", "")
    found = re.match(r"([0-9.]+) x ([0-9.]+) pts", size)
    if not found:
        raise RuntimeError(f"pdfinfo found no page size in {pdf}: {size!r}")
    return float(found.group(1)), float(found.group(2))


def pdf_to_png(pdf, png, dpi=72):
    """The first page of `pdf` rasterised by pdftoppm at `dpi` into `png`; its Path."""
    png = Path(png)
    subprocess.run([PDFTOPPM, "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(png.with_suffix(""))], capture_output=True, timeout=60, check=True)
    return png


def pdf_fonts(pdf):
    """The font names embedded in `pdf` (subset prefixes removed), as pdffonts lists them."""
    lines = subprocess.run([PDFFONTS, str(pdf)], capture_output=True, text=True, timeout=60).stdout.splitlines()
    return sorted({line.split()[0].split("+")[-1] for line in lines[2:] if line.strip()})
