"""Vanishing and exploding gradients lab (book 8.2.5 and 10.7).

* `jacobians`: dh^(t)/dh^(k) from the unrolled graph, from `autodiff.jacobian`, and from the
  closed form prod diag(1 - (h^(j))^2) W; their norms and singular values.
* `linear`: the linear recurrence of eqs. 10.36 - 10.39 (printed and corrected 10.39) and eq. 8.11.
* `profile`: ||grad_{h^(t)} L|| and the per-step contributions of W^(t) for a loss at tau.
* `init`, `runs`, `controls`: spectral radius, tanh saturation, gradient clipping (10.11.1).
* `compare`: simple RNN, LSTM and GRU on the adding problem.
* `training`: the short adding-problem runs of both, with `rnn.optim`'s SGD, Adam and clipping.
* `heat`: the unrolled graph coloured by ||grad||; `lab` and `cli`: ``gradbook vanishing``.
"""


LECTURE_COMPARE = {"compare_steps": 20, "compare_iters": 150}
"""The lecture's comparison: tau = 20 as in ``gradbook vanishing --compare``, half its 300 Adam
iterations; enough for the LSTM and GRU to learn the task while the simple RNN does not."""


def lecture_figures(out_dir):
    """The lab's figures for the lecture companion: a list of (title, path, caption).

    Runs the default lab (simple RNN, rho = 0.9, tau = 50) once, with the RNN/LSTM/GRU
    comparison at `LECTURE_COMPARE` (its caption states tau and the iterations), and writes
    every figure to `out_dir` as SVG only, the format the lecture page shows.
    """
    from .lab import run_lab
    from .runs import Setting
    result = run_lab(Setting(), out_dir, compare=True, formats=("svg",), **LECTURE_COMPARE)
    return [(f.title, f.path, f.caption) for f in result.figures]
