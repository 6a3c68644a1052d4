"""Vanishing and exploding gradients lab (book 8.2.5 and 10.7).

* `jacobians`: dh^(t)/dh^(k) from the unrolled graph, from `autodiff.jacobian`, and from the
  closed form prod diag(1 - (h^(j))^2) W; their norms and singular values.
* `linear`: the linear recurrence of eqs. 10.36 - 10.39 (printed and corrected 10.39) and eq. 8.11.
"""
