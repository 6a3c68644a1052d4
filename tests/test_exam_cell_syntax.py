"""Issue 17's answer syntax: ReLU and its derivative (relu, ReLU, max(0, z), relu', step,
Heaviside) and a lecturer's non-gate parameter W_s written in LaTeX (W^{s}, W_{s}), checked
through `gradbook check` on the docs' ReLU RNN and skip-connection cells."""
from __future__ import annotations

import pytest

from autodiff.cli import main
from rnn.expr.tree import Call, Symbol, Transpose
from rnn.exam.errors import ParseError
from rnn.exam.parse_latex import parse_latex
from rnn.exam.parse_text import parse_text
from rnn.exam.printers import to_latex
from tests.cellfiles import question_folder


QUESTIONS = '''
[[question]]
id = "relu/grad_a"
cell = "cells/relu_rnn.py:relu_rnn"
asked = "grad_a[t]"
symbols = ["a", "h", "grad_h"]
statement = "Give the adjoint of the pre-activation a at step t of the ReLU RNN."

[[question]]
id = "relu/grad_V"
cell = "cells/relu_rnn.py:relu_rnn"
asked = "grad_V"
symbols = ["a", "h", "o", "grad_o"]
statement = "Derive the gradient of L with respect to V for the ReLU RNN."

[[question]]
id = "skip/grad_h1"
cell = "cells/skip_rnn.py:skip_rnn"
asked = "grad_h[1]"
tau = 4
symbols = ["h", "o", "W", "W_s", "V", "grad_o", "grad_h"]
statement = "Give the adjoint of h at step 1 when tau = 4: two later steps read it."
'''

_GRAD_H1 = (r"\mathbf{W}^\top \operatorname{diag}(1-(\mathbf{h}^{(2)})^2) \nabla_{\mathbf{h}^{(2)}} L + "
            r"{W_s} \operatorname{diag}(1-(\mathbf{h}^{(3)})^2) \nabla_{\mathbf{h}^{(3)}} L + "
            r"\mathbf{V}^\top \nabla_{\mathbf{o}^{(1)}} L")

# (question, answer as a student writes it, exit status: 0 correct, 1 incorrect)
CASES = [
    ("relu/grad_a", "step(a[t]) * grad_h[t]", 0),
    ("relu/grad_a", "diag(step(a[t])) @ grad_h[t]", 0),
    ("relu/grad_a", "relu'(a[t]) * grad_h[t]", 0),
    ("relu/grad_a", "Heaviside(a[t]) * grad_h[t]", 0),
    ("relu/grad_a", r"\operatorname{ReLU}'(\mathbf{a}^{(t)}) \odot \nabla_{\mathbf{h}^{(t)}} L", 0),
    ("relu/grad_a", r"\operatorname{diag}\left(\operatorname{step}(\mathbf{a}^{(t)})\right) \nabla_{\mathbf{h}^{(t)}} L", 0),
    ("relu/grad_a", "relu(a[t]) * grad_h[t]", 1),          # the function for its derivative
    ("relu/grad_a", "grad_h[t]", 1),                       # ReLU's derivative left out
    ("relu/grad_V", "sum_t grad_o[t] @ relu(a[t]).T", 0),      # h^(t) = ReLU(a^(t)), eq. 10.24
    ("relu/grad_V", "sum_t grad_o[t] @ max(0, a[t]).T", 0),
    ("relu/grad_V", r"\sum_{t=1}^{\tau} \nabla_{\mathbf{o}^{(t)}} L \, \max\left(0, \mathbf{a}^{(t)}\right)^\top", 0),
    ("relu/grad_V", r"\sum_t \left(\nabla_{\mathbf{o}^{(t)}} L\right) \operatorname{ReLU}(\mathbf{a}^{(t)})^{\top}", 0),
    ("relu/grad_V", r"\sum_t \nabla_{\mathbf{o}^{(t)}} L \, \max\{0, \mathbf{a}^{(t)}\}", 1),   # the transpose left out
    ("relu/grad_V", "sum_t grad_o[t] @ step(a[t]).T", 1),     # the derivative for the function
    ("skip/grad_h1", _GRAD_H1.replace("{W_s}", r"\boldsymbol{W}^{s\top}"), 0),
    ("skip/grad_h1", _GRAD_H1.replace("{W_s}", r"\boldsymbol{W}_{s}^\top"), 0),
    ("skip/grad_h1", _GRAD_H1.replace("{W_s}", r"\mathbf{W}_s^{\top}"), 0),
    ("skip/grad_h1", _GRAD_H1.replace("{W_s}", r"\mathbf{W}^\top"), 1),   # the skip weights W_s read h^(1) at t = 3
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return question_folder(tmp_path_factory.mktemp("cells"), QUESTIONS, ("relu_rnn", "skip_rnn"))


@pytest.mark.parametrize("qid, answer, status", CASES)
def test_check_reads_relu_step_and_w_s_as_students_write_them(folder, capsys, qid, answer, status):
    assert main(["check", "--questions", str(folder / "q.toml"), qid, "--answer", answer]) == status
    assert capsys.readouterr().out.startswith("CORRECT" if status == 0 else "INCORRECT")


@pytest.mark.parametrize("latex", [r"\boldsymbol{W}^{s}", r"\mathbf{W}_{s}", r"\mathbf{W}_s", r"\bm{W}^s"])
def test_a_non_gate_parameter_suffix_reads_as_w_s(latex):
    assert parse_latex(latex, {"W", "W_s", "h"}) == Symbol("W_s")
    assert parse_latex(latex + r"^\top", {"W", "W_s", "h"}) == Transpose(Symbol("W_s"))


def test_the_printed_w_s_reads_back():
    assert parse_latex(to_latex(Symbol("W_s")), {"W", "W_s"}) == Symbol("W_s")


def test_a_suffix_the_question_does_not_name_is_still_a_time_step():
    assert parse_latex(r"\mathbf{h}_{t}", {"h", "W_s"}) == Symbol("h", parse_text("h[t]").index)
    with pytest.raises(ParseError):
        parse_latex(r"\mathbf{W}^{s}", {"W", "h"})


@pytest.mark.parametrize("text", ["max(0, a)", "max(a, 0)", "relu(a)", "ReLU(a)"])
def test_max_with_zero_is_relu(text):
    assert parse_text(text, {"a"}) == Call("relu", (Symbol("a"),))


@pytest.mark.parametrize("text", ["max(1, a)", "max(a)", "max(0, a, 0)"])
def test_other_maxima_are_refused_with_the_form_that_is_read(text):
    with pytest.raises(ParseError, match=r"max\(0, z\)"):
        parse_text(text, {"a"})
