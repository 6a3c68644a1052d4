"""Slide export: PNG at a chosen dpi, PDF pages cut to the drawing, Latin Modern, dark to the edge.

PDFs are measured by poppler (the page size from pdfinfo, the drawing's extent from the ink
of a pdftoppm raster, the fonts from pdffonts); PNGs by their pixels.
"""
import contextlib
import io
import xml.etree.ElementTree as ET

import matplotlib.image as mpimg
import pytest

from autodiff.cli import main
from pixels import image_size, ink_bounds
from rnn.figures.themes import THEMES
from tests import consumers

needs_poppler = pytest.mark.skipif(not consumers.have_poppler(),
                                   reason="NO POPPLER: pdfinfo/pdftoppm/pdffonts missing (apt-get install poppler-utils)")


def gradbook(*args):
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def rgb(hex_colour):
    return [int(hex_colour[k:k + 2], 16) / 255 for k in (1, 3, 5)]


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("command", [("draw", "rnn"), ("graph", "--example", "mlp")])
def test_png_at_300_dpi_is_the_72_dpi_size_times_300_over_72(command, tmp_path):
    """Each side is the drawing's extent (the SVG's viewBox, in points) times dpi/72, rounded
    up to a whole pixel; so the 300 dpi PNG is the 72 dpi one times 300/72 up to that rounding."""
    assert gradbook(*command, "-o", str(tmp_path / "fig.svg"))[0] == 0
    viewbox = ET.parse(tmp_path / "fig.svg").getroot().get("viewBox").split()
    extent = (float(viewbox[2]), float(viewbox[3]))
    sizes = {}
    for dpi in (72, 300):
        assert gradbook(*command, "--dpi", str(dpi), "-o", str(tmp_path / f"fig{dpi}.png"))[0] == 0
        sizes[dpi] = image_size(tmp_path / f"fig{dpi}.png")
        for pixels, points in zip(sizes[dpi], extent):
            assert abs(pixels - points * dpi / 72) <= 2, (dpi, sizes[dpi], extent)
    for small, large in zip(sizes[72], sizes[300]):
        assert abs(large - small * 300 / 72) <= 300 / 72 + 1, sizes
    assert sizes[300][0] > 1200


def test_dpi_out_of_range_is_one_line():
    code, _, err = gradbook("draw", "rnn", "--dpi", "3", "-o", "never.png")
    assert code == 2 and "--dpi takes whole dots per inch" in err


@needs_poppler
@pytest.mark.needs_graphviz
@pytest.mark.parametrize("kind", ["rnn", "truncated-bptt"])
def test_pdf_page_is_the_drawing_in_latin_modern(kind, tmp_path):
    """No half-inch white border: the ink reaches within the pad (0.08 in, about 6 pt) of
    every edge of the page (a title keeps Graphviz's space above it), and the letters are
    Latin Modern."""
    pdf = tmp_path / f"{kind}.pdf"
    assert gradbook("draw", kind, "-o", str(pdf))[0] == 0
    width, height = consumers.pdf_page_size(pdf)
    raster = consumers.pdf_to_png(pdf, tmp_path / f"{kind}.png", dpi=72)
    left, top, right, bottom = ink_bounds(raster)
    assert abs(image_size(raster)[0] - width) <= 1 and abs(image_size(raster)[1] - height) <= 1
    margins = (left, top, width - right, height - bottom)
    assert all(0 <= m <= 9 for m in margins[::2] + margins[3:]) and 0 <= margins[1] <= 15, margins
    assert any(name.startswith("LMRoman10") for name in consumers.pdf_fonts(pdf))


@needs_poppler
@pytest.mark.needs_graphviz
def test_font_option_reaches_the_pdf(tmp_path):
    pdf = tmp_path / "sans.pdf"
    assert gradbook("draw", "rnn", "--font", "DejaVu Sans", "-o", str(pdf))[0] == 0
    fonts = consumers.pdf_fonts(pdf)
    assert any(name.startswith("DejaVuSans") for name in fonts) and not any("LMRoman" in n for n in fonts)


@needs_poppler
@pytest.mark.needs_graphviz
def test_dark_theme_is_dark_to_the_page_edges(tmp_path):
    """SVG, PDF and PNG: all four corners are the theme's background, opaque; no white or
    transparent hairline where Graphviz rounds the page up (`autodiff.page`)."""
    dark = rgb(THEMES["dark"].background)
    for fmt in ("pdf", "png", "svg"):
        assert gradbook("draw", "rnn", "--theme", "dark", "-o", str(tmp_path / f"dark.{fmt}"))[0] == 0
    raster = consumers.pdf_to_png(tmp_path / "dark.pdf", tmp_path / "dark-pdf.png", dpi=72)
    for png in (raster, tmp_path / "dark.png"):
        pixels = mpimg.imread(str(png))
        for corner in (pixels[0, 0], pixels[0, -1], pixels[-1, 0], pixels[-1, -1]):
            assert corner[:3] == pytest.approx(dark, abs=0.02), png.name
            assert corner[3:] == pytest.approx([1.0] * len(corner[3:]), abs=0.02), png.name
    svg = (tmp_path / "dark.svg").read_text(encoding="utf-8")
    assert f'<polygon fill="{THEMES["dark"].background}" stroke="none"' in svg


@pytest.mark.needs_graphviz
def test_a_missing_font_is_said_in_one_line_and_the_figure_still_renders(tmp_path):
    code, out, err = gradbook("draw", "rnn", "--font", "No Such Family 2026", "-o", str(tmp_path / "f.svg"))
    assert code == 0 and (tmp_path / "f.svg").exists()
    if consumers.shutil.which("fc-list"):
        assert err.strip().count("\n") == 0 and "'No Such Family 2026' is not installed" in err
