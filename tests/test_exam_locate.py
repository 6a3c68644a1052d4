"""Sub-term location (issue 16): when no anticipated mistake explains a wrong answer, the checker
compares the answer's tree with the key's, term by term and then part by part, and says where."""
import pytest

from rnn.expr.tree import Add, SumOverTime, Symbol
from rnn.exam.check import Checker
from rnn.exam.locate import signed_terms
from rnn.exam.parse import parse_answer
from rnn.exam.questions import get_question
from rnn.expr.time import TimeIndex

_CHECKERS = {}


def check(qid, answer):
    if qid not in _CHECKERS:
        _CHECKERS[qid] = Checker(get_question(qid), confirm_budget=None)
    return _CHECKERS[qid].check(answer)


@pytest.mark.parametrize("qid, answer, located", [
    # a wrong factor deep inside the one term: the smallest differing part is named
    ("lstm/grad_s", "grad_h[t] * q[t] * (1 - tanh(s[t])**2) + grad_s[t+1] * q[t+1]",
     "In the term grad_s[t+1] * q[t+1], this factor should be f[t+1]: you wrote q[t+1]."),
    ("rnn/grad_W", r"\sum_t \operatorname{diag}(1-(\mathbf{h}^{(t)})^3)\nabla_{\mathbf{h}^{(t)}}L\,\mathbf{h}^{(t-1)\top}",
     "this part should be h[t]**2: you wrote h[t]**3"),
    # two things wrong at once: the term that is missing and the ones that should not be there
    ("rnn/grad_h", "V.T @ grad_o[t] - W.T @ diag(1-h[t+1]**2) @ grad_h[t+1] + h[t]",
     "Your grad_h[t] lacks the term W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1]; it has the terms "
     "-W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1], h[t], which the gradient does not; 1 of the key's 2 terms is right."),
    # either order of an elementwise product is the same part
    ("lstm/grad_s", "q[t] * grad_h[t] * (1 - tanh(s[t])**2) + s[t+1] * grad_s[t+1]",
     "this factor should be f[t+1]: you wrote s[t+1]"),
])
def test_the_wrong_sub_term_is_located(qid, answer, located):
    result = check(qid, answer)
    assert result.verdict == "incorrect" and result.mistake is None
    assert located in result.message


def test_a_sum_of_a_sum_splits_into_sums():
    """sum_t (a + b) = sum_t a + sum_t b, so a term inside a sum is compared on its own."""
    node = parse_answer("sum_t (yhat[t] - onehot(y[t])) + c")
    terms = signed_terms(node)
    assert [sign for sign, _ in terms] == [1, -1, 1]
    assert terms[0][1] == SumOverTime(Symbol("yhat", TimeIndex("t", 0)))
    assert not any(isinstance(term, Add) for _, term in terms)


def test_an_anticipated_mistake_keeps_its_name():
    """Location only adds to the answers no named mistake explains."""
    result = check("rnn/grad_h", "V.T @ grad_o[t]")
    assert result.mistake == "missing-recurrent-path"
