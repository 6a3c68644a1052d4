"""Exam questions on a lecturer's own cell (issue 17): a question file names the cell file,
the key is the engine's gradient for that cell, and `gradbook check` / `grade` mark answers
written with the cell's own node names and parameters."""
from __future__ import annotations

import csv

import pytest

from autodiff.cli import main
from rnn.exam.custom import load_questions
from rnn.exam.questions import QuestionError
from tests import consumers
from tests.cellfiles import question_folder


QUESTIONS = '''
[[question]]
id = "relu/grad_W"
cell = "cells/relu_rnn.py:relu_rnn"
asked = "grad_W"
symbols = ["a", "h", "grad_a", "grad_h"]
statement = "Derive the gradient of L with respect to W for the ReLU RNN."
reference = "sum_t grad_a[t] @ h[t-1].T"

[[question]]
id = "skip/grad_W_s"
cell = "cells/skip_rnn.py:skip_rnn"
asked = "grad_W_s"
symbols = ["h", "grad_h"]
statement = "Give the gradient of L with respect to the skip weights W_s."

[[question]]
id = "skip/grad_h_tau-1"
cell = "cells/skip_rnn.py"
asked = "grad_h[tau-1]"
symbols = ["h", "o", "W", "W_s", "V", "grad_o", "grad_h"]
statement = "Give the adjoint of h at step tau - 1; h at tau + 1 does not exist."

[[question]]
id = "peephole/grad_c"
cell = "cells/peephole_lstm.py"
asked = "grad_c"
symbols = ["o", "grad_o"]
statement = "Give the gradient of L with respect to the output bias c of the peephole LSTM."

[[question]]
id = "mgu/grad_V"
cell = "cells/minimal_gated_unit.py"
asked = "grad_V"
symbols = ["h", "o", "grad_o"]
statement = "Give the gradient of L with respect to V for the minimal gated unit."

[[question]]
id = "squared/grad_o"
cell = "cells/squared_error.py"
asked = "grad_o[t]"
symbols = ["o", "y", "grad_o"]
statement = "Give the adjoint of o at step t when L is the squared error."
'''

# (question, answer, exit status of `gradbook check`: 0 correct, 1 incorrect)
CASES = [
    ("relu/grad_W", "sum_t grad_a[t] @ h[t-1].T", 0),
    ("relu/grad_W", "sum_t grad_h[t] @ h[t-1].T", 1),         # the ReLU's derivative left out
    ("relu/grad_W", "sum_t grad_a[t] @ h[t].T", 1),           # the wrong step of h
    ("skip/grad_W_s", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-2].T", 0),   # eq. 10.26 over t-2
    ("skip/grad_W_s", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T", 1),   # that is grad_W
    ("skip/grad_h_tau-1", "W.T @ diag(1 - h[tau]**2) @ grad_h[tau] + V.T @ grad_o[tau-1]", 0),
    ("skip/grad_h_tau-1", "W_s.T @ diag(1 - h[tau]**2) @ grad_h[tau] + V.T @ grad_o[tau-1]", 1),
    # the other three examples of docs/custom-cells.md, so all five are checked end to end
    ("peephole/grad_c", "sum_t grad_o[t]", 0),                             # eq. 10.22 holds for any cell
    ("peephole/grad_c", "grad_o[tau]", 1),                                 # the sum over t left out
    ("mgu/grad_V", "sum_t grad_o[t] @ h[t].T", 0),                         # eq. 10.24
    ("mgu/grad_V", "sum_t grad_o[t] @ h[t-1].T", 1),
    ("squared/grad_o", "o[t] - y[t]", 0),                                  # L = 1/2 ||o - y||^2
    ("squared/grad_o", "y[t] - o[t]", 1),
    # the same answers in LaTeX, read with the cell's names
    ("relu/grad_W", r"\sum_t \nabla_{\mathbf{a}^{(t)}} L \, \mathbf{h}^{(t-1)\top}", 0),
    ("skip/grad_h_tau-1", r"\mathbf{W}^\top \operatorname{diag}(1 - (\mathbf{h}^{(\tau)})^2) "
                          r"\nabla_{\mathbf{h}^{(\tau)}} L + \mathbf{V}^\top \nabla_{\mathbf{o}^{(\tau-1)}} L", 0),
]


@pytest.fixture
def folder(tmp_path):
    return question_folder(tmp_path, QUESTIONS, ("relu_rnn", "skip_rnn", "peephole_lstm",
                                                 "minimal_gated_unit", "squared_error"))


@pytest.mark.parametrize("qid, answer, status", CASES)
def test_check_marks_answers_against_the_cells_engine_gradient(folder, capsys, qid, answer, status):
    assert main(["check", "--questions", str(folder / "q.toml"), qid, "--answer", answer]) == status
    out = capsys.readouterr().out
    assert out.startswith("CORRECT" if status == 0 else "INCORRECT")


def test_the_key_is_the_cells_gradient_not_the_built_in_rnns(folder, capsys):
    """tanh's derivative is right for the built-in RNN and wrong for the ReLU cell."""
    argv = ["check", "--questions", str(folder / "q.toml"), "relu/grad_W", "--answer",
            "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T"]
    assert main(argv) == 1
    assert main(["check", "rnn/grad_W", "--answer", argv[-1]]) == 0


def test_grade_writes_a_report_for_a_cell_question(folder, capsys):
    answers = folder / "answers.csv"
    answers.write_text("student,answer\nann,sum_t grad_a[t] @ h[t-1].T\n"
                       "bob,sum_t grad_a[t] @ h[t].T\ncy,sum_t grad_q[t]\n")
    report = folder / "report"
    assert main(["grade", "--questions", str(folder / "q.toml"), "relu/grad_W", str(answers),
                 "-o", str(report)]) == 0
    with open(folder / "report.csv", newline="", encoding="utf-8-sig") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert [rows[s]["verdict"] for s in ("ann", "bob", "cy")] == ["correct", "incorrect", "invalid"]
    assert any("grad_q" in value for value in rows["cy"].values())   # why it was not read
    assert "relu/grad_W" in (folder / "report.html").read_text()


@pytest.mark.needs_libreoffice
def test_cell_question_report_opens_in_calc(folder, capsys, tmp_path_factory):
    if not consumers.have_libreoffice():
        pytest.skip("LibreOffice is not installed")
    answers = folder / "answers.csv"
    answers.write_text("student,answer\nann,sum_t grad_a[t] @ h[t-1].T\n")
    assert main(["grade", "--questions", str(folder / "q.toml"), "relu/grad_W", str(answers),
                 "-o", str(folder / "report")]) == 0
    cells = consumers.spreadsheet_cells(folder / "report.csv", tmp_path_factory.mktemp("calc"))
    header = [text for text, _ in cells[0]]
    row = cells[1]
    assert row[header.index("student")] == ("ann", None)
    assert row[header.index("verdict")] == ("correct", None)


def test_answers_use_the_cells_names(folder):
    questions = load_questions(folder / "q.toml")
    assert questions["relu/grad_W"].model == "cell"
    assert questions["relu/grad_W"].cell.name == "relu_rnn"
    assert "W_s" in questions["skip/grad_h_tau-1"].symbols


BAD = [
    ('cell = "cells/nope.py:relu_rnn"', "cells/nope.py: no such cell file"),
    ('cell = "cells/relu_rnn.py:other"', "no cell 'other'; its cells are relu_rnn"),
    ('cell = "cells/relu_rnn.txt"', "give a Python file and a cell"),
    ('cell = 3', "cell must be a string"),
    ('cell = "cells/relu_rnn.py"\nmodel = "rnn"', "a question on a cell takes no model"),
    ('cell = "cells/relu_rnn.py"\noptions = { candidate = "tanh" }', "takes no options"),
]


@pytest.mark.parametrize("line, message", BAD)
def test_a_bad_cell_is_one_line_naming_the_question(folder, capsys, line, message):
    (folder / "bad.toml").write_text(f'[[question]]\nid = "x"\n{line}\nasked = "grad_W"\n'
                                     f'symbols = ["h"]\nstatement = "s"\n')
    with pytest.raises(QuestionError, match="question 1 \\(x\\)"):
        load_questions(folder / "bad.toml")
    assert main(["check", "--questions", str(folder / "bad.toml"), "x", "--answer", "h"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and message in err


BROKEN = '''
import autodiff as ad
from rnn.custom import cell


@cell(params={"W": ("H", "H")})
def broken(p, x, prev, t):
    return {"h": ad.tanh(p["W_q"] @ prev["h"])}
'''


def test_a_cell_whose_step_fails_is_one_line(folder, capsys):
    (folder / "cells" / "broken.py").write_text(BROKEN)
    (folder / "bad.toml").write_text('[[question]]\nid = "x"\ncell = "cells/broken.py"\nasked = "grad_W"\n'
                                     'symbols = ["h"]\nstatement = "s"\n')
    assert main(["check", "--questions", str(folder / "bad.toml"), "x", "--answer", "h"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "question 1 (x)" in err and "its step raised KeyError" in err and "W_q" in err
    assert main(["graph", "--rnn", str(folder / "cells" / "broken.py"), "--listing"]) == 2
    assert "its step raised KeyError" in capsys.readouterr().err


def test_a_name_the_cell_lacks_is_refused(folder):
    (folder / "bad.toml").write_text('[[question]]\nid = "x"\ncell = "cells/relu_rnn.py"\nasked = "grad_W_s"\n'
                                     'symbols = ["h"]\nstatement = "s"\n')
    with pytest.raises(QuestionError, match="unknown name 'grad_W_s'"):
        load_questions(folder / "bad.toml")


def test_a_question_needs_a_model_or_a_cell(folder):
    (folder / "bad.toml").write_text('[[question]]\nid = "x"\nasked = "grad_W"\nsymbols = ["h"]\nstatement = "s"\n')
    with pytest.raises(QuestionError, match="missing field 'model' \\(or 'cell'"):
        load_questions(folder / "bad.toml")
