"""Edge crossings of a figure as Graphviz laid it out (its ``json`` output).

Each edge's ``pos`` is a cubic B-spline (Graphviz's control points, 3n + 1 of them); it is
sampled into a polyline, and two edges cross where two of their segments properly
intersect. Edges that share an end node meet there, which is not a crossing: Graphviz
starts and ends every spline on its node's outline, so shared ends never intersect properly.
"""
from rnn.figures.tikz import layout, spline

SAMPLES = 12


def _bezier(p0, p1, p2, p3, n=SAMPLES):
    out = []
    for k in range(n + 1):
        t = k / n
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3
        out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def polyline(pos):
    """The points of an edge's spline, sampled SAMPLES times per cubic piece."""
    points, _, _ = spline(pos)
    out = [points[0]]
    for k in range(0, len(points) - 3, 3):
        out += _bezier(*points[k:k + 4])[1:]
    return out


def _cross(p, q, r, s):
    """True when segment pq and segment rs intersect at a point inside both."""
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    d1, d2, d3, d4 = orient(r, s, p), orient(r, s, q), orient(p, q, r), orient(p, q, s)
    return d1 * d2 < 0 and d3 * d4 < 0


def edges(dot):
    """[(tail, head, label, polyline)] of every drawn edge of `dot` (invisible ones left out)."""
    laid = layout(dot)
    # the objects list the subgraphs first, numbered apart from the nodes
    names = {o["_gvid"]: o["name"] for o in laid.get("objects", [])[laid.get("_subgraph_cnt", 0):]}
    return [(names[e["tail"]], names[e["head"]], e.get("label", "") or e.get("xlabel", ""), polyline(e["pos"]))
            for e in laid.get("edges", []) if e.get("style") != "invis" and "pos" in e]


def crossings(drawn):
    """Pairs ``((tail, head), (tail, head))`` of edges in `drawn` (as `edges` gives) that cross."""
    out = []
    for i, (a, b, _, pa) in enumerate(drawn):
        for c, d, _, pc in drawn[i + 1:]:
            if any(_cross(p, q, r, s) for p, q in zip(pa, pa[1:]) for r, s in zip(pc, pc[1:])):
                out.append(((a, b), (c, d)))
    return out
