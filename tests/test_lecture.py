"""`gradbook lecture -o DIR`: one folder with every figure, the derivations and index.html.

The folder checked here is the one the user guide's own `gradbook lecture -o lecture`
writes: the fixture runs every command of docs/user-guide.md (so that page cannot rot) and
the lecture is built once for all the tests below.
"""
import contextlib
import html
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import doccommands
from pixels import image_size, ink_fraction, ink_mask
from tests.consumers import dump_dom, is_xml_error_page, screenshot
import rnn.draw_cli
from autodiff.cli import main
from autodiff.render import render_many
from autodiff.stepthrough import backward_frames
from rnn.lecture import SECTIONS, page, stepthrough_graph

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "user-guide.md"


def guide_commands():
    return [c.text for c in doccommands.commands(GUIDE, programs=[("gradbook",)], languages=("bash",))]


@pytest.fixture(scope="module")
def guide(tmp_path_factory):
    """Run every user-guide command in a scratch folder: {command: printed output}."""
    folder = tmp_path_factory.mktemp("guide")
    printed, jobs = {}, []
    patch = pytest.MonkeyPatch()
    patch.chdir(folder)
    # one renderer batch for all `gradbook draw` figures, as in tests/test_figures_docs.py
    patch.setattr(rnn.draw_cli, "render_source", lambda source, path, **_: jobs.append((source, path)) or Path(path))
    try:
        for command in guide_commands():
            out = io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
                try:
                    code = main(shlex.split(command)[1:])
                except SystemExit as exc:
                    code = exc.code
            assert code == 0, command
            printed[command] = out.getvalue()
        render_many(jobs)
    finally:
        patch.undo()
    return folder, printed


@pytest.fixture(scope="module")
def lecture(guide):
    folder, printed = guide
    return folder / "lecture", printed["gradbook lecture -o lecture"]


@pytest.mark.needs_graphviz
def test_every_user_guide_command_writes_its_output(guide):
    folder, _ = guide
    for command in guide_commands():
        argv = shlex.split(command)
        out = [a for k, a in enumerate(argv) if argv[k - 1] in ("-o", "--output")]
        assert all((folder / o).exists() for o in out), command


@pytest.mark.needs_graphviz
def test_index_follows_the_lecture_sections(lecture):
    index = (lecture[0] / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", index)
    assert headings == ["Sequences and dynamical systems", "The RNN architecture", "The simple RNN and BPTT",
                        "Vanishing gradients", "LSTM", "GRU"] == [h for _, h, _, _ in SECTIONS]


@pytest.mark.needs_graphviz
def test_every_file_the_index_references_exists(lecture):
    out = lecture[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    refs = set(re.findall(r"(?:href|src)='([^'#][^']*)'", index))
    assert refs and all((out / ref).is_file() for ref in refs), sorted(r for r in refs if not (out / r).is_file())


@pytest.mark.needs_graphviz
def test_figures_are_inlined_as_svg(lecture):
    index = (lecture[0] / "index.html").read_text(encoding="utf-8")
    assert index.count("<svg") >= 10 and "cdn" not in index.lower()


@pytest.mark.needs_graphviz
def test_every_lecture_svg_is_well_formed_xml(lecture):
    """Each figure file, and each figure inlined in the page, parses as XML."""
    figures = sorted((lecture[0] / "figures").glob("*.svg"))
    assert len(figures) >= 10
    for path in figures:
        ET.parse(path)
    index = (lecture[0] / "index.html").read_text(encoding="utf-8")
    inlined = re.findall(r"<svg\b.*?</svg>", index, re.S)
    assert len(inlined) == len(figures)
    for svg in inlined:
        ET.fromstring(svg)


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
def test_every_lecture_svg_opens_in_headless_chromium(lecture, tmp_path):
    """Every figure file drawn by Chromium: as images on one grid page, each loads (an SVG
    that is not well-formed XML fails to) and puts real ink in its cell; the two figures
    of the issue, opened on their own as the page's "SVG" links do, are not the XML error page."""
    figures = sorted((lecture[0] / "figures").glob("*.svg"))
    cells = "".join(f"<img src='{p.resolve().as_uri()}' style='width:300px;height:225px;object-fit:contain'>"
                    for p in figures)
    grid = tmp_path / "grid.html"
    grid.write_text("<!DOCTYPE html><body style='margin:0;width:1200px;display:flex;flex-wrap:wrap;line-height:0'>"
                    f"{cells}<script>window.addEventListener('load', () => document.body.dataset.loaded = "
                    "[...document.images].map(i => i.naturalWidth > 0 ? 1 : 0).join(''));</script></body>",
                    encoding="utf-8")
    dom = dump_dom(grid.as_uri(), profile=tmp_path / "profile", size=(1200, 900))
    assert re.search(r'data-loaded="([01]*)"', dom).group(1) == "1" * len(figures)
    shot = screenshot(grid.as_uri(), tmp_path / "grid.png", profile=tmp_path / "profile", size=(1200, 900))
    for k, path in enumerate(figures):
        row, col = divmod(k, 4)
        cell = ink_mask(shot, page=(1, 1, 1))[row * 225:(row + 1) * 225, col * 300:(col + 1) * 300]
        assert 0.003 < cell.mean() < 0.6, path.name
    for name in ("truncated_bptt.svg", "bptt_paths_to_W.svg"):
        dom = dump_dom((lecture[0] / "figures" / name).resolve().as_uri(), profile=tmp_path / "profile")
        assert not is_xml_error_page(dom) and "<svg" in dom, name


def test_dark_lecture_page_is_dark_around_its_figures(tmp_path):
    """--theme dark: the page and every figure's box take the dark theme's colours."""
    from rnn.figures.catalog import KINDS
    from rnn.figures.themes import THEMES
    html = page(tmp_path, {}, None, "", missing={k: "not drawn here" for k in KINDS}, theme="dark")
    assert f"body {{ color: {THEMES['dark'].ink}; background: {THEMES['dark'].panel}; }}" in html
    assert f"figure svg, figure img {{ background: {THEMES['dark'].background}; }}" in html
    assert "background: #1e1f22" not in page(tmp_path, {}, None, "", missing=dict.fromkeys(KINDS, ""))


@pytest.mark.needs_graphviz
def test_summary_line_names_count_place_and_time(lecture):
    out, printed = lecture
    line = printed.strip().splitlines()[-1]
    assert re.fullmatch(rf"gradbook lecture: \d+ figures \(svg, pdf\) and \d+ derivations in "
                        rf"{re.escape(str((out / 'index.html').resolve()))} \(\d+\.\d s\)", line)


@pytest.mark.needs_graphviz
def test_derivations_come_as_latex_and_mathml(lecture):
    """eqs 10.18-10.28 from rnn.derive, shown as MathML with the LaTeX source beside it."""
    out = lecture[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<math" in index and "\\nabla" in index
    assert (out / "derivations" / "rnn.tex").read_text().count("\\tag{10.") >= 8


@pytest.mark.needs_graphviz
def test_worked_example_sums_W_terms_to_its_gradient(lecture):
    """eq. 10.26: grad_W L is the sum over t of the step terms, checked on the engine's numbers."""
    table = (lecture[0] / "worked_example.html").read_text(encoding="utf-8")
    assert table.count("<tr>") == 4 and "equals the sum" in table


@pytest.mark.needs_graphviz
def test_bptt_section_links_the_step_through_page(lecture):
    index = (lecture[0] / "index.html").read_text(encoding="utf-8")
    bptt = re.search(r"<section id='simple-rnn'>(.*?)</section>", index, re.S).group(1)
    assert "href='stepthrough/index.html'" in bptt
    assert "href='stepthrough-book/index.html'" in bptt and "href='stepthrough-book/frames.pdf'" in bptt


@pytest.mark.needs_graphviz
def test_lecture_writes_the_book_level_step_through(lecture):
    """Fig. 10.3 at tau = 3: nine frames (eqs 10.18-10.28), a PDF and a GIF beside the page."""
    folder = lecture[0] / "stepthrough-book"
    assert len(list(folder.glob("frame_*.svg"))) == len(list(folder.glob("frame_*.png"))) == 9
    assert (folder / "frames.pdf").stat().st_size > 0 and (folder / "frames.gif").stat().st_size > 0


@pytest.mark.needs_graphviz
def test_step_through_page_has_one_frame_per_backward_step(lecture):
    """One frame per node in reverse topological order, starting from the seed grad_L L = 1."""
    page = (lecture[0] / "stepthrough" / "index.html").read_text(encoding="utf-8")
    frames = backward_frames(stepthrough_graph())
    assert page.count('<figure class="frame"') == len(frames) > 10
    assert f"frame 1 of {len(frames)}" in page and "cdn" not in page.lower()


def test_installed_gradbook_lists_the_lecture_commands():
    exe = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "gradbook"
    exe = str(exe) if exe.exists() else shutil.which("gradbook")
    if exe is None:
        pytest.skip("the gradbook executable is not installed")
    shown = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "lecture" in shown and "draw" in shown


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
def test_index_renders_in_headless_chromium(lecture, tmp_path):
    """The page opens offline and draws something: a screenshot with real ink on it, and
    none of Chromium's XML error text from an inlined figure."""
    shot = screenshot((lecture[0] / "index.html").resolve().as_uri(), tmp_path / "index.png",
                      profile=tmp_path / "profile", size=(1200, 1600))
    assert image_size(shot) == (1200, 1600)
    assert 0.002 < ink_fraction(shot) < 0.5
    dom = dump_dom((lecture[0] / "index.html").resolve().as_uri(), profile=tmp_path / "profile")
    assert not is_xml_error_page(dom) and dom.count("<svg") >= 10


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
def test_index_never_scrolls_sideways_in_headless_chromium(lecture, tmp_path):
    """Long derivations (the LSTM's grad_h L) scroll inside their own box, not the page."""
    index = (lecture[0] / "index.html").read_text(encoding="utf-8")
    probe = lecture[0] / "width_probe.html"
    probe.write_text(index.replace("</body>", "<script>document.body.setAttribute('data-overflow', String("
                                   "document.documentElement.scrollWidth - window.innerWidth));</script></body>"),
                     encoding="utf-8")
    try:
        dom = dump_dom(probe.resolve().as_uri(), profile=tmp_path / "profile", size=(1200, 1600))
    finally:
        probe.unlink()
    overflow = re.search(r'data-overflow="(-?\d+)"', dom)
    assert overflow and int(overflow.group(1)) <= 0



#: Where the figure screenshots are kept when this is set (for the issue's closing note);
#: otherwise they live and die in the test's temporary folder.
KEEP_SCREENSHOTS = os.environ.get("GRADBOOK_SCREENSHOTS")
SCREEN = (1920, 1080)
LECTURE_KINDS = [k for _, _, kinds, _ in SECTIONS for k in kinds]
ROW = re.compile(r"(?:p(\d+)_)?([A-Za-z]+)_(\d+)")

_MEASURE = """
<script>
var out = [];
document.querySelectorAll('.screen').forEach(function (screen, k) {
  var top = screen.getBoundingClientRect().top, nodes = [];
  screen.querySelectorAll('g.node').forEach(function (g) {
    var shape = g.querySelector('ellipse, polygon, path'), r = shape && shape.getBoundingClientRect();
    // a plain-text note or number table has no outline: counted, not measured
    nodes.push(r ? [g.querySelector('title').textContent, r.left, r.top - top, r.right, r.bottom - top] : null);
  });
  out.push(nodes);
});
document.body.setAttribute('data-screens', JSON.stringify(out));
</script>"""


@pytest.fixture(scope="module")
def screens(lecture, tmp_path_factory):
    """Every lecture figure scaled to a 1920 x 1080 screen, as a lecturer would project it, all
    on one page in headless Chromium: {kind: (node boxes Chromium laid out, screenshot PNG)}.

    One page and one screenshot of it, cut into one 1920 x 1080 PNG per figure, so the whole
    set costs two Chromium runs."""
    from PIL import Image

    from autodiff.stepthrough import _inline_svg
    from rnn.figures.catalog import KINDS
    folder = tmp_path_factory.mktemp("screens")
    parts = []
    for k, kind in enumerate(LECTURE_KINDS):
        svg = _inline_svg((lecture[0] / "figures" / f"{KINDS[kind].stem}.svg").read_text(encoding="utf-8"), f"s{k}-")
        svg = re.sub(r'<svg width="[\d.]+pt" height="[\d.]+pt"', '<svg width="100%" height="100%"', svg, count=1)
        parts.append(f"<div class='screen' style='width:{SCREEN[0]}px;height:{SCREEN[1]}px'>{svg}</div>")
    page = folder / "screens.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body style='margin:0'>"
                    + "".join(parts) + _MEASURE + "</body></html>", encoding="utf-8")
    size = (SCREEN[0], SCREEN[1] * len(LECTURE_KINDS))
    dom = dump_dom(page.as_uri(), profile=folder / "profile", size=size)
    boxes = json.loads(html.unescape(re.search(r'data-screens="([^"]*)"', dom).group(1)))
    whole = screenshot(page.as_uri(), folder / "screens.png", profile=folder / "profile", size=size)
    out = {}
    with Image.open(whole) as im:
        for k, kind in enumerate(LECTURE_KINDS):
            png = folder / f"{KINDS[kind].stem}.png"
            im.crop((0, k * SCREEN[1], SCREEN[0], (k + 1) * SCREEN[1])).save(png)
            if KEEP_SCREENSHOTS:
                Path(KEEP_SCREENSHOTS).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(png, Path(KEEP_SCREENSHOTS) / png.name)
            out[kind] = (boxes[k], png)
    return out


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
@pytest.mark.parametrize("kind", LECTURE_KINDS)
def test_every_lecture_figure_on_a_1920x1080_screen_in_headless_chromium(lecture, screens, kind):
    """Each figure `gradbook lecture` draws, scaled to a 1920 x 1080 screen in headless Chromium,
    read back from the geometry Chromium laid out: every node of the DOT is drawn and on
    screen, no two node outlines overlap, and in the unrolled figures every variable of a kind
    sits on one row with step t+1 right of step t; the screenshot of that screen has the
    figure's ink on it (kept when GRADBOOK_SCREENSHOTS names a folder)."""
    from rnn.figures.catalog import KINDS
    drawn, shot = screens[kind]
    dot = (lecture[0] / "figures" / f"{KINDS[kind].stem}.dot").read_text(encoding="utf-8")
    declared = [n for n in re.findall(r'^\s*"?([^"\s\[]+)"? \[', dot, re.M) if n not in ("graph", "node", "edge")]
    assert len(drawn) == len(declared), kind
    nodes = [n for n in drawn if n is not None]
    assert nodes and all(-1 <= x0 and -1 <= y0 and x1 <= SCREEN[0] + 1 and y1 <= SCREEN[1] + 1
                         for _, x0, y0, x1, y1 in nodes), kind
    for i, (a, *box_a) in enumerate(nodes):
        for b, *box_b in nodes[i + 1:]:
            assert min(box_a[2], box_b[2]) - max(box_a[0], box_b[0]) <= 1 \
                or min(box_a[3], box_b[3]) - max(box_a[1], box_b[1]) <= 1, (kind, a, b)
    rows = {}
    for name, x0, y0, x1, y1 in nodes:
        found = ROW.fullmatch(name)
        if found and found.group(2) in ("x", "h", "o", "L", "y") and int(found.group(3)) >= 1:
            rows.setdefault(found.group(1, 2), []).append((int(found.group(3)), (x0 + x1) / 2, (y0 + y1) / 2))
    if kind in ("rnn", "bptt", "truncated-bptt", "output-recurrence", "r-connection", "teacher-forcing"):
        assert ("0" if kind == "teacher-forcing" else None, "h") in rows, kind
    for key, row in rows.items():
        row.sort()
        assert max(y for *_, y in row) - min(y for *_, y in row) < 1, (kind, key)
        assert all(a[1] < b[1] for a, b in zip(row, row[1:])), (kind, key)
    assert image_size(shot) == SCREEN and 0.002 < ink_fraction(shot, page=(1, 1, 1)) < 0.6, kind
