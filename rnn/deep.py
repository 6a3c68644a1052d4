"""Deep (stacked) and bidirectional recurrent networks built from the same cells (section 10.3, 10.5)."""
from __future__ import annotations

import copy

import autodiff as ad

from .errors import RNNError
from .model import Model

_LAYER_TYPES = ("SimpleRNN", "LSTM", "GRU", "Bidirectional")


def _check_layer(layer, where):
    if type(layer).__name__ not in _LAYER_TYPES:
        raise RNNError(f"{where}: {type(layer).__name__} cannot be a layer; use SimpleRNN, LSTM, GRU "
                       f"or Bidirectional (their output layers are not used inside)")


def _rescope_output_layer(model, scope):
    """Move a composite model's own V and c into `scope`; returns them by name."""
    model.scope = scope
    own = {name: model.params[name] for name in ("V", "c")}
    for name, p in own.items():
        p.tag(name=scope.param_name(name), label=scope.param_label(name))
    return own


class Bidirectional(Model):
    """A bidirectional RNN (Fig. 10.11): one cell runs forward in time, a second backward.

    The forward direction's state is the node ``fwd.h_t`` (the book's h^(t)), the backward
    direction's ``bwd.h_t`` (the book's g^(t), computed from x^(t..tau) and starting from
    ``bwd.h_{tau+1}``); the output reads both, o^(t) = c + V [h^(t); g^(t)], through their
    concatenation, the node ``h_t``. The backward cell is a copy of `cell` with fresh
    parameters (seed + 1) unless given. V is (K, 2H).
    """

    def __init__(self, cell, backward=None, seed=None):
        _check_layer(cell, "Bidirectional")
        backward = backward or copy.deepcopy(cell).reinitialize(cell.seed + 1)
        _check_layer(backward, "Bidirectional")
        if (backward.n_in, backward.n_out) != (cell.n_in, cell.n_out):
            raise RNNError(f"the backward cell has n_in={backward.n_in}, n_out={backward.n_out}; "
                           f"the forward one n_in={cell.n_in}, n_out={cell.n_out}: make them equal")
        self.directions = (cell, backward)
        super().__init__(cell.n_in, cell.hidden + backward.hidden, cell.n_out,
                         seed=cell.seed if seed is None else seed, outputs=cell.outputs, head=cell.head)
        self.rescope(self.scope)

    def _declare(self):
        return self._output_layer()

    def rescope(self, scope):
        forward, backward = self.directions
        forward.rescope(scope.child("fwd.", wrap=r"\overrightarrow{%s}"))
        backward.rescope(scope.child("bwd.", wrap=r"\overleftarrow{%s}"))
        own = _rescope_output_layer(self, scope)
        self.params = {**{p.name[len(scope.prefix):]: p for cell in self.directions
                          for name, p in cell.params.items() if name not in ("V", "c")}, **own}
        return self

    def sequence(self, nb, xs, given, ctx, reverse=False):
        """[h^(t); g^(t)] for t = 1..tau: the two directions, each with full BPTT."""
        given = given or (None, None)
        forward, backward = self.directions
        hs = forward.sequence(nb.scoped(forward.scope), xs, given[0], ctx)
        gs = backward.sequence(nb.scoped(backward.scope), xs, given[1], ctx, reverse=True)
        both = []
        for t, (h, g) in enumerate(zip(hs, gs), start=1):
            node = nb.node(ad.concatenate(h, g, axis=0), "h", t)
            node.tag(label=f"[{h.label}; {g.label}]")
            both.append(node)
        return both


class Stacked(Model):
    """A deep RNN (Fig. 10.13a): layer l reads the states h^[l-1](t) of the layer below.

    Layers are renamed into scopes ``l1.``, ``l2.``...: their nodes are ``l1.h_3``,
    their parameters ``l1.W`` (labelled \\boldsymbol{W}^{[1]}). The output layer o^(t) = c + V h^[L](t)
    belongs to the stack (the layers' own V and c are not used); ``u.h`` is the top layer.
    ``h0`` is None or one initial state per layer.
    """

    def __init__(self, layers, seed=0):
        layers = list(layers)
        if not layers:
            raise RNNError("Stacked needs at least one layer")
        for layer in layers:
            _check_layer(layer, "Stacked")
        for below, above in zip(layers, layers[1:]):
            if above.n_in != below.size:
                raise RNNError(f"a layer with n_in={above.n_in} sits on one with {below.size} outputs; "
                               f"make its n_in={below.size}")
        self.layers = layers
        top = layers[-1]
        super().__init__(layers[0].n_in, top.size, top.n_out, seed=seed, outputs=top.outputs, head=top.head)
        self.rescope(self.scope)

    def _declare(self):
        return self._output_layer()

    def rescope(self, scope):
        own = _rescope_output_layer(self, scope)
        params = {}
        for index, layer in enumerate(self.layers, start=1):
            layer.rescope(scope.child(f"l{index}.", sup=f"[{index}]"))
            params.update({p.name[len(scope.prefix):]: p for name, p in layer.params.items()
                           if name not in ("V", "c")})
        self.params = {**params, **own}
        self.output_scope = self.layers[-1].scope
        return self

    def sequence(self, nb, xs, given, ctx, reverse=False):
        """The layers bottom-up, each over the whole sequence (full BPTT)."""
        given = [None] * len(self.layers) if given is None else list(given)
        if len(given) != len(self.layers):
            raise RNNError(f"h0 gives {len(given)} initial states for {len(self.layers)} layers; give one per layer")
        for layer, state in zip(self.layers, given):
            xs = layer.sequence(nb.scoped(layer.scope), xs, state, ctx)
        return xs

