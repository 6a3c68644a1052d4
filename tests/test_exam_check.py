"""The checker (issue 5): equivalent forms pass, every named mistake is recognised in text and
LaTeX, unreadable answers are refused with the reason."""
import pytest

from rnn.exam.check import Checker
from rnn.exam.questions import get_question

_CHECKERS = {}


def check(qid, answer, syntax="auto"):
    if qid not in _CHECKERS:
        _CHECKERS[qid] = Checker(get_question(qid), confirm_budget=None)  # no time limit in tests
    return _CHECKERS[qid].check(answer, syntax)


H_NEXT = r"\operatorname{diag}\left(1-(\mathbf{h}^{(t+1)})^2\right)\nabla_{\mathbf{h}^{(t+1)}}L"


@pytest.mark.parametrize("qid, answer", [
    ("rnn/grad_W", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T"),
    ("rnn/grad_W", "sum_t ((1 - h[t]) * (1 + h[t]) * grad_h[t]) @ h[t-1].T"),
    ("rnn/grad_W", "sum_t ((1 - h[t]**2) * grad_h[t]) @ h[t-1].T"),
    ("rnn/grad_b", "sum_t sech(a[t])**2 * grad_h[t]"),
    ("rnn/grad_b", "sum_t (1 - tanh(a[t])**2) * grad_h[t]"),
    ("rnn/grad_b", r"\sum_{t=1}^{\tau} \operatorname{sech}(\mathbf{a}^{(t)})^2 \odot \nabla_{\mathbf{h}^{(t)}} L"),
    ("rnn/grad_o", "softmax(o[t]) - onehot(y[t])"),
    ("rnn/grad_o", r"\hat{\mathbf{y}}^{(t)} - \mathbf{e}_{y^{(t)}}"),
    ("rnn/grad_h", r"\mathbf{W}^\top " + H_NEXT + r" + \mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L"),
    ("rnn/grad_h", "V.T @ grad_o[t] + W.T @ ((1 - h[t+1]**2) * grad_h[t+1])"),
    ("rnn/grad_h_tau", "V.T @ grad_o[tau]"),
    ("rnn/grad_h0", "W.T @ ((1 - h[1]**2) * grad_h[1])"),
    ("rnn/grad_V", r"\sum_t \nabla_{\mathbf{o}^{(t)}} L \, \mathbf{h}^{(t)\top}"),
    ("rnn/grad_U", "sum_t (grad_h[t] * (1 - h[t]**2)) @ x[t].T"),
    ("rnn/grad_c", "sum_t (yhat[t] - onehot(y[t]))"),
    ("scalar_rnn/dh2_dw", "(h1 + h0 * (1 - h1**2) * w) * (1 - h2**2)"),
    ("scalar_rnn/dh2_dw", "(1 - h2**2) * h1 + (1 - h2**2) * (1 - h1**2) * w * h0"),
    ("scalar_rnn/dL_dw", r"(h_2 - y)(1-h_2^2)\left(h_1 + w(1-h_1^2)h_0\right)"),
    ("output_rnn/grad_o", "yhat[t] - onehot(y[t]) + W.T @ ((1 - h[t+1]**2) * (V.T @ grad_o[t+1]))"),
    ("output_rnn/grad_W", "sum_t ((1 - h[t]**2) * grad_h[t]) @ o[t-1].T"),
    ("lstm/grad_s", "grad_s[t+1] * f[t+1] + q[t] * grad_h[t] * sech(s[t])**2"),
    ("lstm/grad_q", r"\nabla_{\mathbf{h}^{(t)}} L \odot \tanh(\mathbf{s}^{(t)})"),
    ("lstm/grad_f", "s[t-1] * grad_s[t]"),
    ("gru/grad_u", r"\nabla_{\mathbf{h}^{(t)}}L \odot (\mathbf{h}^{(t-1)} - \tilde{\mathbf{h}}^{(t)})"),
    ("gru/grad_htilde", "(1 - u[t]) * grad_h[t]"),
])
def test_equivalent_forms_are_correct(qid, answer):
    """Equivalent forms of the key pass: (1-h)(1+h) = 1-h^2, sech^2 = 1-tanh^2, Hadamard = diag,
    either order of a scalar product (eqs. 10.18-10.28, 10.41-10.45)."""
    result = check(qid, answer)
    assert result.verdict == "correct", result.message
    assert result.exit_code == 0


MISTAKE_CASES = [
    ("missing-transpose", "rnn/grad_h", "V @ grad_o[t] + W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1]"),
    ("missing-transpose", "rnn/grad_h", r"\mathbf{W} " + H_NEXT + r" + \mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L"),
    ("missing-transpose", "rnn/grad_W", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1]"),
    ("missing-activation-derivative", "rnn/grad_W", "sum_t grad_h[t] @ h[t-1].T"),
    ("missing-activation-derivative", "rnn/grad_W", r"\sum_{t=1}^{\tau} (\nabla_{\mathbf{h}^{(t)}} L) \mathbf{h}^{(t-1)\top}"),
    ("missing-activation-derivative", "rnn/grad_h", r"\mathbf{W}^\top \nabla_{\mathbf{h}^{(t+1)}}L + \mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L"),
    ("missing-recurrent-path", "rnn/grad_h", "V.T @ grad_o[t]"),
    ("missing-recurrent-path", "rnn/grad_h", r"\mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L"),
    ("missing-recurrent-path", "scalar_rnn/dh2_dw", "(1 - h2**2) * h1"),
    ("missing-recurrent-path", "scalar_rnn/dL_dw", r"\left(h_2 - y\right)(1 - h_2^2) h_1"),
    ("missing-recurrent-path", "lstm/grad_s", "grad_h[t] * q[t] * (1 - tanh(s[t])**2)"),
    ("missing-output-path", "rnn/grad_h", "W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1]"),
    ("missing-output-path", "rnn/grad_h", r"\mathbf{W}^\top " + H_NEXT),
    ("missing-sum-over-time", "rnn/grad_W", "diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T"),
    ("missing-sum-over-time", "rnn/grad_W", r"\operatorname{diag}(1-(\mathbf{h}^{(t)})^2)(\nabla_{\mathbf{h}^{(t)}}L)\mathbf{h}^{(t-1)\top}"),
    ("missing-sum-over-time", "rnn/grad_c", "grad_o[tau]"),
    ("wrong-time-index", "rnn/grad_W", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t].T"),
    ("wrong-time-index", "rnn/grad_U", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ x[t-1].T"),
    ("wrong-time-index", "rnn/grad_h", r"\mathbf{W}^\top \operatorname{diag}(1-(\mathbf{h}^{(t)})^2)\nabla_{\mathbf{h}^{(t+1)}}L + \mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L"),
    ("reversed-outer-product", "rnn/grad_W", "sum_t h[t-1] @ (diag(1 - h[t]**2) @ grad_h[t]).T"),
    ("reversed-outer-product", "rnn/grad_U", r"\sum_t \mathbf{x}^{(t)} (\nabla_{\mathbf{h}^{(t)}} L)^\top \operatorname{diag}(1-(\mathbf{h}^{(t)})^2)"),
    ("reversed-outer-product", "rnn/grad_V", "sum_t h[t] @ grad_o[t].T"),
    ("sign-flip", "rnn/grad_o", "onehot(y[t]) - yhat[t]"),
    ("sign-flip", "rnn/grad_o", r"\mathbf{e}_{y^{(t)}} - \hat{\mathbf{y}}^{(t)}"),
    ("swapped-gate", "gru/grad_u", "grad_h[t] * (htilde[t] - h[t-1])"),
    ("swapped-gate", "gru/grad_htilde", r"\nabla_{\mathbf{h}^{(t)}} L \odot \mathbf{u}^{(t)}"),
    ("swapped-gate", "gru/grad_htilde", "grad_h[t] * u[t]"),
    ("wrong-sum-range", "rnn/grad_W", r"\sum_{t=2}^{\tau} \operatorname{diag}(1-(\mathbf{h}^{(t)})^2)"
                                      r"\nabla_{\mathbf{h}^{(t)}}L\,\mathbf{h}^{(t-1)\top}"),
    ("wrong-sum-range", "rnn/grad_c", r"\sum_{t=1}^{\tau-1} (\hat{\mathbf{y}}^{(t)} - \mathbf{e}_{y^{(t)}})"),
    ("t-outside-sum", "rnn/grad_c", "sum_t yhat[t] - onehot(y[t])"),
    ("t-outside-sum", "rnn/grad_c", r"\sum_{t=1}^{\tau} \hat{\mathbf{y}}^{(t)} - \mathbf{1}_{y^{(t)}}"),
    ("sign-flip", "rnn/grad_b", "sum_t diag(1 + h[t]**2) @ grad_h[t]"),
    ("sign-flip", "scalar_rnn/dh2_dw", "-0.913"),
    ("spurious-mean-over-time", "rnn/grad_c", "1/tau * sum_t grad_o[t]"),
    ("spurious-mean-over-time", "rnn/grad_c", r"\frac{1}{\tau}\sum_{t=1}^{\tau} \nabla_{\mathbf{o}^{(t)}} L"),
    ("uses-preactivation", "rnn/grad_b", "sum_t (1 - a[t]**2) * grad_h[t]"),
    ("uses-preactivation", "rnn/grad_b", r"\sum_t \operatorname{diag}(1-(\mathbf{a}^{(t)})^2) \nabla_{\mathbf{h}^{(t)}} L"),
    ("uses-preactivation", "scalar_rnn/dh2_dw", "(1 - a2**2) * (h1 + w * (1 - a1**2) * h0)"),
    ("shape-mismatch", "rnn/grad_h", r"\mathbf{W}^\top (\nabla_{\mathbf{h}^{(t+1)}}L) \operatorname{diag}\left(1-(\mathbf{h}^{(t+1)})^2\right) + \mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L"),
    ("shape-mismatch", "rnn/grad_h", "W.T @ grad_h[t+1] @ diag(1 - h[t+1]**2) + V.T @ grad_o[t]"),
]


@pytest.mark.parametrize("mistake, qid, answer", MISTAKE_CASES)
def test_named_mistake_is_recognised(mistake, qid, answer):
    """An answer equal to a mutant of the key gets that mistake's name and feedback (issue 5)."""
    result = check(qid, answer)
    assert (result.verdict, result.mistake) == ("incorrect", mistake), result.message
    assert result.exit_code == 1
    assert result.message


def test_every_mistake_name_has_a_text_and_a_latex_case():
    """Each named mistake is exercised by at least two surface forms, one of them LaTeX."""
    for name in {m for m, _, _ in MISTAKE_CASES}:
        forms = [a for m, _, a in MISTAKE_CASES if m == name]
        assert len(forms) >= 2 and any("\\" in a for a in forms), name


def test_printed_10_21_names_the_product_and_its_shapes():
    """The book's printed eq. 10.21 multiplies an H×1 column by an H×H matrix."""
    result = check("rnn/grad_h", "W.T @ grad_h[t+1] @ diag(1 - h[t+1]**2) + V.T @ grad_o[t]")
    assert "grad_h[t+1]" in result.message and "diag(1 - h[t+1]**2)" in result.message
    assert "H×1" in result.message and "H×H" in result.message


def test_two_mistakes_at_once_are_both_named():
    """A missing derivative and a wrong index together are reported as a pair."""
    result = check("rnn/grad_W", "sum_t grad_h[t] @ h[t].T")
    assert result.verdict == "incorrect"
    assert set(result.mistakes) == {"missing-activation-derivative", "wrong-time-index"}


def test_unanticipated_wrong_answer_is_incorrect_without_a_name():
    result = check("rnn/grad_W", "sum_t diag(1 - h[t]) @ grad_h[t] @ h[t-1].T")
    assert (result.verdict, result.mistake) == ("incorrect", None)


def test_the_asked_quantity_itself_is_not_an_answer():
    result = check("rnn/grad_h", "grad_h[t]")
    assert (result.verdict, result.mistake) == ("incorrect", "circular")


def test_symbol_outside_the_question_is_invalid_and_named():
    result = check("rnn/grad_W", "sum_t Z @ h[t]")
    assert result.verdict == "invalid" and "'Z'" in result.message
    assert result.exit_code == 2


def test_syntax_error_reports_its_column():
    result = check("rnn/grad_W", "sum_t diag(1 - h[t]**2 @ grad_h[t]")
    assert result.verdict == "invalid"
    assert result.position is not None and "column" in result.message


@pytest.mark.parametrize("answer", ["0.913", "0.9131", "0.91312"])
def test_number_within_hand_precision_is_correct_for_given_numbers(answer):
    """scalar_rnn/dh2_dw with w = 0.5, u = 1, h0 = 0.5, x1 = 1, x2 = -0.5: dh2/dw = 0.91312..."""
    assert check("scalar_rnn/dh2_dw", answer).verdict == "correct"


def test_number_outside_tolerance_is_incorrect():
    assert check("scalar_rnn/dh2_dw", "0.2").verdict == "incorrect"
