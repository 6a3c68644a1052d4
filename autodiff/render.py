"""Drawing graphs: the one place to import from.

`to_dot` builds deterministic DOT text (`autodiff.dot`, with book notation from
`autodiff.labels`); `render` writes it as SVG, PDF, PNG or DOT through the renderer chain
(`autodiff.renderers`: system ``dot``, else the pygraphviz wheel in a child process, else
`RendererMissing` with the DOT written anyway); `mimebundle` shows a graph in Jupyter.

>>> import autodiff as ad
>>> from autodiff.render import to_dot
>>> x = ad.Tensor(2.0, name="x", requires_grad=True)
>>> y = (x * x).tag(name="y", role="loss")
>>> "n0 -> n1" in to_dot(ad.trace(y))
True
"""
from __future__ import annotations

from . import renderers
from .dot import HTML, STYLES, RoleLook, Style, StyleError, op_html, to_dot
from .errors import RendererMissing
from .labels import dot_escape, dot_quote, format_array, format_shape, html_label, plain_text
from .renderers import (FORMATS, INSTALL_HINT, RenderFailed, find_renderer, output_format,
                        render_many, render_source, svg_text)

__all__ = ["to_dot", "render", "render_source", "render_many", "mimebundle", "svg_text",
           "find_renderer", "html_label", "plain_text", "dot_escape", "dot_quote", "format_array",
           "format_shape", "op_html", "Style", "RoleLook", "STYLES", "HTML", "FORMATS",
           "INSTALL_HINT", "RenderFailed", "RendererMissing", "StyleError", "output_format"]


def render(graph, path, format=None, **options):
    """Draw `graph` to `path` (format from the suffix: .svg .pdf .png .dot); the written Path.

    `options` are those of `to_dot`. The DOT source is always written beside the figure.
    """
    return render_source(to_dot(graph, **options), path, format=format)


def mimebundle(graph, **options):
    """Jupyter display data: ``{'image/svg+xml': svg}``, or the DOT text when no renderer exists."""
    source = to_dot(graph, **options)
    if renderers.find_renderer() is None:
        return {"text/plain": source}
    return {"image/svg+xml": svg_text(source)}
