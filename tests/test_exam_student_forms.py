"""Answers as a class actually types them (issue 5: "the checker must handle what a class of
students would actually write"): sizing commands, bold or plain letters, \\mathcal{L}, primes on
tanh, \\tanh^2, Andrew Ng's <t>, words without backslashes, scalar answers typed with
juxtaposition, and the forms that are refused with a reason."""
import pytest

from rnn.exam.check import Checker
from rnn.exam.questions import get_question

_CHECKERS = {}


def check(qid, answer, syntax="auto"):
    if qid not in _CHECKERS:
        _CHECKERS[qid] = Checker(get_question(qid), confirm_budget=None)  # no time limit in tests
    return _CHECKERS[qid].check(answer, syntax)


GRAD_W = [
    # eq. 10.26 with \limits, \Bigl( \bigr), \mathcal{L} and a transpose raised inside the step
    r"\sum\limits_{t=1}^{\tau} \operatorname{diag}\Bigl(1-\bigl(\mathbf{h}^{(t)}\bigr)^2\Bigr)\,"
    r"\nabla_{\mathbf{h}^{(t)}}\mathcal{L}\;\mathbf{h}^{(t-1)^\top}",
    r"\sum_t \left(\nabla_{\mathbf{h}^{(t)}}L \odot (1 - \mathbf{h}^{(t)2})\right) \mathbf{h}^{(t-1)\mathsf{T}}",
    r"\sum_{t=1}^{\tau} \textbf{diag}(1-(h^{(t)})^2) \nabla_{h^{(t)}} L (h^{(t-1)})^T",
    r"\sum_{t=1}^{\tau} \tanh'(\mathbf{a}^{(t)}) \odot \nabla_{\mathbf{h}^{(t)}}L \, \mathbf{h}^{(t-1)\top}",
    r"\sum_t \left[(1-\tanh^2(\mathbf{a}^{(t)}))\odot\frac{\partial L}{\partial \mathbf{h}^{(t)}}\right]"
    r"\left(\mathbf{h}^{(t-1)}\right)^T",
    r"\sum_t \operatorname{diag}(1-(\mathbf{h}^{\langle t \rangle})^2)\nabla_{\mathbf{h}^{\langle t\rangle}}L"
    r"\,\mathbf{h}^{\langle t-1\rangle T}",
    r"\sum_t diag(1-(h^{<t>})^2) \nabla_{h^{<t>}} L (h^{<t-1>})^T",
    r"\sum_{t=1}^{\tau}\operatorname{diag}\left(\mathbf{1}-\mathbf{h}^{(t)}\odot\mathbf{h}^{(t)}\right)"
    r"\boldsymbol{\nabla}_{\mathbf{h}^{(t)}}L\,\mathbf{h}^{(t-1)\intercal}",
    r"\sum_{t=1}^{\tau} \operatorname{diag}(1-(\mathbf{h}^{(t)})^2) \cdot \nabla_{\mathbf{h}^{(t)}}L \cdot "
    r"\mathbf{h}^{(t-1)^\top}",
    r"\sum_{t} \mathrm{diag}\Big(1-\mathbf{h}^{(t)2}\Big) \nabla_{h^{(t)}}L \; {\mathbf h}^{(t-1)^{\top}}",
    "sum_t diag(1-h[t]^2) @ grad_h[t] @ h[t-1]^T",
    "sum_t diag(1 - h[t]*h[t]) @ grad_h[t] @ h[t-1].T",
    "sum_t diag(1 - tanh(a[t])**2) @ grad_h[t] @ h[t-1].T",
    "sum_t diag(1 - h[t]**2) @ grad_h[t] @ transpose(h[t-1])",
    "sum_t transpose(h[t-1] @ grad_h[t].T @ diag(1 - h[t]**2))",
    "sum_t tanh'(a[t]) * grad_h[t] @ h[t-1].T",
]


@pytest.mark.parametrize("answer", GRAD_W)
def test_forms_of_eq_10_26_are_correct(answer):
    """grad_W L = sum_t diag(1 - (h^(t))^2) (grad_{h^(t)} L) h^(t-1)T (eq. 10.26), as typed."""
    result = check("rnn/grad_W", answer)
    assert result.verdict == "correct", result.message


@pytest.mark.parametrize("qid, answer", [
    ("rnn/grad_h", r"\mathbf{W}^{\mathsf{T}} \operatorname{diag}(1-(\mathbf{h}^{(t+1)})^2) "
                   r"\nabla_{\mathbf{h}^{(t+1)}}L + \mathbf{V}^{\mathsf T}\nabla_{\mathbf{o}^{(t)}}L"),
    ("rnn/grad_h", r"W^T diag(1-h_{t+1}^2) \nabla_{h_{t+1}} L + V^T \nabla_{o_t} L"),
    ("rnn/grad_h", r"{\mathbf W}^{\top}\left(\left(1-\mathbf{h}^{(t+1)}\odot\mathbf{h}^{(t+1)}\right)\odot"
                   r"\nabla_{\mathbf{h}^{(t+1)}}L\right)+{\mathbf V}^{\top}\left(\hat{\mathbf{y}}^{(t)}-\mathbf{1}_{y^{(t)}}\right)"),
    ("rnn/grad_h", r"\mathbf{W}^\top \left(\tanh'(\mathbf{a}^{(t+1)}) \odot \nabla_{\mathbf{h}^{(t+1)}} L\right)"
                   r" + \mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L"),
    ("rnn/grad_h", "W.T@diag(1-h[t+1]**2)@grad_h[t+1]+V.T@grad_o[t]"),
    ("rnn/grad_h", "V.T @ (yhat[t] - onehot(y[t])) + W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1]"),
    ("rnn/grad_o", r"\hat{y}^{(t)} - e_{y^{(t)}}"),
    ("rnn/grad_o", r"\hat{\mathbf{y}}^{(t)} - 1_{y^{(t)}}"),
    ("rnn/grad_o", r"\hat{\mathbf y}^{(t)} - \mathbb{1}_{y^{(t)}}"),
    ("rnn/grad_o", r"\hat{y}_t - e_{y_t}"),
    ("rnn/grad_o", "yhat_t - onehot(y_t)"),
    ("rnn/grad_o", "yhat[t] - one_hot(y[t])"),
    ("rnn/grad_V", r"\sum_t (\hat{y}^{(t)} - e_{y^{(t)}}) h^{(t)T}"),
    ("rnn/grad_V", r"\sum_t \frac{\partial L}{\partial \mathbf{o}^{(t)}} {\mathbf h^{(t)}}^{\top}"),
    ("rnn/grad_U", r"\sum_{t} \left(\left(1-\left(\mathbf{h}^{(t)}\right)^{2}\right) \odot \nabla_{\mathbf{h}^{(t)}} L"
                   r"\right)\left(\mathbf{x}^{(t)}\right)^{\top}"),
    ("rnn/grad_b", r"\sum_{t=1}^{\tau} (1-\tanh^2(\mathbf{a}^{(t)}))\odot\nabla_{\mathbf{h}^{(t)}}L"),
    ("rnn/grad_b", r"\sum_t \operatorname{sech}^2(\mathbf{a}^{(t)})\odot\nabla_{\mathbf{h}^{(t)}}L"),
    ("rnn/grad_c", r"\sum_{t=1}^{\tau} (\hat{\mathbf{y}}^{(t)} - \mathbf{e}_{y^{(t)}})"),
])
def test_book_quantities_typed_as_students_do_are_correct(qid, answer):
    """eqs. 10.18-10.28 with plain or bold letters, sub- or superscript steps, \\mathsf{T}, 1_{y}."""
    result = check(qid, answer)
    assert result.verdict == "correct", result.message


SCALAR = [
    r"(1-h_{2}^{2})(h_{1}+w(1-h_{1}^{2})h_{0})",
    "(1-h_2^2)h_1 + (1-h_2^2)(1-h_1^2)w h_0",
    "(1-h_2^2)(h_1+w h_0(1-h_1^2))",
    "h_1(1-h_2^2)+wh_0(1-h_1^2)(1-h_2^2)",
    "(1-h2^2)(h1+w(1-h1^2)h0)",
    "(1-h2^2)*(h1+w*(1-h1^2)*h0)",
    "(1-h[2]**2)*(h[1]+w*(1-h[1]**2)*h[0])",
    r"(1-\tanh^2(a_2))(h_1 + w (1-\tanh^2(a_1)) h_0)",
    r"\operatorname{sech}^2(a_2)(h_1 + w\,\operatorname{sech}^2(a_1)\,h_0)",
    r"(1 - \tanh^2(w h_1 + u x_2))(h_1 + w(1-\tanh^2(w h_0 + u x_1))h_0)",
    r"\tanh'(a_2)(h_1 + w\tanh'(a_1)h_0)",
    r"\left(1-h_2^2\right)\left[h_1+w\left(1-h_1^2\right)h_0\right]",
]


@pytest.mark.parametrize("answer", SCALAR)
def test_scalar_dh2_dw_forms_are_correct_and_confirmed(answer):
    """dh_2/dw = (1 - h_2^2)(h_1 + w (1 - h_1^2) h_0) for h_t = tanh(w h_{t-1} + u x_t) (10.8-10.9)."""
    result = check("scalar_rnn/dh2_dw", answer)
    assert (result.verdict, result.confirmed) == ("correct", True), result.message


@pytest.mark.parametrize("qid, answer, mistake", [
    ("rnn/grad_W", r"\sum_t \operatorname{diag}(1-(\mathbf{h}^{(t)})^2)\nabla_{\mathbf{h}^{(t)}}L\,\mathbf{h}^{(t-1)}",
     "missing-transpose"),
    ("rnn/grad_W", r"\frac{1}{\tau}\sum_t \operatorname{diag}(1-(\mathbf{h}^{(t)})^2)\nabla_{\mathbf{h}^{(t)}}L\,"
                   r"\mathbf{h}^{(t-1)\top}", "spurious-mean-over-time"),
    ("rnn/grad_W", r"\sum_t \operatorname{diag}(1-(\mathbf{a}^{(t)})^2)\nabla_{\mathbf{h}^{(t)}}L\,\mathbf{h}^{(t-1)\top}",
     "uses-preactivation"),
    ("rnn/grad_W", r"\sum_t \mathbf{h}^{(t-1)} \left(\nabla_{\mathbf{h}^{(t)}}L\right)^\top "
                   r"\operatorname{diag}(1-(\mathbf{h}^{(t)})^2)", "reversed-outer-product"),
    ("rnn/grad_W", r"\operatorname{diag}(1-(\mathbf{h}^{(\tau)})^2)\nabla_{\mathbf{h}^{(\tau)}}L\,\mathbf{h}^{(\tau-1)\top}",
     "missing-sum-over-time"),
    ("rnn/grad_W", r"\sum_{t=1}^{\tau} \boldsymbol{\nabla}_{\mathbf{h}^{(t)}}L\,\mathbf{h}^{(t-1)\top}",
     "missing-activation-derivative"),
    ("rnn/grad_h", "W.T @ diag(1 - h[t]**2) @ grad_h[t+1] + V.T @ grad_o[t]", "wrong-time-index"),
    ("rnn/grad_h", "W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] - V.T @ grad_o[t]", "sign-flip"),
    ("rnn/grad_h", "W.T * diag(1 - h[t+1]**2) * grad_h[t+1] + V.T * grad_o[t]", "shape-mismatch"),
    ("rnn/grad_U", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ x[t-1].T", "wrong-time-index"),
    ("rnn/grad_V", r"\sum_t \mathbf{h}^{(t)} (\nabla_{\mathbf{o}^{(t)}}L)^\top", "reversed-outer-product"),
    ("rnn/grad_c", r"\nabla_{\mathbf{o}^{(\tau)}}L", "missing-sum-over-time"),
    ("rnn/grad_o", r"\frac{\partial L}{\partial \mathbf{o}^{(t)}}", "circular"),
    ("scalar_rnn/dh2_dw", "(1-h2^2)h1", "missing-recurrent-path"),
    ("scalar_rnn/dh2_dw", r"(1-a_2^2)(h_1+w(1-a_1^2)h_0)", "uses-preactivation"),
])
def test_wrong_answers_typed_as_students_do_get_their_mistake(qid, answer, mistake):
    result = check(qid, answer)
    assert (result.verdict, result.mistake) == ("incorrect", mistake), result.message


def test_sign_flip_outside_the_output_does_not_mention_the_softmax():
    result = check("scalar_rnn/dh2_dw", "-(1-h2**2)*(h1+w*(1-h1**2)*h0)")
    assert result.mistake == "sign-flip" and "softmax" not in result.message


def test_step_that_does_not_exist_lists_the_steps_that_do():
    result = check("rnn/grad_U", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ x[t-1].T")
    assert "(= x[0]) does not exist" in result.message and "x has the steps [1.." in result.message


@pytest.mark.parametrize("qid, answer, words", [
    ("rnn/grad_W", "sum_t np.diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T", "write e.g. diag(...)"),
    ("rnn/grad_W", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1]'", "write x.T for a transpose"),
    ("rnn/grad_W", r"\sum_t \exp'(\mathbf{a}^{(t)})", "primes are not accepted"),
    ("rnn/grad_o", r"(1-\tanh^2(\mathbf{a}^{(t)}))", "unknown name 'a'"),
    ("rnn/grad_h", r"\left(\frac{\partial \mathbf{h}^{(t+1)}}{\partial \mathbf{h}^{(t)}}\right)^\top "
                   r"\nabla_{\mathbf{h}^{(t+1)}}L", "Jacobians"),
    ("rnn/grad_b", r"\sum_t \tanh^{-1}(\mathbf{h}^{(t)})", "inverse function"),
    ("rnn/grad_b", r"sum_{t} \nabla_{\mathbf{h}^{(t)}} L", "\\sum with a backslash"),
])
def test_unsupported_forms_are_refused_with_the_fix(qid, answer, words):
    result = check(qid, answer)
    assert result.verdict == "invalid" and words in result.message, result.message
