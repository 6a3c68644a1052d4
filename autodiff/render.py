"""Drawing graphs: the one place to import from.

`to_dot` builds deterministic DOT text (`autodiff.dot`, with book notation from
`autodiff.labels`); `render` writes it as SVG, PDF, PNG or DOT through the renderer chain
(`autodiff.renderers`: system ``dot``, else the pygraphviz wheel in a child process, else
`RendererMissing` with the DOT written anyway); `mimebundle` shows a graph in Jupyter.
`add_export_arguments` gives every drawing command the same ``--dpi`` and ``--font``.

>>> import autodiff as ad
>>> from autodiff.render import to_dot
>>> x = ad.Tensor(2.0, name="x", requires_grad=True)
>>> y = (x * x).tag(name="y", role="loss")
>>> "n0 -> n1" in to_dot(ad.trace(y))
True
"""
from __future__ import annotations

import argparse
import sys

from . import renderers
from .fonts import SERIF, missing_font_note
from .dot import HTML, STYLES, RoleLook, Style, StyleError, op_html, to_dot
from .errors import RendererMissing
from .labels import dot_escape, dot_quote, format_array, format_shape, html_label, plain_text
from .renderers import (FORMATS, INSTALL_HINT, RenderFailed, find_renderer, output_format,
                        render_many, render_source, svg_text)

__all__ = ["to_dot", "render", "render_source", "render_many", "mimebundle", "svg_text",
           "find_renderer", "html_label", "plain_text", "dot_escape", "dot_quote", "format_array",
           "format_shape", "op_html", "Style", "RoleLook", "STYLES", "HTML", "FORMATS",
           "INSTALL_HINT", "RenderFailed", "RendererMissing", "StyleError", "output_format",
           "add_export_arguments", "announce_font"]


def render(graph, path, format=None, dpi=None, **options):
    """Draw `graph` to `path` (format from the suffix: .svg .pdf .png .dot); the written Path.

    `options` are those of `to_dot`; `dpi` is a PNG's resolution (default 72). The DOT
    source is always written beside the figure.
    """
    return render_source(to_dot(graph, **options), path, format=format, dpi=dpi)


def mimebundle(graph, **options):
    """Jupyter display data: ``{'image/svg+xml': svg}``, or the DOT text when no renderer exists."""
    source = to_dot(graph, **options)
    if renderers.find_renderer() is None:
        return {"text/plain": source}
    return {"image/svg+xml": svg_text(source)}


def _dpi(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 10 <= value <= 2400:
        raise argparse.ArgumentTypeError(f"--dpi takes whole dots per inch from 10 to 2400 (300 for slides); "
                                         f"got {text!r}")
    return value


def add_export_arguments(parser):
    """``--dpi N`` (PNG resolution) and ``--font FAMILY`` for a drawing command."""
    parser.add_argument("--dpi", type=_dpi, default=None, metavar="N",
                        help="PNG resolution in dots per inch (default 72; 300 for slides)")
    parser.add_argument("--font", default=None, metavar="FAMILY",
                        help="font family of every label (default: Latin Modern, the LaTeX font; "
                             "where it is not installed the system serif, with a one-line note)")


def announce_font(font, default=SERIF):
    """Print one line on stderr when the figures' font is not installed (they still render)."""
    note = missing_font_note(font or default)
    if note:
        print(note, file=sys.stderr)
