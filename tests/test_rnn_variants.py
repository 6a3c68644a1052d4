"""Specification of the other recurrent shapes of chapter 10: Figs 10.4, 10.5 and 10.6."""
import numpy as np
import pytest

import autodiff as ad
import rnn
from rnn import bptt
from rnn.gradcheck import engine_gradients, finite_differences, max_relative_error

N_IN, H, K = 3, 4, 3


def inputs(tau, B, seed):
    rng = np.random.default_rng(seed)
    return rng, rng.normal(size=(tau, N_IN, B)), rng.integers(0, K, size=(tau, B))


def with_biases(model, rng):
    """Nonzero biases so that no gradient is trivially zero."""
    return model.load({"b": rng.normal(0, 0.5, model.params["b"].shape),
                       "c": rng.normal(0, 0.5, model.params["c"].shape)})


def assert_agree(engine, reference, tolerance):
    for name, value in reference.items():
        assert max_relative_error(engine[name], value) < tolerance, name


# ----- Fig. 10.4: output-to-hidden recurrence ----------------------------------------------------

@pytest.mark.parametrize("tau", [1, 2, 5])
@pytest.mark.parametrize("B", [1, 3])
def test_output_recurrence_gradient_equals_hand_bptt(tau, B):
    """a^(t) = b + W o^(t-1) + U x^(t): engine gradient equals the hand recurrence of Fig. 10.4."""
    rng, x, y = inputs(tau, B, seed=tau + 7 * B)
    model = with_biases(rnn.OutputRNN(N_IN, H, K, seed=tau), rng)
    o0 = rng.normal(size=(K, B))
    engine = engine_gradients(model, x, y, o0)
    hand = bptt.output_recurrence_bptt(bptt.RNNParams(**model.arrays()), x, y, o0)
    assert_agree(engine, {**hand.grads, "o_0": hand.grad_o0}, 1e-12)


@pytest.mark.parametrize("tau", [1, 5])
def test_output_recurrence_gradient_equals_finite_differences(tau):
    """The Fig. 10.4 graph's gradient is the true gradient, o^(0) included."""
    rng, x, y = inputs(tau, 2, seed=tau)
    model = with_biases(rnn.OutputRNN(N_IN, H, K, seed=tau), rng)
    o0 = rng.normal(size=(K, 2))
    assert_agree(engine_gradients(model, x, y, o0), finite_differences(model, x, y, o0), 1e-9)


def test_output_recurrence_feeds_o_not_h_to_the_next_step():
    """Only o^(t-1) reaches a^(t): the W of Fig. 10.4 is (H, K) and the state node is o_0."""
    _, x, y = inputs(3, 1, seed=0)
    model = rnn.OutputRNN(N_IN, H, K)
    u = rnn.unroll(model, x, y)
    assert model.params["W"].shape == (H, K)
    assert u.o[0].name == "o_0" and not u.has("h", 0)
    matmuls = [n for n in u.graph.nodes if n.op == "matmul" and n.inputs[0] is model.params["W"]]
    assert [m.inputs[1].name for m in matmuls] == ["o_0", "o_1", "o_2"]


# ----- Fig. 10.5: sequence to one -----------------------------------------------------------------

@pytest.mark.parametrize("tau", [1, 2, 5])
@pytest.mark.parametrize("B", [1, 3])
def test_sequence_to_one_gradient_equals_hand_bptt(tau, B):
    """A single loss at tau: eq. 10.19 starts the recurrence; W, U, b still sum over all t."""
    rng, x, y = inputs(tau, B, seed=tau + 11 * B)
    model = with_biases(rnn.SeqToOne(N_IN, H, K, seed=tau), rng)
    h0 = rng.normal(size=(H, B))
    engine = engine_gradients(model, x, y[-1], h0)
    hand = bptt.seq_to_one_bptt(bptt.RNNParams(**model.arrays()), x, y[-1], h0)
    assert_agree(engine, {**hand.grads, "h_0": hand.grad_h0}, 1e-12)


def test_sequence_to_one_gradient_equals_finite_differences():
    """The Fig. 10.5 graph's gradient is the true gradient."""
    rng, x, y = inputs(4, 2, seed=1)
    model = with_biases(rnn.SeqToOne(N_IN, H, K, seed=1), rng)
    h0 = rng.normal(size=(H, 2))
    assert_agree(engine_gradients(model, x, y[-1], h0), finite_differences(model, x, y[-1], h0), 1e-9)


def test_sequence_to_one_has_one_output_and_one_loss_at_tau():
    """o^(tau), yhat^(tau) and L = L^(tau) only (the lecture's tau = 6 sentence)."""
    _, x, y = inputs(6, 1, seed=2)
    u = rnn.unroll(rnn.SeqToOne(N_IN, H, K), x, y[-1, 0])
    assert list(u.o) == [6] and list(u.yhat) == [6]
    assert u.L[6] is u.loss and u.loss.name == "L"
    assert list(u.h) == [0, 1, 2, 3, 4, 5, 6]


def test_sequence_to_one_regression_uses_half_squared_error():
    """A linear head (the adding problem) has L = 1/2 ||o^(tau) - y||^2."""
    rng, x, _ = inputs(5, 3, seed=4)
    model = rnn.SeqToOne(N_IN, H, 1, head="linear")
    target = rng.normal(size=(1, 3))
    u = rnn.unroll(model, x, target)
    assert u.loss.value == pytest.approx(0.5 * np.sum((u.o[5].value - target) ** 2), rel=1e-14)
    assert_agree(engine_gradients(model, x, target), finite_differences(model, x, target), 1e-9)


# ----- Fig. 10.6 and the lecture's R: teacher forcing ------------------------------------------

def teacher_problem(tau, B, seed, **options):
    rng, x, y = inputs(tau, B, seed)
    model = with_biases(rnn.TeacherForcedRNN(N_IN, H, K, seed=seed, **options), rng)
    model.load({"R": rng.normal(0, 1.0, (H, K))})
    return model, x, y, rng.normal(size=(H, B))


def test_teacher_forcing_feeds_the_true_previous_target():
    """Training: a^(t) = b + W h^(t-1) + U x^(t) + R y^(t-1) with y^(t-1) the one-hot target."""
    model, x, y, _ = teacher_problem(4, 2, seed=0)
    u = rnn.unroll(model, x, y)
    fed = u.node("yprev", 3)
    assert fed.role == "constant" and fed.label == r"\boldsymbol{y}^{(2)}"
    assert np.array_equal(fed.value, ad.one_hot(y[1], K))
    assert np.array_equal(u.node("yprev", 1).value, np.zeros((K, 2)))


@pytest.mark.parametrize("tau", [1, 2, 5])
@pytest.mark.parametrize("B", [1, 3])
def test_teacher_forced_gradient_equals_finite_differences(tau, B):
    """With teacher forcing the R y^(t-1) term is an input: BPTT runs through h only."""
    model, x, y, h0 = teacher_problem(tau, B, seed=tau * 3 + B)
    assert_agree(engine_gradients(model, x, y, h0), finite_differences(model, x, y, h0), 1e-9)


def test_teacher_forced_gradient_equals_hand_bptt_when_R_is_zero():
    """R = 0 turns the lecture's network back into Fig. 10.3 (eqs 10.17-10.28)."""
    model, x, y, h0 = teacher_problem(5, 2, seed=1)
    model.load({"R": np.zeros((H, K))})
    engine = engine_gradients(model, x, y, h0)
    hand = bptt.bptt(bptt.RNNParams(**{n: v for n, v in model.arrays().items() if n != "R"}), x, y, h0)
    assert_agree(engine, {**hand.grads, "h_0": hand.grad_h0}, 1e-12)


def test_test_mode_feeds_back_the_models_own_output():
    """At test time y^(t-1) is replaced by the model's output yhat^(t-1) (Fig. 10.6)."""
    model, x, y, _ = teacher_problem(4, 2, seed=2, mode="test")
    u = rnn.unroll(model, x, y)
    a3 = u.a[3]
    assert u.yhat[2] in ad.trace(a3).nodes
    assert not u.has("yprev", 3)


@pytest.mark.parametrize("tau", [2, 5])
def test_test_mode_gradient_runs_through_the_fed_back_outputs(tau):
    """feedback='softmax': BPTT also follows yhat^(t-1) -> h^(t); checked by finite differences."""
    model, x, y, h0 = teacher_problem(tau, 2, seed=tau, mode="test")
    assert_agree(engine_gradients(model, x, y, h0), finite_differences(model, x, y, h0), 1e-9)


def test_argmax_feedback_is_a_constant_one_hot_of_the_previous_output():
    """feedback='argmax' feeds onehot(argmax yhat^(t-1)): a constant, so no gradient through it."""
    model, x, y, h0 = teacher_problem(4, 3, seed=5, mode="test", feedback="argmax")
    u = rnn.unroll(model, x, y, h0=h0)
    fed = u.node("yprev", 4)
    assert np.array_equal(fed.value, ad.one_hot(np.argmax(u.yhat[3].value, axis=0), K))
    assert_agree(engine_gradients(model, x, y, h0), finite_differences(model, x, y, h0), 1e-9)


def test_train_and_test_modes_differ_only_in_what_is_fed_back():
    """Same parameters, same inputs: the first step agrees, later steps differ."""
    model, x, y, _ = teacher_problem(3, 2, seed=6)
    train = rnn.unroll(model, x, y)
    model.mode = "test"
    test = rnn.unroll(model, x, y)
    assert np.array_equal(train.h[1].value, test.h[1].value)
    assert not np.allclose(train.h[2].value, test.h[2].value)


def test_teacher_forcing_without_targets_is_an_error():
    """Training mode needs y^(t-1); the error says how to run without targets."""
    model, x, _, _ = teacher_problem(3, 1, seed=0)
    with pytest.raises(rnn.RNNError, match="mode='test'"):
        rnn.unroll(model, x)
