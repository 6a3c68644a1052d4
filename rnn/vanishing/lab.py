"""The whole lab in one call: measure one setting, sweep the controls, write figures and a summary.

`run_lab` is what ``gradbook vanishing`` runs and what `lecture_figures` draws from: each
figure comes back as a `Figure` (title, path, caption), and the numbers as summary lines.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

import rnn
from autodiff.errors import RendererMissing
from autodiff.workers import stop_workers, worker_pool
from rnn.data import adding_problem

from . import controls
from .compare import compare_cells, plot_comparison
from .heat import render_heat
from .jacobians import closed_form_jacobians, jacobians_from_graph, spectrum
from .plotting import FORMATS
from .profile import plot_jacobian_spectrum, plot_profiles
from .runs import TITLES, Setting, mean_tanh_derivative, measure, prepare

LINEAR_SCALE = 0.1
"""Input-weight scale that keeps tanh near its linear range, where rho alone decides."""

HEAT_STEPS = 6
"""Time steps drawn in the heat figure: enough to see the fade, few enough to read the nodes."""


@dataclass(frozen=True)
class Figure:
    title: str
    path: Path
    caption: str


@dataclass
class LabResult:
    figures: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    ratios: dict = field(default_factory=dict)   # setting label -> ||grad_h1 L|| / ||grad_htau L||

    @property
    def summary(self) -> str:
        return "\n".join(self.lines) + "\n"


def _ratio_line(label, ratio, extra=""):
    return f"  {label:<28} ||grad_h(1) L|| / ||grad_h(tau) L|| = {ratio:9.3e}{extra}"


def _shown(paths):
    """The SVG among a figure's files (what the page and the summary show), else the first."""
    return next((p for p in paths if p.suffix == ".svg"), paths[0])


def _main_setting(result, setting, out_dir, formats):
    profile, u = measure(setting)
    result.ratios[setting.label] = profile.ratio
    paths = plot_profiles([profile], out_dir, stem=f"profile_{setting.cell}",
                          title=f"{TITLES[setting.cell]}, loss at \u03c4 = {setting.tau} (adding problem)",
                          formats=formats)
    result.figures.append(Figure(
        f"Gradient profile, {TITLES[setting.cell]}", _shown(paths),
        f"||grad_h(t) L|| and the per-step contributions of W(t) to grad_W L for a loss at t = tau "
        f"= {setting.tau}; {setting.label}. Ratio h(1)/h(tau): {profile.ratio:.2e}."))
    result.lines += [
        f"setting: cell {setting.cell}, radius {setting.radius} ({setting.init}), tau {setting.tau}, "
        f"hidden {setting.hidden}, batch {setting.batch}, input scale {setting.input_scale:g}, seed {setting.seed}",
        _ratio_line(setting.label, profile.ratio),
        f"  mean tanh derivative 1 - (h(t))^2 over steps and units: {mean_tanh_derivative(u):.3f}",
    ]
    jac = jacobians_from_graph(u.h, setting.tau)
    spec = spectrum(jac, setting.tau)
    paths = plot_jacobian_spectrum([spec], out_dir, labels=[setting.label], formats=formats)
    result.figures.append(Figure(
        "Norms of the Jacobian products", _shown(paths),
        f"Largest singular value of dh(tau)/dh(k) against tau - k, read from the unrolled graph; {setting.label}."))
    result.lines.append(f"  ||dh(tau)/dh(0)||_2 = {spec.spectral_norm[0]:.3e}, "
                        f"||dh(tau)/dh(tau-1)||_2 = {spec.spectral_norm[-1]:.3e}")
    if setting.cell == "rnn":
        h_values = np.stack([u.h[t].value[:, 0] for t in range(setting.tau + 1)])
        closed = closed_form_jacobians(prepare(setting).params["W"].value, h_values, setting.tau)
        gap = max(float(np.max(np.abs(jac[k] - closed[k]))) for k in closed)
        result.lines.append(f"  graph Jacobians vs closed form prod diag(1 - h^2) W: max difference {gap:.1e}")


def _sweeps(result, setting, out_dir, formats):
    radii = (0.9, 1.0, 1.1)
    scales = [(setting.input_scale, "radius_sweep", "model's input weights")]
    if setting.input_scale != LINEAR_SCALE:
        scales.append((LINEAR_SCALE, "radius_sweep_linear", "near-linear tanh"))
    for scale, stem, note in scales:
        measured = controls.radius_sweep(radii, replace(setting, input_scale=scale))
        paths = controls.plot_sweep(measured, out_dir, stem,
                                    f"{TITLES[setting.cell]}: spectral radius of W ({note}, input scale {scale:g})",
                                    formats)
        result.figures.append(Figure(
            f"Spectral radius below, at and above 1 ({note})", _shown(paths),
            f"||grad_h(t) L|| for W = rho Q with rho = 0.9, 1, 1.1; input weights scaled by {scale:g}."))
        result.lines.append(f"radius sweep, input scale {scale:g} ({note}):")
        for m in measured:
            result.ratios[m.setting.label] = m.ratio
            result.lines.append(_ratio_line(m.setting.label, m.ratio, f"   mean tanh' {m.tanh_derivative:.3f}"))
    measured = controls.saturation_sweep((0.1, 1.0, 5.0), replace(setting, radius=1.1))
    paths = controls.plot_sweep(measured, out_dir, "saturation",
                                f"{TITLES[setting.cell]}: tanh saturation at \u03c1 = 1.1", formats)
    result.figures.append(Figure(
        "tanh saturation", _shown(paths),
        "Larger inputs push tanh into saturation: diag(1 - h^2) shrinks and gradients vanish even at rho = 1.1."))
    result.lines.append("tanh saturation at radius 1.1 (input weights scaled):")
    for m in measured:
        result.ratios[m.setting.label] = m.ratio
        result.lines.append(_ratio_line(m.setting.label, m.ratio, f"   mean tanh' {m.tanh_derivative:.3f}"))


def _clipping(result, out_dir, formats):
    plain, clipped = controls.clipping_experiment()
    paths = controls.plot_clipping([plain, clipped], out_dir, formats=formats)
    result.figures.append(Figure(
        "Gradient clipping on an exploding run", _shown(paths),
        "Simple RNN with rho = 1.5 on the adding problem (tau = 30), SGD with learning rate 0.02: "
        "without clipping the loss leaves the cliff and diverges; clipped at ||g|| = 1 it trains."))
    fate = (f"diverged at iteration {plain.diverged_at + 1}" if plain.diverged_at is not None
            else f"final loss {plain.final_loss:.3f}")
    result.lines += ["gradient clipping (simple RNN, rho 1.5, tau 30, SGD lr 0.02):",
                     f"  plain SGD: {fate}, largest ||g|| {plain.grad_norms.max():.2e}",
                     f"  clipped at 1: final loss {clipped.final_loss:.3f} (mean of the last 10 iterations), "
                     f"largest ||g|| before clipping {clipped.grad_norms.max():.2e}"]


def _heat(result, setting, out_dir):
    small = replace(setting, tau=min(setting.tau, HEAT_STEPS), hidden=min(setting.hidden, 4), batch=1)
    model = prepare(small)
    x, y = adding_problem(small.tau, 1, seed=small.seed)
    u = rnn.unroll(model, x, y)
    path = Path(out_dir) / f"heat_{setting.cell}.svg"
    try:
        render_heat(u.loss, path, title=f"||grad L|| on the unrolled {TITLES[setting.cell]} ({small.label})")
    except RendererMissing:
        result.lines.append(f"heat figure: no Graphviz renderer; DOT source written to {path.with_suffix('.dot')}")
        return
    result.figures.append(Figure(
        "Gradient heat on the unrolled graph", path,
        f"Named nodes of a {small.tau}-step unrolled {TITLES[setting.cell]}, filled by log10 ||grad||: "
        "the loss at the last step reaches the early states faintly."))


def output_names(cell):
    """Glob patterns of every file `run_lab` may write for `cell` (``gradbook vanishing``
    lists those already there before it replaces them)."""
    stems = (f"profile_{cell}", "jacobian_norms", "radius_sweep", "radius_sweep_linear", "saturation",
             "clipping", f"heat_{cell}", "compare_cells")
    return ("summary.txt", *(f"{stem}.*" for stem in stems))


def run_lab(setting: Setting, out_dir, compare: bool = False, clipping: bool = True, heat: bool = True,
            compare_steps: int = 20, compare_iters: int = 300, formats=FORMATS) -> LabResult:
    """Measure `setting`, sweep radius and saturation, and (optionally) the clipping run,
    the heat figure and the RNN/LSTM/GRU comparison (adding problem of length
    `compare_steps`, `compare_iters` Adam iterations each); figures go to `out_dir` in
    `formats` (the heat figure is always SVG)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    result = LabResult()
    # The comparison's training is most of the lab's time: one child process trains while
    # this one measures and plots, so a second core halves the wait.
    pool = worker_pool()
    try:
        comparison = pool.submit(compare_cells, tau=compare_steps, iters=compare_iters,
                                 seed=setting.seed) if compare else None
        _main_setting(result, setting, out_dir, formats)
        _sweeps(result, setting, out_dir, formats)
        if clipping:
            _clipping(result, out_dir, formats)
        if heat:
            _heat(result, setting, out_dir)
        if comparison is not None:
            _compare(result, comparison.result(), out_dir, formats)
    except BaseException:
        # Ctrl-C or an error: the child's training is not wanted, so do not wait for it.
        stop_workers()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return result


def _compare(result, runs, out_dir, formats):
    paths = plot_comparison(runs, out_dir, formats=formats)
    steps, iters = runs[0].tau, len(runs[0].training.losses)
    result.figures.append(Figure(
        "Simple RNN, LSTM and GRU on the adding problem", _shown(paths),
        f"Adding problem, tau = {steps}, {iters} Adam iterations per cell (same data, learning rate and "
        "clipping for each). Left: ||grad_h(t) L|| at initialisation (solid) and after training (dashed); "
        "right: training loss against the 'predict the mean' baseline."))
    result.lines.append(f"RNN vs LSTM vs GRU on the adding problem (tau {steps}, {iters} Adam iterations each):")
    for run in runs:
        result.ratios[run.label] = run.profile.ratio
        result.lines.append(_ratio_line(run.label + ", initial", run.profile.ratio,
                                        f"   trained: {run.trained_profile.ratio:.3e}; final loss "
                                        f"{run.final_loss:.4f} vs baseline {run.baseline:.4f}: "
                                        f"{'learned' if run.succeeded else 'not learned'}"))
