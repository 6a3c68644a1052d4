"""Graphviz's SVG made well-formed and portable: scripts placed by coordinates, fonts as CSS.

Graphviz writes each run of a label as one ``<text>`` and marks a sub- or superscript with
``baseline-shift="sub"`` / ``"super"``. A script inside a script (``∇_{h^{(0)}} L``) gets the
attribute twice on one element, which is not well-formed XML: browsers show an error page,
ImageMagick and slide tools refuse the file, and an HTML parser keeps only the first
attribute, so the inner script lands on the wrong side. `fix_svg` merges the shifts: it
removes every ``baseline-shift`` and moves the run's ``y`` by their sum, each level scaled by
its parent's size (a run's own size over the script ratio of `autodiff.labels`), as TeX
places scripts (superscript up 0.42 em, subscript down 0.2 em of the parent). A coordinate
renders the same in every SVG consumer, including those that ignore ``baseline-shift``.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from .fonts import css_family
from .labels import SCRIPT_RATIO

#: Baseline shift of one script level, in ems of the parent's font (SVG's y grows downwards).
SHIFT_EM = {"super": -0.42, "sub": 0.2}

_TEXT_TAG = re.compile(r"<text\b[^>]*>")
_SHIFT = re.compile(r'\s+baseline-shift="([^"]*)"')
_FONT_SIZE = re.compile(r'\bfont-size="([0-9.]+)"')
_Y = re.compile(r'\by="(-?[0-9.]+)"')
_FAMILY = re.compile(r'\bfont-family="([^"]*)"')


class SVGError(ValueError):
    """The SVG is still not well-formed after fixing (names the parser's complaint)."""


def _fix_text_tag(match):
    tag = match.group(0)
    shifts = _SHIFT.findall(tag)
    if shifts:
        tag = _SHIFT.sub("", tag)
        size = float(_FONT_SIZE.search(tag).group(1)) if _FONT_SIZE.search(tag) else 14.0
        parent = size / SCRIPT_RATIO
        dy = sum(SHIFT_EM.get(s, 0.0) * parent for s in shifts)
        y = _Y.search(tag)
        if y:
            tag = tag[:y.start(1)] + f"{float(y.group(1)) + dy:.2f}" + tag[y.end(1):]
    return _FAMILY.sub(lambda m: f'font-family="{css_family(m.group(1))}"', tag)


def fix_svg(text):
    """`text` (Graphviz SVG) with merged baseline shifts and CSS font lists; checked as XML."""
    fixed = _TEXT_TAG.sub(_fix_text_tag, text)
    check_xml(fixed)
    return fixed


def check_xml(text):
    """Raise `SVGError` naming the parser's complaint when `text` is not well-formed XML."""
    try:
        ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as exc:
        raise SVGError(str(exc)) from None
