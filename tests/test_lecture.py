"""`gradbook lecture -o DIR`: one folder with every figure, the derivations and index.html."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from autodiff.cli import main
from autodiff.render import find_renderer
from rnn.lecture import SECTIONS

needs_renderer = pytest.mark.skipif(find_renderer() is None, reason="no Graphviz renderer")


@pytest.fixture(scope="module")
def lecture(tmp_path_factory):
    out = tmp_path_factory.mktemp("lecture")
    import contextlib
    import io
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["lecture", "-o", str(out)]) == 0
    return out, printed.getvalue()


@pytest.mark.needs_graphviz
@needs_renderer
def test_index_follows_the_lecture_sections(lecture):
    index = (lecture[0] / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h2>(.*?)</h2>", index)
    assert headings == ["Sequences and dynamical systems", "The RNN architecture", "The simple RNN and BPTT",
                        "Vanishing gradients", "LSTM", "GRU"] == [h for _, h, _, _ in SECTIONS]


@pytest.mark.needs_graphviz
@needs_renderer
def test_every_file_the_index_references_exists(lecture):
    out = lecture[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    refs = set(re.findall(r"(?:href|src)='([^'#][^']*)'", index))
    assert refs and all((out / ref).is_file() for ref in refs), sorted(r for r in refs if not (out / r).is_file())


@pytest.mark.needs_graphviz
@needs_renderer
def test_figures_are_inlined_as_svg(lecture):
    index = (lecture[0] / "index.html").read_text(encoding="utf-8")
    assert index.count("<svg") >= 10 and "cdn" not in index.lower()


@pytest.mark.needs_graphviz
@needs_renderer
def test_summary_line_names_count_place_and_time(lecture):
    out, printed = lecture
    line = printed.strip().splitlines()[-1]
    assert re.fullmatch(rf"gradbook lecture: \d+ figures \(svg, pdf\) and \d+ derivations in "
                        rf"{re.escape(str((out / 'index.html').resolve()))} \(\d+\.\d s\)", line)


@pytest.mark.needs_graphviz
@needs_renderer
def test_derivations_come_as_latex_and_mathml(lecture):
    """eqs 10.18-10.28 from rnn.derive, shown as MathML with the LaTeX source beside it."""
    out = lecture[0]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<math" in index and "\\nabla" in index
    assert (out / "derivations" / "rnn.tex").read_text().count("\\tag{10.") >= 8


@pytest.mark.needs_graphviz
@needs_renderer
def test_worked_example_sums_W_terms_to_its_gradient(lecture):
    """eq. 10.26: grad_W L is the sum over t of the step terms, checked on the engine's numbers."""
    table = (lecture[0] / "worked_example.html").read_text(encoding="utf-8")
    assert table.count("<tr>") == 4 and "equals the sum" in table


def test_installed_gradbook_lists_the_lecture_commands():
    exe = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "gradbook"
    exe = str(exe) if exe.exists() else shutil.which("gradbook")
    if exe is None:
        pytest.skip("the gradbook executable is not installed")
    shown = subprocess.run([exe, "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "lecture" in shown and "draw" in shown


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.needs_chromium
@pytest.mark.needs_graphviz
@needs_renderer
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
def test_index_renders_in_headless_chromium(lecture, tmp_path):
    """The page opens offline and draws something: a screenshot with real ink on it."""
    import matplotlib.image as mpimg
    shot = tmp_path / "index.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run",
                    f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,1600",
                    f"--screenshot={shot}", (lecture[0] / "index.html").resolve().as_uri()],
                   capture_output=True, timeout=60)
    pixels = mpimg.imread(shot)[..., :3]
    assert pixels.shape[:2] == (1600, 1200)
    ink = (pixels.mean(axis=2) < 0.5).mean()
    assert 0.002 < ink < 0.5
