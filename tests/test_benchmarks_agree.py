"""The benchmark's implementations compute the same loss and gradients (issue 8), no timing.

On the tiny config (T=6, H=3, V=4, batch 1) every implementation of `bench_bptt` must give
the book's L = sum_t L^(t) (eqs 10.12-10.14) and the gradients of eqs 10.22-10.28 of the
hand-written BPTT to a relative error below 1e-8. PyTorch and HIPS autograd are optional:
their tests skip when the package is absent.
"""
from __future__ import annotations

import numpy as np
import pytest

from benchmarks import bptt_implementations as impls  # found through setup.cfg's pythonpath
from benchmarks.bench_bptt import TOLERANCE, paired_ratios
from rnn.bptt import PARAMETER_NAMES

TINY = impls.CONFIGS_BY_NAME["tiny"]
OPTIONAL = ("torch_ops", "torch_rnn", "hips_autograd", "engine_cell")


@pytest.fixture(scope="module")
def tiny():
    return impls.problem(TINY)


@pytest.fixture(scope="module")
def reference(tiny):
    return impls.IMPLEMENTATIONS[impls.BASELINE].make(tiny)()


def _result(name, problem):
    impl = impls.IMPLEMENTATIONS[name]
    reason = impl.missing()
    if reason is not None:
        pytest.skip(reason)
    return impl.make(problem)()


def test_every_implementation_shares_the_seeded_inputs():
    """Same seed, same one-hot x^(t), targets y^(t) and parameters U, W, V, b, c."""
    a, b = impls.problem(TINY), impls.problem(TINY)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert all(np.array_equal(a.params.as_dict()[k], b.params.as_dict()[k]) for k in PARAMETER_NAMES)
    assert np.all(a.x.sum(axis=1) == 1.0)


def test_baseline_loss_is_the_summed_negative_log_likelihood(tiny, reference):
    """L = -sum_t sum_batch log yhat^(t)[y^(t)] (eqs 10.12-10.14), not divided by tau."""
    from rnn.bptt import forward
    cache = forward(tiny.params, tiny.x)
    picked = np.take_along_axis(cache.log_yhat, tiny.y[:, None, :], axis=1)
    assert reference[0] == pytest.approx(-picked.sum(), rel=1e-12)


def test_engine_op_level_agrees_with_hand_written_bptt(tiny, reference):
    """rnn.unroll(level='op') then L.backward() gives eqs 10.22-10.28's gradients."""
    assert impls.disagreement(_result("engine_op", tiny), reference) < TOLERANCE


@pytest.mark.parametrize("name", OPTIONAL)
def test_optional_implementation_agrees_with_hand_written_bptt(name, tiny, reference):
    """Cell-level engine, PyTorch (op by op, nn.RNN) and HIPS autograd: same L and gradients."""
    assert impls.disagreement(_result(name, tiny), reference) < TOLERANCE


def test_gradients_come_back_in_the_book_shapes(tiny, reference):
    """U (H, n_in), W (H, H), V (K, H), b (H, 1), c (K, 1), whatever the implementation."""
    _, grads = _result("engine_op", tiny)
    assert {k: grads[k].shape for k in PARAMETER_NAMES} == {k: reference[1][k].shape for k in PARAMETER_NAMES}


def test_disagreement_detects_a_wrong_gradient(reference):
    """The agreement check is not vacuous: a 1e-6 change to one entry of dL/dW is caught."""
    loss, grads = reference
    wrong = {k: v.copy() for k, v in grads.items()}
    wrong["W"][0, 0] += 1e-6 * np.abs(grads["W"]).max()
    assert impls.disagreement((loss, wrong), reference) > TOLERANCE


def test_ratios_are_paired_round_by_round():
    """Each round's time is divided by the baseline's time in the same round."""
    ratios = paired_ratios([2.0, 6.0, 3.0], [1.0, 2.0, 3.0])
    assert ratios == {"median": 2.0, "min": 1.0, "max": 3.0}


@pytest.mark.parametrize("config", impls.CONFIGS[:2], ids=lambda c: c.name)
def test_per_step_book_bptt_agrees_with_the_time_batched_baseline(config):
    """The second baseline, written step by step from eqs 10.8-10.28, gives bptt_fast's L and gradients."""
    pb = impls.problem(config)
    reference = impls.IMPLEMENTATIONS[impls.BASELINE].make(pb)()
    assert impls.disagreement(impls.IMPLEMENTATIONS["book_bptt"].make(pb)(), reference) < 1e-12


def test_both_baselines_are_labelled_and_every_target_names_one():
    from benchmarks.bench_bptt import ENGINE_TARGETS
    assert impls.BASELINES == {"book_bptt": "per-step", "numpy_bptt": "batched"}
    assert all(baseline in impls.BASELINES for baseline, _ in ENGINE_TARGETS.values())
    assert impls.scaling_config(50000).T == 50000 and impls.scaling_config(10).H == impls.CONFIGS_BY_NAME["long"].H


def test_table_prints_both_baselines_and_labels_each_ratio():
    from benchmarks.bench_bptt import table
    timing = {"median_ms": 1.0, "min_ms": 1.0, "max_ms": 1.0,
              "ratios": {"book_bptt": {"median": 2.0, "min": 2.0, "max": 2.0},
                         "numpy_bptt": {"median": 3.0, "min": 3.0, "max": 3.0}}}
    row = {"config": TINY.__dict__, "timings": {"book_bptt": timing, "numpy_bptt": timing, "engine_op": timing}}
    text = table([row], ["book_bptt", "numpy_bptt", "engine_op"])
    assert "per-step book BPTT" in text and "time-batched bptt_fast" in text
    assert "2.00x per-step (2.00/2.00); 3.00x batched (3.00/3.00)" in text


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_gated_benchmark_pairs_compute_the_same_loss_and_gradients(kind):
    """bench_gated's engine run (cell level) and torch's nn.LSTM / nn.GRU agree before timing."""
    pytest.importorskip("torch", reason="TORCH NOT INSTALLED: .venv/bin/pip install torch==2.13.0")
    from benchmarks import bench_gated
    x, y = bench_gated._problem()
    engine, torch_run = bench_gated._pair(kind, x[:5], y[:5])
    assert bench_gated._disagreement(engine(), torch_run()) < bench_gated.TOLERANCE


def test_scaling_verdict_compares_each_lengths_best_round():
    """A burst of load that moves one length's median does not decide the verdict; a per-step
    time that grows with T does."""
    from benchmarks.bench_bptt import scaling_verdict
    flat = [{"T": 1000, "engine_op": 150.0, "engine_op_min": 150.0},
            {"T": 50000, "engine_op": 210.0, "engine_op_min": 160.0}]
    growing = [{"T": 1000, "engine_op": 150.0, "engine_op_min": 150.0},
               {"T": 50000, "engine_op": 540.0, "engine_op_min": 500.0}]
    assert scaling_verdict(flat)["state"] == "met"
    assert scaling_verdict(growing)["state"] == "MISSED"
