"""Fig. 10.6, teacher forcing, as the book draws it: output-to-hidden recurrence only.

The book's network has no h^(t-1) -> h^(t) edge: a^(t) = b + W y^(t-1) + U x^(t) at train
time, where the true previous output y^(t-1) is fed in (teacher forcing), and
a^(t) = b + W o^(t-1) + U x^(t) at test time, where the model's own output takes its place
and there is no target and no loss. The test-time network is exactly Fig. 10.4's
`rnn.OutputRNN`; the train-time one is `TeacherForcedOutputRNN` below. (The lecture's
`rnn.TeacherForcedRNN`, with both W h^(t-1) and R y^(t-1), is the ``r-connection`` figure.)
"""
from __future__ import annotations

import numpy as np

import autodiff as ad
from rnn.cells import OutputRNN


class TeacherForcedOutputRNN(OutputRNN):
    """Fig. 10.6 (left), train time: a^(t) = b + W y^(t-1) + U x^(t), h^(t) = tanh(a^(t)),
    o^(t) = c + V h^(t); y^(t-1) is the one-hot true target (a constant), y^(0) = 0.

    The carried o^(t-1) is computed but not read: teacher forcing cuts the output-to-hidden
    recurrence, so BPTT never crosses a step (the book's point about parallel training).
    """

    def step(self, nb, t, x, prev, ctx):
        p, K = self.params, self.n_out
        if t == 1:
            y_prev = nb.leaf(np.zeros((K, ctx.batch)), "yprev", t, role="constant")
        else:
            y_prev = nb.leaf(ad.one_hot(ctx.targets[t - 2], K), "yprev", t, role="constant")
        a = nb.node(p["b"] + p["W"] @ y_prev + p["U"] @ x, "a", t)
        h = nb.node(ad.tanh(a), "h", t)
        return {"a": a, "h": h, "o": self.logits(nb, t, h)}
