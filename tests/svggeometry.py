"""Boxes of an SVG figure as Graphviz drew it: each label's text, each node's outline.

Graphviz writes every run of an HTML-like label as its own ``<text>`` (x, y baseline,
font-size, anchor); a label's box is the union of its runs, each taken as font-size tall
and 0.5 em per character wide (Latin Modern's average advance), so two labels whose boxes
meet would touch on the page. Node outlines come from their ``<ellipse>`` or ``<polygon>``;
edge lines from their ``<path>`` (a cubic Bezier spline, sampled into a polyline).
"""
import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
EM_PER_CHAR = 0.5


def _text_box(t):
    size = float(t.get("font-size", 14))
    width = EM_PER_CHAR * size * len(t.text.strip())
    x, y = float(t.get("x")), float(t.get("y"))
    anchor = t.get("text-anchor", "start")
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return left, y - 0.75 * size, left + width, y + 0.25 * size


def _union(boxes):
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _outline(g):
    e = g.find(".//" + SVG + "ellipse")
    if e is not None:
        cx, cy, rx, ry = (float(e.get(k)) for k in ("cx", "cy", "rx", "ry"))
        return cx - rx, cy - ry, cx + rx, cy + ry
    p = g.find(".//" + SVG + "polygon")
    if p is not None:
        pts = [tuple(map(float, q.split(","))) for q in p.get("points").split()]
        return _union([(x, y, x, y) for x, y in pts])
    p = g.find(".//" + SVG + "path")
    if p is not None:
        # a rounded box is drawn as a path: its control points bound it
        values = [float(v) for v in _NUMBER.findall(p.get("d"))]
        return _union([(x, y, x, y) for x, y in zip(values[0::2], values[1::2])])
    return None


def boxes(path, ids=False):
    """{'labels': [(owner, box)], 'nodes': [(name, box)]} of an SVG file (boxes x0, y0, x1, y1);
    with `ids`, each label is (owner, box, the SVG id of the edge or node it belongs to).

    A node's own name sits inside its outline and is not a label; its xlabel (text outside
    the outline) is. An edge's texts are its label.
    """
    root = ET.parse(path).getroot()
    labels, nodes = [], []
    for g in root.iter(SVG + "g"):
        kind = g.get("class")
        if kind not in ("node", "edge"):
            continue
        title = g.find(SVG + "title").text
        runs = [_text_box(t) for t in g.iter(SVG + "text") if t.text and t.text.strip()]
        if kind == "edge":
            if runs:
                labels.append((title, _union(runs), g.get("id")))
            continue
        outline = _outline(g)
        if outline is None:
            if runs:
                labels.append((title, _union(runs), g.get("id")))
            continue
        nodes.append((title, outline))
        outside = [r for r in runs if not _inside(r, outline)]
        if outside:
            labels.append((title + " xlabel", _union(outside), g.get("id")))
    if not ids:
        labels = [label[:2] for label in labels]
    return {"labels": labels, "nodes": nodes}


def _inside(box, outer, slack=2.0):
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return outer[0] - slack <= cx <= outer[2] + slack and outer[1] - slack <= cy <= outer[3] + slack


def overlap(a, b, tolerance=0.5):
    """True when boxes a and b share more than `tolerance` points each way."""
    return min(a[2], b[2]) - max(a[0], b[0]) > tolerance and min(a[3], b[3]) - max(a[1], b[1]) > tolerance


def clashes(path):
    """Pairs of label boxes that overlap each other, or overlap a node's outline."""
    found = boxes(path)
    labels, nodes = found["labels"], found["nodes"]
    out = [(a, b) for i, (a, ba) in enumerate(labels) for b, bb in labels[i + 1:] if overlap(ba, bb)]
    out += [(a, n) for a, ba in labels for n, bn in nodes if not a.startswith(n + " ") and overlap(ba, bn)]
    return out


_NUMBER = re.compile(r"-?[\d.]+(?:e-?\d+)?")
SAMPLES = 16


def _path_points(d):
    """The polyline of an SVG path Graphviz wrote: ``M p C p p p [p p p ...]`` (absolute)."""
    values = [float(v) for v in _NUMBER.findall(d)]
    pts = list(zip(values[0::2], values[1::2]))
    out = [pts[0]]
    for k in range(0, len(pts) - 3, 3):
        p0, p1, p2, p3 = pts[k:k + 4]
        for i in range(1, SAMPLES + 1):
            t = i / SAMPLES
            a, b, c, e = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + e * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + e * p3[1]))
    return out


def edge_lines(path):
    """[(SVG id, edge title, polyline)] of every edge line drawn in an SVG file."""
    root = ET.parse(path).getroot()
    out = []
    for g in root.iter(SVG + "g"):
        if g.get("class") != "edge":
            continue
        title = g.find(SVG + "title").text
        out += [(g.get("id"), title, _path_points(p.get("d"))) for p in g.iter(SVG + "path")
                if p.get("stroke") not in (None, "none", "transparent")]
    return out


def _clip(p, q, box):
    """True when segment pq has a point inside `box` (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = p, q
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for d, near, far in ((dx, box[0] - x0, box[2] - x0), (dy, box[1] - y0, box[3] - y0)):
        if d == 0:
            if near > 0 or far < 0:
                return False
            continue
        a, b = sorted((near / d, far / d))
        lo, hi = max(lo, a), min(hi, b)
        if lo > hi:
            return False
    return True


def label_edge_clashes(path, shrink=0.5):
    """Pairs (label owner, edge title) where a label's box meets an edge line other than the
    edge it labels. A node's xlabel labels no edge, so no edge line may meet it. The boxes
    are shrunk by `shrink` points each way, so a line that only grazes a box's corner
    (the estimate of `_text_box` is generous) is not counted."""
    lines = edge_lines(path)
    out = []
    for owner, box, gid in boxes(path, ids=True)["labels"]:
        inner = (box[0] + shrink, box[1] + shrink, box[2] - shrink, box[3] - shrink)
        for eid, title, points in lines:
            if eid == gid:
                continue
            if any(_clip(p, q, inner) for p, q in zip(points, points[1:])):
                out.append((owner, title))
    return sorted(set(out))
