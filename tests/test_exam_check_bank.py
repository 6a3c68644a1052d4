"""The question bank: every answer key agrees with the engine, and the engine's gradients at
the evaluation points agree with the hand-written BPTT of rnn.bptt (eqs. 10.17-10.28)."""
import numpy as np
import pytest

from rnn import bptt
from rnn.exam.check import Checker
from rnn.exam.context import random_points
from rnn.exam.questions import builtin_questions

REQUIRED = ["rnn/grad_o", "rnn/grad_h", "rnn/grad_h_tau", "rnn/grad_c", "rnn/grad_b", "rnn/grad_V",
            "rnn/grad_W", "rnn/grad_U", "scalar_rnn/dh2_dw", "scalar_rnn/dL_dw"]


def test_bank_has_the_issue_questions_and_the_other_models():
    ids = list(builtin_questions())
    assert set(REQUIRED) <= set(ids)
    assert {q.model for q in builtin_questions().values()} >= {"output_rnn", "lstm", "gru"}


@pytest.mark.parametrize("qid", list(builtin_questions()))
def test_answer_key_equals_the_engine_gradient(qid):
    """The key, typed in the bank, is itself checked against the engine at random points."""
    question = builtin_questions()[qid]
    assert Checker(question).check(question.reference, "text").verdict == "correct"


def test_points_have_distinct_sizes_and_a_nonzero_initial_state():
    for point in random_points(builtin_questions()["rnn/grad_W"], count=2):
        assert len({point.dims["n_in"], point.dims["H"], point.dims["K"]}) == 3
        assert np.all(point.env[("h", 0)] != 0)


def test_engine_gradients_equal_hand_bptt():
    """grad_o, grad_h (10.18-10.21) and grad_W, grad_U (10.26, 10.28) from the unrolled graph
    equal rnn.bptt's hand-written recurrences at the checker's points."""
    for point in random_points(builtin_questions()["rnn/grad_W"], count=2):
        env, tau = point.env, point.tau
        params = bptt.RNNParams(**{n: env[(n, None)] for n in ("U", "W", "V", "b", "c")})
        x = np.stack([env[("x", t)] for t in range(1, tau + 1)])
        y = np.stack([env[("y", t)] for t in range(1, tau + 1)]).astype(int)
        hand = bptt.bptt(params, x, y, h0=env[("h", 0)])
        for t in range(1, tau + 1):
            np.testing.assert_allclose(env[("grad_h", t)], hand.grad_h[t - 1], rtol=1e-10)
            np.testing.assert_allclose(env[("grad_o", t)], hand.grad_o[t - 1], rtol=1e-10)
        for name in ("W", "U", "V", "b", "c"):
            np.testing.assert_allclose(env[(f"grad_{name}", None)], hand.grads[name], rtol=1e-10)
