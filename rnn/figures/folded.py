"""The folded (recurrent) view, derived by collapsing time in an unrolled figure (Fig. 10.2).

Every node of the unrolled diagram is mapped to its kind (h^(1), h^(2), ... all become
h^(t)); an edge between nodes of the same step stays an ordinary edge, and an edge from
step t-1 to step t becomes the recurrence, drawn through the black square of the book's
one-step delay. The figure is therefore exactly as recurrent as the engine's graph.
"""
from __future__ import annotations

from autodiff.errors import GradbookError

from .book import generic_time
from .diagram import DEdge, DNode, Diagram, side_by_side


class FoldError(GradbookError):
    """An unrolled diagram cannot be folded (an edge jumps more than one step)."""


def fold(unrolled_diagram, title=""):
    """The folded `Diagram`: one node per kind, a delay square on each recurrent edge."""
    src = unrolled_diagram
    out = Diagram(title, rankdir=src.rankdir)
    rep = {}
    for node in src.nodes.values():
        if node.kind is None or node.t is None:
            continue
        if node.kind not in rep or (rep[node.kind].t or 0) < 1 <= (node.t or 0):
            rep[node.kind] = node
    anchors = {kind: node.t for kind, node in rep.items()}
    for node in src.nodes.values():
        kind = node.kind
        if kind in rep and rep[kind] is node:
            out.add_node(DNode(kind, generic_time(node.label, anchors[kind]), kind=kind, op=node.op,
                               shape=node.shape))
    seen = {}
    for edge in src.edges:
        a, b = src.nodes[edge.src], src.nodes[edge.dst]
        if a.kind not in rep or b.kind not in rep:
            continue
        lag = b.t - a.t
        if lag not in (0, 1):
            raise FoldError(f"edge {edge.src} -> {edge.dst} spans {lag} steps; only same-step and "
                            f"one-step (delay) edges fold")
        key = (a.kind, b.kind, lag)
        if key in seen:
            continue
        seen[key] = edge
        if lag == 0:
            out.add_edge(DEdge(a.kind, b.kind, label=edge.label, params=edge.params, path=edge.path))
        else:
            square = f"delay_{a.kind}_{b.kind}"
            out.add_node(DNode(square, "", kind="delay", shape="delay"))
            out.ranks.append([b.kind, square])
            out.add_edge(DEdge(a.kind, square, kind="delay", params=edge.params, path=edge.path,
                               constraint=False))
            out.add_edge(DEdge(square, b.kind, label=edge.label, kind="delay", params=edge.params,
                               path=edge.path, constraint=False))
            # the loop and its label rise above the state's rank, which ends a panel's box:
            # an empty node a rank above keeps them inside it
            room = out.add_node(DNode(f"room_{square}", "", shape="room"))
            out.above.append((b.kind, room.id))
    return out


def folded_and_unfolded(unrolled_diagram, title=""):
    """Fig. 10.2: the folded graph beside the unrolled one it was derived from."""
    return side_by_side([("folded", fold(unrolled_diagram)), ("unfolded", unrolled_diagram)],
                        title=title, rankdir=unrolled_diagram.rankdir)
