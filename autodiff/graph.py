"""The `Graph`: everything a root depends on, with stable ids, read and exported.

Node ids are positions in a deterministic topological order (``n0``, ``n1``, ...), never
``id()``, so the same code building the same graph gives the same ids and the same DOT.
"""
from __future__ import annotations

import json

import numpy as np

from .backward import toposort


def ancestors(root):
    """Every node `root` depends on, itself included, inputs first."""
    return toposort(root)


class Graph:
    """An immutable view of the computational graph below one or more roots."""

    def __init__(self, roots):
        roots = list(roots) if isinstance(roots, (list, tuple)) else [roots]
        seen, nodes = set(), []
        for root in roots:
            for node in toposort(root):
                if node not in seen:
                    seen.add(node)
                    nodes.append(node)
        self.roots = roots
        self.nodes = nodes
        self._ids = {node: f"n{k}" for k, node in enumerate(nodes)}

    def __len__(self):
        return len(self.nodes)

    def __iter__(self):
        return iter(self.nodes)

    def id_of(self, node):
        """The node's stable id in this graph (its topological position)."""
        return self._ids[node]

    def edges(self):
        """(input, output, argument position) for every edge; ``x*x`` gives two edges."""
        return [(inp, node, k) for node in self.nodes for k, inp in enumerate(node.inputs)]

    def find(self, name):
        """The node called `name`; a `KeyError` lists the names there are."""
        for node in self.nodes:
            if node.name == name:
                return node
        names = ", ".join(sorted({n.name for n in self.nodes if n.name}))
        raise KeyError(f"no node named {name!r} in this graph; named nodes: {names}")

    def zero_grad(self):
        for node in self.nodes:
            node.grad = None
            node.grad_node = None

    # ----- exports ------------------------------------------------------------------------
    def node_attributes(self, node):
        """Plain-data description of a node, shared by networkx and JSON exports."""
        return {
            "op": node.op,
            "name": node.name,
            "label": node.label,
            "shape": list(node.shape),
            "role": node.role,
            "meta": dict(node.meta),
            "params": {k: _plain(v) for k, v in node.params.items()},
        }

    def to_networkx(self, values=False):
        """A `networkx.MultiDiGraph`: node attributes op, name, label, shape, role, meta
        (and value, grad when asked); one edge per argument with attribute ``position``."""
        import networkx as nx  # imported when exporting only: it costs ~0.3 s at start-up
        g = nx.MultiDiGraph()
        for node in self.nodes:
            attrs = self.node_attributes(node)
            if values:
                attrs["value"] = _plain(node.value)
                attrs["grad"] = None if node.grad is None else _plain(node.grad)
            g.add_node(self._ids[node], **attrs)
        for inp, out, k in self.edges():
            g.add_edge(self._ids[inp], self._ids[out], key=k, position=k)
        return g

    def to_json(self, values=False, indent=None):
        """networkx node-link JSON (edges under ``"edges"``)."""
        from networkx import node_link_data
        data = node_link_data(self.to_networkx(values=values), edges="edges")
        return json.dumps(data, indent=indent, sort_keys=True)

    def to_dot(self, **options):
        """DOT text; options as in `autodiff.render.to_dot`."""
        from .render import to_dot
        return to_dot(self, **options)

    def render(self, path, **options):
        """Write the figure; the format comes from the suffix (.svg .pdf .png .dot)."""
        from .render import render
        return render(self, path, **options)

    def listing(self, backward=False):
        """The graph as a `autodiff.listing.Listing`, one line per node (``print`` it); with
        `backward`, the adjoints of reverse mode from the one root, one line each."""
        from .listing import backward_listing, listing
        return backward_listing(self) if backward else listing(self)

    def __str__(self):
        return str(self.listing())

    def _repr_mimebundle_(self, include=None, exclude=None):
        from .render import mimebundle
        return mimebundle(self)


def _plain(value):
    if isinstance(value, np.ndarray):
        return value.tolist() if value.dtype != object else [str(v) for v in value.ravel()]
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, slice):
        return f"{value.start}:{value.stop}:{value.step}"
    return value


def trace(roots):
    """The `Graph` of everything `roots` (a Tensor or a list of them) depend on."""
    return Graph(roots)
