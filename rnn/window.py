"""The lecture's sliding-window DNN: the non-recurrent baseline, on the same data as the RNNs."""
from __future__ import annotations

import numpy as np

import autodiff as ad

from .errors import RNNError
from .model import Model


class WindowDNN(Model):
    """A feed-forward network over a sliding window of the last `width` tokens (lecture 4b).

    e^(t) = E x^(t) embeds the one-hot input; z^(t) = [e^(t-width+1); ...; e^(t)] concatenates
    the window (embeddings before the sequence start are zero, nodes ``e_0``, ``e_-1``...);
    one hidden layer a^(t) = b + W z^(t), h^(t) = tanh(a^(t)); then o^(t) = c + V h^(t) and
    yhat^(t) = softmax(o^(t)) as in eqs 10.10-10.11. Nothing is carried from step to step, so
    its memory is exactly `width` tokens and "the ground" must be learnt separately in every
    window it appears in. E is (embed, n_in), W (H, width * embed).
    """

    carry = ()

    def __init__(self, n_in, hidden, n_out, seed=0, width=3, embed=8, outputs="every", head="softmax"):
        if not isinstance(width, int) or width < 1 or not isinstance(embed, int) or embed < 1:
            raise RNNError(f"width={width!r} and embed={embed!r} must be positive integers")
        self.width, self.embed = width, embed
        super().__init__(n_in, hidden, n_out, seed=seed, outputs=outputs, head=head)

    def _declare(self):
        H, d = self.hidden, self.embed
        return [("E", (d, self.n_in), self.n_in), ("W", (H, self.width * d), self.width * d),
                ("b", (H, 1), None), ("V", (self.n_out, H), H), ("c", (self.n_out, 1), None)]

    def sequence(self, nb, xs, given, ctx, reverse=False):
        """h^(1..tau): each from the window of the last `width` embeddings, independently."""
        if given is not None:
            raise RNNError("WindowDNN has no recurrent state; unroll it with h0=None")
        p, batch = self.params, xs[0].shape[1]
        embeddings = {t: nb.leaf(np.zeros((self.embed, batch)), "e", t, role="constant")
                      for t in range(2 - self.width, 1)}
        hs = []
        for t, x in enumerate(xs, start=1):
            embeddings[t] = nb.node(p["E"] @ x, "e", t)
            window = [embeddings[s] for s in range(t - self.width + 1, t + 1)]
            z = nb.node(ad.concatenate(*window, axis=0), "z", t) if self.width > 1 else window[0]
            a = nb.node(p["b"] + p["W"] @ z, "a", t)
            h = nb.node(ad.tanh(a), "h", t)
            nb.stamp([h], t)
            hs.append(h)
        return hs
