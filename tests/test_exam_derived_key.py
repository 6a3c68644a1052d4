"""The answer key as the derivation writes it (`rnn.exam.derived`, issue 16): the checker
compares a wrong answer with `rnn.derive`'s own equation, as trees, to say which sub-term is
wrong; the verdict stays the engine's, at random points."""
from __future__ import annotations

import pytest

from autodiff.cli import main
from rnn.derive import derive
from rnn.exam.check import Checker
from rnn.exam.derived import derived_key
from rnn.exam.printers import to_text
from rnn.exam.questions import builtin_questions
from tests.cellfiles import question_folder

# no single derived equation: the scalar exam (derive_scalar's form), and h^(0), before the recurrence
UNDERIVED = {"scalar_rnn/dh2_dw", "scalar_rnn/dL_dw", "rnn/grad_h0"}


@pytest.mark.parametrize("qid", sorted(builtin_questions()))
def test_every_built_in_key_the_derivation_has_equals_the_engines_gradient(qid):
    """The derived tree is the key the feedback uses: it must hold at every checked point."""
    checker = Checker(builtin_questions()[qid])
    if qid in UNDERIVED:
        assert checker.derived is None
    else:
        assert checker.derived is not None, f"{qid}: no derived key, or one the engine disagrees with"


def test_the_derived_tree_is_the_printed_derivation():
    """rnn/grad_W's key is eq. 10.26 as `gradbook derive rnn` prints it, read as an answer."""
    key = derived_key(builtin_questions()["rnn/grad_W"])
    assert to_text(key) == "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T"
    assert "sum(t=1..tau, diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T)" in derive("rnn").equation("W").text()
    assert to_text(derived_key(builtin_questions()["rnn/grad_h_tau"])) == "V.T @ grad_o[tau]"   # eq. 10.19


def test_a_wrong_factor_is_located_against_the_derived_key():
    """lstm/grad_s's key is derived as diag(f[t+1]) @ grad_s[t+1] + ...: a factor written as an
    elementwise product in another order is still paired with its equal."""
    result = Checker(builtin_questions()["lstm/grad_s"]).check(
        "(1 - tanh(s[t])**2) * grad_h[t] * q[t] + q[t+1] * grad_s[t+1]")
    assert result.verdict == "incorrect"
    assert "In the term q[t+1] * grad_s[t+1], this factor should be f[t+1]: you wrote q[t+1]." in result.message


QUESTIONS = '''
[[question]]
id = "relu/grad_W"
cell = "cells/relu_rnn.py:relu_rnn"
asked = "grad_W"
symbols = ["a", "h", "grad_a", "grad_h"]
statement = "Derive the gradient of L with respect to W for the ReLU RNN."

[[question]]
id = "relu/grad_a"
cell = "cells/relu_rnn.py:relu_rnn"
asked = "grad_a[t]"
symbols = ["a", "h", "grad_h"]
statement = "Give the adjoint of the pre-activation a at step t of the ReLU RNN."

[[question]]
id = "skip/grad_h1"
cell = "cells/skip_rnn.py:skip_rnn"
asked = "grad_h[1]"
tau = 4
symbols = ["h", "o", "W", "W_s", "V", "grad_o", "grad_h"]
statement = "Give the adjoint of h at step 1 when tau = 4: two later steps read it."
'''


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return question_folder(tmp_path_factory.mktemp("derived"), QUESTIONS, ("relu_rnn", "skip_rnn"))


# (question, answer, the mistake named or None, what the message says)
CELL_CASES = [
    # a question without an answer key: the derivation of the lecturer's cell is the key, so
    # its anticipated mistakes are named ...
    ("relu/grad_W", "sum_t grad_a[t] @ h[t].T", "wrong-time-index", "A time index is off: h[t] should be h[t-1]."),
    ("relu/grad_W", r"\sum_t \operatorname{diag}(\operatorname{step}(\mathbf{a}^{(t)})) \nabla_{\mathbf{h}^{(t)}} L"
                    r" \, \mathbf{h}^{(t)\top}", "wrong-time-index", "h[t] should be h[t-1]."),
    ("relu/grad_a", "grad_h[t]", "missing-activation-derivative",
     "the gradient has to pass through the factor diag(step(a[t])) (tanh'(a) = 1 - h^2, relu'(a) = step(a)"),
    ("skip/grad_h1", "W.T @ diag(1 - h[2]**2) @ grad_h[2] + V.T @ grad_o[1]", "missing-term",
     "A term is missing: W_s.T @ diag(1 - h[3]**2) @ grad_h[3]."),
    # ... and the others located against its equation
    ("relu/grad_W", "sum_t (grad_a[t] + grad_h[t]) @ h[t-1].T", None,
     "In the term sum_t (grad_a[t] + grad_h[t]) @ h[t-1].T, this factor should be grad_a[t]: you wrote "
     "grad_a[t] + grad_h[t]."),
    ("relu/grad_W", "sum_t grad_h[t] @ h[t-1].T", None,
     "In the term sum_t grad_h[t] @ h[t-1].T, this factor should be grad_a[t]: you wrote grad_h[t]."),
    ("skip/grad_h1", "W.T @ diag(1 - h[2]**2) @ grad_h[2] + 2 * W_s.T @ diag(1 - h[3]**2) @ grad_h[3]", None,
     "Your grad_h[1] lacks the terms W_s.T @ diag(1 - h[3]**2) @ grad_h[3], V.T @ grad_o[1]; it has the term "
     "2 * W_s.T @ diag(1 - h[3]**2) @ grad_h[3], which the gradient does not; 1 of the key's 3 terms is right."),
]


@pytest.mark.parametrize("qid, answer, mistake, said", CELL_CASES)
def test_check_names_and_locates_a_cell_answers_mistake_with_the_derivation(folder, capsys, qid, answer,
                                                                            mistake, said):
    assert main(["check", "--questions", str(folder / "q.toml"), qid, "--answer", answer]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"INCORRECT [{mistake}]:" if mistake else "INCORRECT:") and said in out
