"""Gradient-norm profiles against time: how much of a late loss reaches early steps (10.7).

For a loss at the last step only, grad_{h^(t)} L = (dh^(tau)/dh^(t))^T grad_{h^(tau)} L
(eq. 10.21 without the V^T grad_{o^(t)} L terms), so ||grad_{h^(t)} L|| follows the
Jacobian products of `jacobians`. The shared W collects one contribution per use
(eq. 10.26): grad_W L = sum_t grad_{W^(t)} L, with grad_{W^(t)} L = diag(1 - (h^(t))^2)
grad_{h^(t)} L h^(t-1)^T for the simple RNN. When early contributions vanish, grad_W L
is made of the last few steps only: the network cannot learn a long-range dependency.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

import autodiff
from autodiff import Tensor
from autodiff.errors import GradbookError

from .plotting import COLOURS, FORMATS, new_figure, save


class ProfileError(GradbookError):
    """A loss, state or parameter the profile cannot be measured on."""


@dataclass(frozen=True)
class GradientProfile:
    """||grad_{h^(t)} L|| and ||grad_{W^(t)} L||_F for t = 1..tau, for one network and loss."""

    label: str
    steps: np.ndarray                 # t = 1..tau
    grad_h_norm: np.ndarray           # ||grad_{h^(t)} L|| (Frobenius over the batch)
    param_step_norm: np.ndarray       # ||grad_{W^(t)} L||_F, the dummy copy W^(t) (eq. 10.26)
    param_grad: np.ndarray = field(repr=False)   # grad_W L, the sum of the dummy copies
    param_steps: dict = field(repr=False, default_factory=dict)  # t -> grad_{W^(t)} L

    @property
    def ratio(self) -> float:
        """||grad_{h^(1)} L|| / ||grad_{h^(tau)} L||: below 1 vanishing, above 1 exploding."""
        return float(self.grad_h_norm[0] / self.grad_h_norm[-1])

    @property
    def tau(self) -> int:
        return int(self.steps[-1])


def _step_of_nodes(root: Tensor) -> dict:
    """The time step of every node below `root`: its own ``meta['t']``, else the earliest
    step of the nodes that consume it (an unnamed W h^(t-1) belongs to step t)."""
    order = autodiff.toposort(root)
    consumers: dict = {}
    for node in order:
        for inp in node.inputs:
            consumers.setdefault(inp, []).append(node)
    steps = {}
    for node in reversed(order):
        if "t" in node.meta:
            steps[node] = node.meta["t"]
        else:
            later = [steps[c] for c in consumers.get(node, ()) if c in steps]
            if later:
                steps[node] = min(later)
    return steps


def parameter_contributions(root: Tensor, adjoints: Mapping, param: Tensor) -> dict[int, np.ndarray]:
    """grad_{W^(t)} L for each step t: the VJPs of the ops that use `param` at step t.

    The engine adds these up into grad_W L (eq. 10.26, the sum over the dummy copies W^(t));
    here they are kept apart, grouped by the step of the consuming op.
    """
    steps = _step_of_nodes(root)
    per_step: dict[int, np.ndarray] = {}
    for node in autodiff.toposort(root, needs_grad=True):
        g = adjoints.get(node)
        if g is None or node.prim is None:
            continue
        for k, inp in enumerate(node.inputs):
            if inp is not param:
                continue
            if node not in steps:
                raise ProfileError(f"{node.display_name} uses {param.display_name} but no time step "
                                   "can be found for it; tag the states with meta t")
            args = [i.value for i in node.inputs]
            piece = autodiff.sum_to(node.prim.vjp(k)(g, node.value, *args, **node.params), param.shape)
            t = steps[node]
            per_step[t] = per_step.get(t, 0.0) + np.asarray(piece)
    return dict(sorted(per_step.items()))


def gradient_profile(h: Mapping[int, Tensor], loss: Tensor, param: Tensor, label: str = "") -> GradientProfile:
    """Measure ||grad_{h^(t)} L|| and ||grad_{W^(t)} L|| for t = 1..tau from one backward pass.

    `h` maps t to the hidden-state node (``rnn.unroll(...).h``); `param` is the shared
    recurrent matrix (``model.params['W']``). Gradients are read from `autodiff.backprop`,
    so no ``.grad`` is touched.
    """
    if loss.size != 1:
        raise ProfileError(f"the loss {loss.display_name} has shape {loss.shape}; reduce it to a scalar")
    adjoints = autodiff.backprop(loss)
    keys = sorted(k for k in (h.keys() if hasattr(h, "keys") else range(len(h))) if k >= 1)
    missing = [t for t in keys if h[t] not in adjoints]
    if missing:
        raise ProfileError(f"the loss does not depend on h^({missing[0]}); "
                           "profile a loss computed from the unrolled states")
    norms = np.array([np.linalg.norm(np.asarray(adjoints[h[t]])) for t in keys])
    per_step = parameter_contributions(loss, adjoints, param)
    step_norms = np.array([np.linalg.norm(per_step.get(t, 0.0)) for t in keys])
    total = np.asarray(adjoints.get(param, np.zeros(param.shape)))
    return GradientProfile(label=label, steps=np.array(keys), grad_h_norm=norms,
                           param_step_norm=step_norms, param_grad=total, param_steps=per_step)


def _colour(label):
    for key, colour in COLOURS.items():
        if label.lower().startswith(key):
            return colour
    return None


def plot_profiles(profiles, out_dir, stem: str = "gradient_profile", title: str | None = None,
                  formats=FORMATS):
    """Semilog plot of ||grad_{h^(t)} L|| (left) and ||grad_{W^(t)} L||_F (right) against t.

    One line per profile; writes ``stem.png`` and ``stem.svg`` and returns their paths.
    """
    fig, (left, right) = new_figure(ncols=2)
    for p in profiles:
        colour = _colour(p.label)
        left.semilogy(p.steps, p.grad_h_norm, marker=".", ms=3, label=p.label, color=colour)
        # a zero contribution (W^(1) meets h^(0) = 0) has no logarithm: it is left out, not clamped
        drawn = p.param_step_norm > 0
        right.semilogy(p.steps[drawn], p.param_step_norm[drawn], marker=".", ms=3, label=p.label, color=colour)
    left.set_xlabel(r"time step $t$")
    left.set_ylabel(r"$\|\nabla_{\mathbf{h}^{(t)}} L\|$")
    left.set_title(r"gradient reaching $\mathbf{h}^{(t)}$, loss at $t=\tau$", fontsize=10)
    right.set_xlabel(r"time step $t$")
    right.set_ylabel(r"$\|\nabla_{\mathbf{W}^{(t)}} L\|_F$")
    right.set_title(r"contribution of $\mathbf{W}^{(t)}$ to $\nabla_{\mathbf{W}} L$", fontsize=10)
    for ax in (left, right):
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    return save(fig, out_dir, stem, formats)


def plot_jacobian_spectrum(spectra, out_dir, stem: str = "jacobian_norms", labels=None, formats=FORMATS):
    """Semilog plot of ||dh^(t)/dh^(k)||_2 (largest singular value) against t - k."""
    fig, (ax,) = new_figure()
    for k, spec in enumerate(spectra):
        label = labels[k] if labels else None
        ax.semilogy(spec.distance, spec.spectral_norm, marker=".", ms=3, label=label, color=_colour(label or ""))
    ax.set_xlabel(r"distance $t - k$")
    ax.set_ylabel(r"$\|\partial \mathbf{h}^{(t)} / \partial \mathbf{h}^{(k)}\|_2$")
    ax.set_title(r"Jacobian products $\prod_j \operatorname{diag}(1-(\mathbf{h}^{(j)})^2)\,\mathbf{W}$",
                 fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    if labels:
        ax.legend(fontsize=8)
    return save(fig, out_dir, stem, formats)
