"""Vanishing and exploding gradients lab (book 8.2.5 and 10.7).

* `jacobians`: dh^(t)/dh^(k) from the unrolled graph, from `autodiff.jacobian`, and from the
  closed form prod diag(1 - (h^(j))^2) W; their norms and singular values.
* `linear`: the linear recurrence of eqs. 10.36 - 10.39 (printed and corrected 10.39) and eq. 8.11.
* `profile`: ||grad_{h^(t)} L|| and the per-step contributions of W^(t) for a loss at tau.
* `init`, `runs`, `controls`: spectral radius, tanh saturation, gradient clipping (10.11.1).
* `compare`: simple RNN, LSTM and GRU on the adding problem.
* `heat`: the unrolled graph coloured by ||grad||; `lab` and `cli`: ``gradbook vanishing``.
"""


def lecture_figures(out_dir):
    """The lab's figures for the lecture companion: a list of (title, path, caption).

    Runs the default lab (simple RNN, rho = 0.9, tau = 50) with the RNN/LSTM/GRU comparison
    and writes every figure to `out_dir` (SVG paths returned; PNGs beside them).
    """
    from .lab import run_lab
    from .runs import Setting
    result = run_lab(Setting(), out_dir, compare=True)
    return [(f.title, f.path, f.caption) for f in result.figures]
