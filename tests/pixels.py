"""Reading rendered images in tests: size, how much is drawn, and where (the ink's bounds).

"Ink" is every pixel that differs clearly from the page: the image's corner colour, so a
dark figure on its dark background is measured the same way as a print figure on white.
"""
from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np


def _pixels(png):
    return mpimg.imread(str(png))[..., :3].astype(float)


def image_size(png):
    """``(width, height)`` in pixels."""
    height, width = _pixels(png).shape[:2]
    return width, height


def background(png):
    """The page colour: the top-left pixel, as RGB in 0..1."""
    return _pixels(png)[0, 0]


def ink_mask(png, page=None, tolerance=0.25):
    pixels = _pixels(png)
    page = pixels[0, 0] if page is None else np.asarray(page, dtype=float)
    return np.abs(pixels - page).max(axis=2) > tolerance


def ink_fraction(png, page=None):
    """The share of pixels that are not the page colour (0: blank, 1: all ink)."""
    return float(ink_mask(png, page).mean())


def ink_bounds(png, page=None):
    """``(left, top, right, bottom)`` pixel bounds of the ink, right and bottom exclusive."""
    mask = ink_mask(png, page)
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1
