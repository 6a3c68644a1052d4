"""The controls of book 10.7 / 10.11.1, the comparison of cells, the heat figure and `gradbook vanishing`."""
import numpy as np
import pytest

from autodiff.cli import main
from rnn.vanishing import compare, controls, heat, init, runs


def test_scaled_orthogonal_and_random_have_the_requested_spectral_radius():
    """Both initialisations set rho(W) = max |lambda_i| exactly."""
    for kind in init.INITS:
        assert init.spectral_radius(init.recurrent_matrix(6, 1.1, kind, seed=2)) == pytest.approx(1.1)


def test_set_radius_rescales_every_recurrent_matrix_of_an_lstm():
    """The LSTM's W, W_f, W_g, W_o all get the radius; input weights are untouched."""
    model = runs.make_model("lstm", hidden=3)
    U_before = model.params["U"].value.copy()
    names = init.set_radius(model, 0.7)
    assert sorted(names) == ["W", "W_f", "W_g", "W_o"]
    assert all(init.spectral_radius(model.params[n].value) == pytest.approx(0.7) for n in names)
    np.testing.assert_array_equal(model.params["U"].value, U_before)


def test_near_linear_ratio_follows_rho_to_the_tau_minus_one():
    """Eq. 10.39 read on gradients: with tanh near linear, the ratio scales as rho^(tau - 1)."""
    base = runs.Setting(tau=12, hidden=6, batch=2, input_scale=0.01)
    low, high = controls.radius_sweep((0.9, 1.1), base)
    assert low.ratio < 1 < high.ratio
    assert low.ratio / high.ratio == pytest.approx((0.9 / 1.1) ** 11, rel=0.05)


def test_saturation_makes_gradients_vanish_above_radius_one():
    """Larger inputs shrink diag(1 - (h^(t))^2), so the ratio falls even at rho = 1.1."""
    sweep = controls.saturation_sweep((0.1, 5.0), runs.Setting(radius=1.1, tau=12, hidden=6, batch=2))
    assert sweep[1].tanh_derivative < sweep[0].tanh_derivative
    assert sweep[0].ratio > 1 > 100 * sweep[1].ratio


def test_clipping_keeps_an_exploding_run_finite():
    """The exploding SGD run diverges without clipping and stays finite with it."""
    plain, clipped = controls.clipping_experiment(iters=25)
    assert plain.diverged_at is not None
    assert clipped.diverged_at is None and np.isfinite(clipped.final_loss)


def test_comparison_returns_profiles_and_runs_for_each_cell():
    """Each cell gets a profile over t = 1..tau before and after training and a loss curve."""
    cell_runs = compare.compare_cells(tau=4, hidden=2, batch=4, iters=3)
    assert [r.cell for r in cell_runs] == ["rnn", "lstm", "gru"]
    for r in cell_runs:
        assert list(r.profile.steps) == [1, 2, 3, 4] and len(r.training.losses) == 3
        assert list(r.trained_profile.steps) == [1, 2, 3, 4]


def test_heat_dot_colours_states_by_gradient_norm():
    """Every h^(t) is filled, and the colour follows log10 ||grad_{h^(t)} L||."""
    _, u = runs.measure(runs.Setting(tau=4, hidden=3, batch=1))
    source = heat.heat_dot(u.loss, title="heat")
    norms = heat.gradient_norms(u.loss)
    scale = heat.HeatScale(norms[u.h[t]] for t in range(1, 5))
    for t in range(1, 5):
        assert f'tooltip="h_{t}"' in source
    assert heat.HeatScale(norms.values()).colour(norms[u.h[4]]) in source
    assert scale.fraction(norms[u.h[4]]) == 1.0
    assert "cluster_legend" in source


def test_cli_writes_figures_and_a_summary(tmp_path, capsys):
    """`gradbook vanishing` writes the figures and summary.txt with the measured ratio."""
    code = main(["vanishing", "--cell", "rnn", "--radius", "0.9", "--steps", "6", "--hidden", "3",
                 "--batch", "2", "--no-clipping", "-o", str(tmp_path)])
    assert code == 0
    summary = (tmp_path / "summary.txt").read_text()
    assert "||grad_h(1) L|| / ||grad_h(tau) L||" in summary
    assert summary in capsys.readouterr().out
    for stem in ("profile_rnn", "jacobian_norms", "radius_sweep", "radius_sweep_linear", "saturation"):
        assert (tmp_path / f"{stem}.png").exists() and (tmp_path / f"{stem}.svg").exists()


def test_cli_rejects_a_one_step_sequence(tmp_path, capsys):
    """A sequence of one step has no long-term dependency; the error names the option."""
    assert main(["vanishing", "--steps", "1", "-o", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "argument --steps: 1 is too small" in err and "at least 2" in err
