"""The checker's own acceptance set (issue 16): tests/exam_student_forms.toml holds answers as
a class writes them (sums over another index or range, \\cosh, \\tanh^{\\prime}, `*` mixed with
juxtaposition, a t left outside the sum, a swapped GRU gate, a lost sign, invisible characters
pasted from a word processor), each with the verdict and the mistake a lecturer expects."""
import tomllib
from pathlib import Path

import pytest

from rnn.exam.check import Checker
from rnn.exam.questions import get_question

CASES = tomllib.loads((Path(__file__).parent / "exam_student_forms.toml").read_text(encoding="utf-8"))["case"]
_CHECKERS = {}


def check(qid, answer):
    if qid not in _CHECKERS:
        _CHECKERS[qid] = Checker(get_question(qid), confirm_budget=None)
    return _CHECKERS[qid].check(answer)


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['question']}" for i, c in enumerate(CASES, 1)])
def test_student_form_is_judged_as_expected(case):
    result = check(case["question"], case["answer"])
    assert result.verdict == case["expect"], result.message
    if "mistake" in case:
        assert result.mistake == case["mistake"], result.message


def test_the_set_covers_every_builtin_question_and_has_sixty_forms():
    from rnn.exam.questions import builtin_questions
    assert len(CASES) >= 60
    assert {c["question"] for c in CASES} == set(builtin_questions())


def test_invisible_characters_are_named_in_the_feedback():
    """A zero-width space inside grad_h is removed, and the message says which character and where."""
    result = check("rnn/grad_h", "V.T @ grad\u200b_o[t] + W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1]")
    assert result.verdict == "correct"
    assert "U+200B ZERO WIDTH SPACE" in result.message and "column 11" in result.message


def test_a_wrong_range_names_the_missing_term():
    result = check("rnn/grad_W", r"\sum_{t=2}^{\tau} \operatorname{diag}(1-(\mathbf{h}^{(t)})^2)"
                                 r"\nabla_{\mathbf{h}^{(t)}}L\,\mathbf{h}^{(t-1)\top}")
    assert "lacks the t = 1 term diag(1 - h[1]**2) @ grad_h[1] @ h[0].T" in result.message


def test_a_t_outside_the_sum_is_named_with_the_fix():
    result = check("rnn/grad_c", "sum_t yhat[t] - onehot(y[t])")
    assert result.message.startswith("y[t] is outside the sum over t")
    assert "sum_t (yhat[t] - onehot(y[t])), it is correct" in result.message


def test_a_lost_minus_on_a_number_is_named():
    result = check("scalar_rnn/dh2_dw", "-0.913")
    assert "opposite sign" in result.message


def test_gate_parameters_parse_in_the_project_notation():
    """\\boldsymbol{U}^{f} (rnn.names.param_latex) is U_f, as typed in plain text."""
    from rnn.exam.parse import parse_answer
    from rnn.exam.printers import to_latex
    node = parse_answer(r"\boldsymbol{U}^{f}")
    assert node == parse_answer("U_f") == parse_answer(r"\mathbf{U}_{f}")
    assert to_latex(node) == r"\boldsymbol{U}^{f}"
    assert parse_answer(r"\mathbf{W}^{f\top}") == parse_answer("W_f.T")


@pytest.mark.parametrize("answer", [
    r"\sum_{t=2}^{\tau} \mathbf{h}^{(t)} \mathbf{h}^{(t-1)\top}", r"\sum_{k=1}^{\tau-1} h_k",
    r"\sum_{t=0}^{\tau-1} h_{t+1}", "sum_k h[k] @ x[k].T", r"\sum_{\tau'=1}^{T} h^{(\tau')}",
])
def test_sums_print_back_in_both_syntaxes(answer):
    """A sum's range survives printing: to_text writes sum_{t=2}^{tau}, which reads back as plain text."""
    from rnn.exam.parse import parse_answer
    from rnn.exam.parse_latex import parse_latex
    from rnn.exam.parse_text import parse_text
    from rnn.exam.printers import to_latex, to_text
    node = parse_answer(answer)
    assert parse_text(to_text(node)) == node == parse_answer(to_text(node))
    assert parse_latex(to_latex(node)) == node
