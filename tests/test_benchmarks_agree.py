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
