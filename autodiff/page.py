"""Whole pages for PDF and PNG: the pad that makes the page a whole number of points or pixels.

Graphviz rounds a PDF page to whole points and a PNG to whole pixels, but fills only the
drawing (its bounding box plus ``pad``) with the background, so a fractional drawing leaves
a hairline of white (PDF) or transparency (PNG) on the right and bottom edges: visible on a
dark slide. After the layout, the pad is widened on each axis until the page comes out
whole. This module imports nothing from gradbook: the renderer's child process loads it by
file path, without paying for the autodiff package (NumPy) on start-up.
"""
from __future__ import annotations

import math

PAGED = ("pdf", "png")
GRAPHVIZ_PAD_POINTS = 4.0
CAIRO_BITMAP_DPI = 96.0


def whole_page_pad(width, height, pad=None, fmt="pdf", dpi=None):
    """Graphviz ``pad`` (``"x,y"`` in inches) for a drawing of `width` x `height` points.

    `pad` is the graph's own pad in inches (Graphviz's 4 points when None), `dpi` a PNG's
    resolution (cairo's 96 when None). The page unit is a point for PDF, a pixel for PNG.
    """
    pad_points = float(str(pad).split(",")[0]) * 72 if pad not in (None, "") else GRAPHVIZ_PAD_POINTS
    unit = 72.0 / float(dpi or CAIRO_BITMAP_DPI) if fmt == "png" else 1.0

    def side(extent):
        whole = math.ceil((extent + 2 * pad_points) / unit - 1e-6) * unit
        # rounded down, so the page never exceeds the whole number it is aimed at
        return math.floor((whole - extent) / 2 / 72 * 1e5) / 1e5

    return f"{side(width):.5f},{side(height):.5f}"
