"""TikZ export of the lecture figures: Graphviz lays them out, TeX typesets their labels.

A lecturer drops the result into a Beamer frame (``\\input{fig10_3_rnn.tex}``) instead of
redrawing the figure by hand. The geometry is Graphviz's own: the figure's DOT is laid out
once more with Graphviz's ``json`` output (`autodiff.renderers`), which gives every node's
centre and size, every edge's B-spline and arrowhead polygon, and every label's position,
in points with y pointing up, as in TikZ. Points become centimetres (1 bp = 2.54/72 cm), so
the picture has the shape of the SVG and PDF drawn from the same DOT.

The text is not Graphviz's. Graphviz only sees HTML-like labels (`autodiff.labels`); here
each node and edge label is the figure's own LaTeX (``\\mathbf{h}^{(t)}``,
``\\mathbf{W}^\\top\\operatorname{diag}(1 - (\\mathbf{h}^{(t+1)})^2)``), typeset by TeX, with
the book's bold italic vectors written ``\\boldsymbol`` (amsmath). Only what has no LaTeX
source (the op symbols and role names of the engine's op-level graph) is read back from
Graphviz's label. Output is pure TikZ with no library, and deterministic: same figure,
same text.
"""
from __future__ import annotations

import json
import re
import tempfile
from html import unescape
from pathlib import Path

from autodiff.dot import has_own_label, op_html
from autodiff.labels import GREEK, SYMBOLS, format_array, format_shape
from autodiff.renderers import render_source
from rnn import names

from . import catalog, dot
from .diagram import Diagram
from .themes import FigureOptionError

CM_PER_BP = 2.54 / 72
#: The text area of a default 4:3 Beamer frame with a title, which a figure is scaled to fit.
FRAME_CM = (10.5, 6.5)

# Unicode that figure labels and printed numbers use, as TeX math: the inverse of the tables
# `autodiff.labels` maps LaTeX commands to Unicode with, plus the signs written as Unicode.
_MATH = {"\u2212": "-", "\u00f7": r"\div", "\u2009": r"\,", "\u2002": r"\;", "\u2003": r"\quad"}
for _table in (GREEK, SYMBOLS):
    for _name, _char in _table.items():
        if not _char.isascii() and _name.isalpha():
            _MATH.setdefault(_char, "\\" + _name)
_BOLD = re.compile(r"\\(?:mathbf|bm)(?![A-Za-z])")
_TEXT_ARG = re.compile(r"\\text\{([^{}]*)\}")
_PLAIN_SCRIPT = re.compile(r"([_^])([A-Za-z0-9]+)")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_POINT_SIZE = re.compile(r'<FONT POINT-SIZE="([\d.]+)">')


class TikzError(FigureOptionError):
    """A label holds a character TeX cannot typeset from this export, or a colour it cannot name."""


# --- text -------------------------------------------------------------------------------

def tex_math(label, where="label"):
    """A figure's LaTeX label as inline math for TeX: ``\\mathbf`` and ``\\bm`` become
    ``\\boldsymbol`` (the book's bold italic vectors), Unicode signs become commands, and a
    plain name such as ``h_12`` keeps its whole subscript (``h_{12}``), as `autodiff.labels` reads it.
    """
    text = str(label)
    if "\\" not in text and "{" not in text:
        text = _PLAIN_SCRIPT.sub(r"\1{\2}", text)
    text = _BOLD.sub(r"\\boldsymbol", text)
    text = _TEXT_ARG.sub(lambda m: r"\text{" + names.tex_text(m.group(1)) + "}", text)
    return "$" + _unicode_math(text, where, label) + "$"


def tex_text(text, where="text"):
    """Plain text (a printed value, a caption, a title) for TeX: text mode, Unicode signs as math."""
    return _NON_ASCII.sub(lambda m: "$" + _unicode_math(m.group(0), where, text) + "$", names.tex_text(str(text)))


def _unicode_math(text, where, whole):
    """`text` with each non-ASCII character as its TeX math command (`whole` names it in an error)."""
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        else:
            cmd = _math_char(ch, where, whole)
            out.append(cmd + " " if cmd[-1].isalpha() else cmd)
    return "".join(out)


def _math_char(ch, where, text):
    if ch == "\u22a4":
        return r"{}^{\top}"
    if ch in _MATH:
        return _MATH[ch]
    raise TikzError(f"the {where} {text!r} has the character {ch!r} (U+{ord(ch):04X}), which the TikZ "
                    f"export cannot typeset; write it as a LaTeX command in the label")


def _html_text(html, where):
    """The text of a Graphviz HTML-like label (op symbols, role names) as TeX, scripts kept."""
    parts, pos = [], 0
    for m in re.finditer(r"<(/?)([A-Za-z]+)[^>]*>", html):
        parts.append(tex_text(unescape(html[pos:m.start()]), where))
        tag = m.group(2).upper()
        if tag in ("SUP", "SUB"):
            parts.append(("\\text" + ("superscript{" if tag == "SUP" else "subscript{")) if not m.group(1) else "}")
        elif tag in ("BR", "VR"):
            parts.append(r" $|$ " if tag == "VR" else " ")
        pos = m.end()
    parts.append(tex_text(unescape(html[pos:]), where))
    return "".join(parts).strip()


def _font(size):
    """A TeX font switch for Graphviz's point size (its line spacing is 1.2 x the size)."""
    size = float(size)
    return rf"\fontsize{{{_num(size)}}}{{{_num(round(size * 1.2, 1))}}}\selectfont"


def _line_sizes(html, default):
    """Point size of each line of an HTML-like label (lines split at ``<BR/>``): a ``<FONT>``
    around the whole line, else `default`."""
    sizes = []
    for line in str(html or "").split("<BR/>"):
        found = _POINT_SIZE.match(line)
        sizes.append(float(found.group(1)) if found else float(default))
    return sizes


# --- numbers, colours, styles -------------------------------------------------------------

def _num(value):
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _cm(x, y):
    return f"({_num(x * CM_PER_BP)},{_num(y * CM_PER_BP)})"


def _point(text):
    x, y = text.split(",")[:2]
    return float(x), float(y)


_NAMED_COLOURS = {"black", "white", "gray", "red", "green", "blue", "cyan", "magenta", "yellow", "orange"}


def colour(value, where="colour"):
    """A Graphviz colour as an xcolor expression: ``#c0392b`` -> ``{rgb,255:red,192;green,57;blue,43}``."""
    value = str(value).strip().lower()
    if value in _NAMED_COLOURS:
        return value
    if re.fullmatch(r"#[0-9a-f]{6}([0-9a-f]{2})?", value):
        r, g, b = (int(value[k:k + 2], 16) for k in (1, 3, 5))
        return f"{{rgb,255:red,{r};green,{g};blue,{b}}}"
    raise TikzError(f"the {where} {value!r} is not a colour the TikZ export knows; use #rrggbb or one of "
                    f"{', '.join(sorted(_NAMED_COLOURS))}")


def _styles(attrs):
    return {s.strip() for s in str(attrs.get("style", "")).split(",") if s.strip()}


def _line_options(attrs, styles, scale):
    """Dashes and the line width: Graphviz's pen width in bp, scaled with the picture (TikZ's
    ``scale`` leaves line widths alone, so they are scaled here, as in the SVG)."""
    opts = []
    pen = float(attrs.get("penwidth", 2.0 if "bold" in styles else 1.0))
    if pen != 1.0:
        opts.append(f"line width={_num(pen * scale)}bp")
    if "dashed" in styles:
        opts.append("dashed")
    if "dotted" in styles:
        opts.append("dotted")
    return opts


# --- layout -------------------------------------------------------------------------------

def layout(dot_source):
    """Graphviz's layout of `dot_source`: its ``json`` output, parsed."""
    with tempfile.TemporaryDirectory(prefix="gradbook-tikz-") as tmp:
        path = render_source(dot_source, Path(tmp) / "layout.json")
        return json.loads(path.read_text(encoding="utf-8"))


def _parts(laid):
    """(clusters, {node name: attrs}, [edge attrs with tail and head names]) of a layout."""
    count = laid.get("_subgraph_cnt", 0)
    objects = laid.get("objects", [])
    clusters = [o for o in objects[:count] if o.get("name", "").startswith("cluster") and "bb" in o]
    nodes = {o["name"]: o for o in objects[count:]}
    by_gvid = {o["_gvid"]: o["name"] for o in objects[count:]}
    edges = [{**e, "tail": by_gvid[e["tail"]], "head": by_gvid[e["head"]]}
             for e in sorted(laid.get("edges", []), key=lambda e: e["_gvid"])]
    return clusters, nodes, edges


def spline(pos):
    """Graphviz's edge ``pos``: (B-spline points, start arrow point or None, end arrow point or None)."""
    points, start, end = [], None, None
    for token in str(pos).split(";")[0].split():
        if token.startswith("e,"):
            end = _point(token[2:])
        elif token.startswith("s,"):
            start = _point(token[2:])
        else:
            points.append(_point(token))
    return points, start, end


# --- the picture --------------------------------------------------------------------------

class _Names:
    """TikZ node names from DOT ids (or the `preferred` name of an id): characters TikZ reads
    specially (``.``, ``~``) become ``-``, and a clash gets a number."""

    def __init__(self, preferred=None):
        self.names, self.used, self.preferred = {}, set(), preferred or {}

    def __call__(self, dot_id):
        if dot_id not in self.names:
            base = re.sub(r"[^A-Za-z0-9_-]", "-", self.preferred.get(dot_id, dot_id)) or "node"
            name, k = base, 2
            while name in self.used:
                name, k = f"{base}-{k}", k + 1
            self.used.add(name)
            self.names[dot_id] = name
        return self.names[dot_id]


def _node_shape(attrs, scale=1.0):
    """TikZ shape options for a Graphviz node: its shape, size, outline and fill."""
    shape = attrs.get("shape", "ellipse")
    styles = _styles(attrs)
    w, h = float(attrs.get("width", 0.75)) * 72 * CM_PER_BP, float(attrs.get("height", 0.5)) * 72 * CM_PER_BP
    if shape in ("circle", "doublecircle"):
        opts = ["circle", f"minimum size={_num(w)}cm"]
    elif shape in ("ellipse", "oval"):
        opts = ["ellipse", f"minimum width={_num(w)}cm", f"minimum height={_num(h)}cm"]
    else:
        opts = ["rectangle", f"minimum width={_num(w)}cm", f"minimum height={_num(h)}cm"]
        if "rounded" in styles:
            opts.append("rounded corners=0.1cm")
    if shape in ("plaintext", "plain", "none"):
        return opts
    opts.append("draw=" + colour(attrs.get("color", "black"), "node colour"))
    opts += _line_options(attrs, styles, scale)
    if "filled" in styles:
        opts.append("fill=" + colour(attrs.get("fillcolor", attrs.get("color", "lightgrey")), "fill colour"))
    if int(attrs.get("peripheries", 1)) > 1 or shape == "doublecircle":
        opts.append("double")
    return opts


def _label_node(pos, text, size, attrs):
    opts = ["gb label", f"font={_font(size)}"]
    if attrs.get("fontcolor", "black") != "black":
        opts.append("text=" + colour(attrs["fontcolor"], "font colour"))
    return f"\\node[{', '.join(opts)}] at {_cm(*_point(pos))} {{{text}}};"


def _edge_lines(edge, name, label, xlabel, scale):
    """One ``\\draw`` for the spline, one ``\\fill`` per arrowhead, a node per label."""
    styles = _styles(edge)
    opts = ["gb edge", "draw=" + colour(edge.get("color", "black"), "edge colour")] + _line_options(edge, styles, scale)
    if "pos" not in edge:
        # Graphviz routed no spline (a constraint=false edge across ranks, e.g. a skip
        # connection's gradient): a straight arrow between the two nodes, labelled midway
        text = f" node[midway, auto, font={_font(_line_sizes(edge.get('label'), edge.get('fontsize', 14))[0])}] {{{label}}}" \
            if label else ""
        return [f"\\draw[{', '.join(opts)}, -stealth] ({name(edge['tail'])}) --{text} ({name(edge['head'])});"]
    points = spline(edge["pos"])[0]  # Graphviz ends it at the arrowhead's base; _hdraw_ has the head
    path = _cm(*points[0])
    for k in range(1, len(points) - 2, 3):
        path += f" .. controls {_cm(*points[k])} and {_cm(*points[k + 1])} .. {_cm(*points[k + 2])}"
    ends = (edge["head"], edge["tail"]) if edge.get("dir") == "back" else (edge["tail"], edge["head"])
    lines = [f"\\draw[{', '.join(opts)}] {path}; % {name(ends[0])} -> {name(ends[1])}"]
    ink = colour(edge.get("color", "black"), "edge colour")
    for key in ("_tdraw_", "_hdraw_"):
        for op in edge.get(key, []):
            if op.get("op") in ("P", "p"):
                poly = " -- ".join(_cm(*p) for p in op["points"]) + " -- cycle"
                verb = "\\fill" if op["op"] == "P" else "\\draw"
                lines.append(f"{verb}[gb arrow, {'fill' if op['op'] == 'P' else 'draw'}={ink}] {poly};")
    size = _line_sizes(edge.get("label"), edge.get("fontsize", 14))[0]
    if label and "lp" in edge:
        lines.append(_label_node(edge["lp"], label, size, edge))
    if xlabel and "xlp" in edge:
        xsize = _line_sizes(edge.get("xlabel"), edge.get("fontsize", 14))[0]
        lines.append(_label_node(edge["xlp"], xlabel, xsize, edge))
    return lines


def _bounding_box(laid):
    return tuple(float(v) for v in laid["bb"].split(","))


def natural_size(laid):
    """(width, height) of a layout in cm, at scale 1."""
    x0, y0, x1, y1 = _bounding_box(laid)
    return (x1 - x0) * CM_PER_BP, (y1 - y0) * CM_PER_BP


def fit_scale(laid):
    """The largest scale (two decimals, at most 1) at which the layout fits `FRAME_CM`."""
    width, height = natural_size(laid)
    scale = min(1.0, FRAME_CM[0] / max(width, 1e-9), FRAME_CM[1] / max(height, 1e-9))
    return max(0.01, int(scale * 100) / 100)


def picture(laid, node_text, edge_text, cluster_text=None, title=None, scale=None, comment="", names=None):
    """The ``tikzpicture`` of a Graphviz layout `laid`, with TeX for every label.

    `node_text(name, attrs)` gives a node's lines as ``[tex, ...]`` and its xlabel (or None);
    `edge_text(edge)` an edge's (label, xlabel); `cluster_text(name, attrs)` a cluster's
    caption; `title` the graph's. `scale` None fits `FRAME_CM`. `names` maps DOT ids to TikZ
    node names where they differ.
    """
    clusters, nodes, edges = _parts(laid)
    x0, y0, x1, y1 = _bounding_box(laid)
    width, height = natural_size(laid)
    scale = fit_scale(laid) if scale is None else scale
    name = _Names(names)
    # the picture is exactly Graphviz's drawing area, whatever TeX's text measures
    body = [f"\\useasboundingbox {_cm(x0, y0)} rectangle {_cm(x1, y1)};"]
    background = str(laid.get("bgcolor", "white")).lower()
    if background not in ("white", "transparent", "none", "#ffffff", "#ffffffff"):
        body.append(f"\\fill[fill={colour(background, 'background')}] {_cm(x0, y0)} rectangle {_cm(x1, y1)};")
    if title and "lp" in laid:
        body.append(_label_node(laid["lp"], title, laid.get("fontsize", 14), laid))
    for cl in clusters:
        if "invis" in _styles(cl):
            continue  # the space kept around a panel (rnn.figures.dot.PANEL_GAP)
        cx0, cy0, cx1, cy1 = (float(v) for v in cl["bb"].split(","))
        opts = ["gb cluster", "draw=" + colour(cl.get("color", "black"), "cluster colour")]
        if "rounded" in _styles(cl):
            opts.append("rounded corners=0.15cm")
        opts += _line_options(cl, _styles(cl), scale)
        body.append(f"\\draw[{', '.join(opts)}] {_cm(cx0, cy0)} rectangle {_cm(cx1, cy1)};")
        caption = cluster_text(cl["name"], cl) if cluster_text else None
        if caption and "lp" in cl:
            body.append(_label_node(cl["lp"], caption, cl.get("fontsize", 14), cl))
    for nid, attrs in nodes.items():
        lines, xlabel = node_text(nid, attrs)
        sizes = _line_sizes(attrs.get("label"), attrs.get("fontsize", 14))
        if len(sizes) < len(lines):
            sizes += [sizes[-1]] * (len(lines) - len(sizes))
        text = "\\\\".join(lines[:1] + [f"{{{_font(s)} {ln}}}" for s, ln in zip(sizes[1:], lines[1:])])
        opts = ["gb node", *_node_shape(attrs, scale), f"font={_font(sizes[0])}"]
        if attrs.get("fontcolor", "black") != "black":
            opts.append("text=" + colour(attrs["fontcolor"], "font colour"))
        body.append(f"\\node[{', '.join(opts)}] ({name(nid)}) at {_cm(*_point(attrs['pos']))} {{{text}}};")
        if xlabel and "xlp" in attrs:
            size = _line_sizes(attrs.get("xlabel"), attrs.get("fontsize", 14))[0]
            body.append(_label_node(attrs["xlp"], xlabel, size, attrs))
    for edge in edges:
        if "invis" in _styles(edge):
            continue  # a layout-only edge (rnn.figures.dot's time layout)
        label, xlabel = edge_text(edge)
        body.extend(_edge_lines(edge, name, label, xlabel, scale))
    libraries = sorted({"shapes.geometric"} if any(_node_shape(a)[0] == "ellipse" for a in nodes.values()) else set())
    head = [f"% {line}" for line in comment.splitlines() if line.strip()]
    head += [
        "% TikZ laid out by Graphviz (gradbook draw --format tikz); needs \\usepackage{tikz} and amsmath"
        + (f", \\usetikzlibrary{{{','.join(libraries)}}}" if libraries else "") + ".",
        f"% Natural size {_num(width)} cm x {_num(height)} cm, drawn at scale={_num(scale)} (text and lines too).",
        "% To resize, export again with --tikz-scale S, or wrap the picture in \\resizebox{\\linewidth}{!}{...}.",
        f"\\begin{{tikzpicture}}[scale={_num(scale)}, transform shape, line width={_num(scale)}bp,",
        "  gb node/.style={inner sep=0pt, outer sep=0pt, align=center},",
        "  gb label/.style={inner sep=0pt, align=center},",
        "  gb edge/.style={line cap=round},",
        "  gb arrow/.style={},",
        "  gb cluster/.style={}]",
    ]
    return "\n".join(head + ["  " + line for line in body] + ["\\end{tikzpicture}"]) + "\n"


# --- figures ------------------------------------------------------------------------------

def _diagram_texts(diagram):
    """node_text, edge_text and cluster_text for a `Diagram`, from its own LaTeX labels."""
    # Graphviz numbers a cluster's edges first; parallel edges keep their order
    queues = {}
    for edge in diagram.edges:
        queues.setdefault(dot.drawn_ends(edge), []).append(edge)

    def node_text(nid, attrs):
        node = diagram.nodes[nid]
        where = f"label of node {nid}"
        lines = [tex_math(node.label, where)] if node.label else []
        if node.op:
            lines.append(tex_math(node.op, where))
        if node.value:
            lines.append(tex_text(node.value, where))
        if node.grad:
            lines.append(r"$\nabla$\," + tex_text(node.grad, where))
        return lines or [""], (tex_math(node.xlabel, where) if node.xlabel else None)

    def edge_text(edge):
        own = queues[(edge["tail"], edge["head"])].pop(0)
        text = tex_math(own.label, f"label of edge {own.src} -> {own.dst}") if own.label else None
        return (None, text) if "xlabel" in edge else (text, None)

    captions = {"cluster_" + cid: caption for cid, caption, _ in diagram.clusters}

    def cluster_text(name, attrs):
        return tex_text(captions[name], "caption") if captions.get(name) else None

    return node_text, edge_text, cluster_text


def _graph_texts(graph):
    """node_text and edge_text for the engine's op-level graph (`autodiff.dot`'s op view)."""
    tensors = {graph.id_of(n): n for n in graph.nodes}
    ops = {graph.id_of(n) + "_op": n for n in graph.nodes if n.prim is not None}

    def node_text(nid, attrs):
        if nid in tensors:
            node = tensors[nid]
            where = f"label of node {nid}"
            small = f"{{{_font(9)} {tex_text(format_shape(node.shape), where)}}}"
            cells = ([tex_math(node.label, where)] if has_own_label(node) else []) + [small]
            cells.append("data " + tex_text(format_array(node.value), where))
            if node.grad is not None:
                cells.append("grad " + tex_text(format_array(node.grad), where))
            return [" $|$ ".join(cells)], None
        if nid in ops:
            return [_html_text(op_html(ops[nid]), f"op of node {nid}")], None
        return [_html_text(str(attrs.get("label", "")), f"label of node {nid}")], None

    def edge_text(edge):
        return None, (tex_text(edge["xlabel"], "edge label") if edge.get("xlabel") else None)

    return node_text, edge_text


def standalone_document(body, size_cm):
    """A complete LaTeX document whose page is the picture plus a 2 pt border.

    Built on ``article`` and ``geometry`` (TeX Live's base and recommended sets) rather than
    the ``standalone`` class, which many installations lack; `size_cm` is the picture's
    (width, height) as drawn.
    """
    libraries = sorted(set(re.findall(r"\\usetikzlibrary\{([^}]*)\}", body.split("\\begin{tikzpicture}")[0])))
    border = 2 * 2.54 / 72.27  # 2 pt each side, in cm; and 0.1 mm against rounding
    width, height = (_num(v + 2 * border + 0.01) for v in size_cm)
    return ("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n\\usepackage{amsmath}\n"
            f"\\usepackage[papersize={{{width}cm,{height}cm}},margin=2pt]{{geometry}}\n"
            "\\usepackage{tikz}\n" + "".join(f"\\usetikzlibrary{{{lib}}}\n" for lib in libraries)
            + "\\pagestyle{empty}\n\\setlength{\\topskip}{0pt}\n\\setlength{\\parindent}{0pt}\n"
            "\\begin{document}\n" + body + "\\end{document}\n")


def tikz_names(diagram):
    """TikZ node names of a `Diagram`'s nodes: an unnamed op (``mul_105``, numbered by a
    process-wide counter) is numbered within the figure instead (``mul-1``), so the same
    figure gives the same text however many figures were built before it."""
    names, seen = {}, {}
    for nid, node in diagram.nodes.items():
        src = node.source
        if src is not None and getattr(src, "name", None) is None and getattr(src, "op", None):
            seen[src.op] = seen.get(src.op, 0) + 1
            names[nid] = f"{src.op}-{seen[src.op]}"
    return names


def tikz_of(made, name, style="book", theme="print", scale=None, standalone=False, font=None):
    """TikZ of a figure `catalog.figure` built; ``(tikz text, dot source)`` (see `figure_tikz`).

    `font` is the family Graphviz measures the labels in, so node sizes match the SVG's."""
    source = catalog.dot_of(made, name, style, theme, font)
    if scale is not None and not scale > 0:
        raise FigureOptionError(f"--tikz-scale must be positive; got {scale}")
    if scale is None and standalone:
        scale = 1.0
    laid = layout(source)
    # a lecturer's cell (rnn.custom_figure) is no catalogue kind: its name describes it
    about = catalog.KINDS[name].description if name in catalog.KINDS else f"the unrolled cell {name}"
    comment = f"{name}: {about} (style {style}, theme {theme})"
    if isinstance(made, Diagram):
        node_text, edge_text, cluster_text = _diagram_texts(made)
        title = tex_text(made.title, "title") if made.title else None
        body = picture(laid, node_text, edge_text, cluster_text, title, scale, comment, tikz_names(made))
    else:
        node_text, edge_text = _graph_texts(made)
        body = picture(laid, node_text, edge_text, lambda cl, attrs: tex_text(attrs.get("label", ""), "caption"),
                       None, scale, comment)
    if not standalone:
        return body, source
    scale = fit_scale(laid) if scale is None else scale
    return standalone_document(body, [v * scale for v in natural_size(laid)]), source


def figure_tikz(name, steps=None, view=None, style="book", theme="print", values=False, grads=False,
                truncate=None, scale=None, standalone=False, font=None, parts=()):
    """TikZ of the figure `name` (see `catalog.KINDS`): its DOT laid out by Graphviz, its LaTeX typeset.

    Returns ``(tikz text, dot source)``. `scale` None fits a Beamer frame (`FRAME_CM`), or
    1 in a standalone document; `standalone` wraps the picture in a complete document
    (`standalone_document`).
    """
    made = catalog.figure(name, steps, view, values, grads, truncate, parts)
    return tikz_of(made, name, style, theme, scale, standalone, font)
