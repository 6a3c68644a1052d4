"""The figure-level graph: the handful of variables a lecture figure shows.

An engine graph has one node per primitive (matmul, add, tanh...); a book figure has one
circle per variable (x^(t), h^(t), o^(t), L^(t)) and one arrow per dependency, labelled
with the weight matrix on the way (U, V, W). A `Diagram` holds that smaller graph, derived
from the engine's graph by `rnn.figures.collapse`; `rnn.figures.dot` writes it as DOT.
Nothing here is typed in per figure: nodes and edges keep a pointer to what they came from.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DNode:
    """One drawn node.

    `shape` says how it is drawn: ``variable`` (a circle), ``parameter`` (a box), ``op`` (a
    small circle with an op symbol), ``delay`` (the black square of Fig. 10.2), ``token``
    (a word of an example sentence), ``note`` (plain text), ``room`` (empty space).
    """

    id: str
    label: str
    kind: str | None = None
    t: int | None = None
    shape: str = "variable"
    op: str | None = None
    xlabel: str | None = None
    value: str | None = None
    grad: str | None = None
    emphasis: bool = False
    #: place in a time-laid-out row when not the step's column (a recomputed copy, a cut)
    order: tuple | None = None
    #: smallest diameter of a variable's circle, in inches (Graphviz sizes it to its label)
    min_size: str | None = None
    source: object = field(default=None, repr=False, compare=False)

    @property
    def recomputed(self):
        """Truncated BPTT's copy of a step that one loss recomputes, or its detached start
        (``h_s~t``, ``h_s_cut``: see `rnn.unrolling`)."""
        meta = self.source.meta if self.source is not None else {}
        return bool(meta.get("cut")) or meta.get("copy_for") is not None


@dataclass
class DEdge:
    """One drawn edge; `path` is the engine's op-level path it stands for.

    `path` is a list of ``(node, argument position)`` steps, the first step being the first
    op that consumed the source. `kind` is ``forward``, ``delay`` (through a delay square),
    ``gradient`` (backward pass), ``contribution`` (a parameter collecting one term), or
    ``cut`` (truncated BPTT: the gradient stops here).
    """

    src: str
    dst: str
    label: str = ""
    kind: str = "forward"
    params: tuple = ()
    path: list = field(default_factory=list, repr=False)
    highlight: bool = False
    constraint: bool = True


@dataclass
class Diagram:
    """Nodes, edges, optional clusters (side-by-side panels) and same-rank groups."""

    title: str = ""
    nodes: dict = field(default_factory=dict)
    edges: list = field(default_factory=list)
    clusters: list = field(default_factory=list)  # (id, caption, [node ids])
    ranks: list = field(default_factory=list)      # [node ids] drawn on one rank
    rankdir: str = "BT"
    #: lay time out left to right: one column per step t, rows kept in time order
    time_layout: bool = False
    #: (lower, upper) node pairs: `upper` is drawn one rank above `lower` (y^(t) above L^(t))
    above: list = field(default_factory=list)
    #: (left, right) node pairs drawn on one rank, `left` first ([h^(t-1); x^(t)] of a cell)
    beside: list = field(default_factory=list)

    def add_node(self, node):
        self.nodes.setdefault(node.id, node)
        return self.nodes[node.id]

    def add_edge(self, edge):
        self.edges.append(edge)
        return edge

    def edges_between(self, src, dst):
        return [e for e in self.edges if e.src == src and e.dst == dst]

    def by_kind(self, kind):
        """Node ids of one kind, in time order."""
        return [n.id for n in sorted(self.nodes.values(), key=lambda n: (n.t is None, n.t or 0, n.id))
                if n.kind == kind]

    def prefixed(self, prefix):
        """A copy with every id prefixed, so two diagrams can sit side by side in one figure."""
        out = Diagram(self.title, rankdir=self.rankdir, time_layout=self.time_layout)
        out.above = [(prefix + a, prefix + b) for a, b in self.above]
        out.beside = [(prefix + a, prefix + b) for a, b in self.beside]
        for node in self.nodes.values():
            out.add_node(DNode(**{**node.__dict__, "id": prefix + node.id}))
        for edge in self.edges:
            out.add_edge(DEdge(**{**edge.__dict__, "src": prefix + edge.src, "dst": prefix + edge.dst}))
        out.clusters = [(prefix + cid, caption, [prefix + i for i in ids]) for cid, caption, ids in self.clusters]
        out.ranks = [[prefix + i for i in group] for group in self.ranks]
        return out


def side_by_side(panels, title="", rankdir="BT"):
    """One diagram holding each ``(caption, diagram)`` as a captioned cluster, left to right."""
    out = Diagram(title, rankdir=rankdir)
    for k, (caption, diagram) in enumerate(panels):
        part = diagram.prefixed(f"p{k}_")
        out.nodes.update(part.nodes)
        out.edges.extend(part.edges)
        out.clusters.append((f"panel{k}", caption, list(part.nodes)))
        out.clusters.extend(part.clusters)
        out.ranks.extend(part.ranks)
        out.above.extend(part.above)
        out.beside.extend(part.beside)
        out.time_layout = out.time_layout or part.time_layout
    return out
