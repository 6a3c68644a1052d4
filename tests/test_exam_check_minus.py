"""Answers that start with a minus sign reach the checker as answers, not as options (issue 13)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autodiff.cli import main

GRADBOOK = Path(sys.executable).with_name("gradbook")


@pytest.mark.parametrize("argv, answer", [
    (["--answer", "-V.T @ grad_o[tau]", "--json"], "-V.T @ grad_o[tau]"),
    (["--answer=-V.T @ grad_o[tau]", "--json"], "-V.T @ grad_o[tau]"),
    (["--answer", "-V.T@grad_o[tau]", "--json"], "-V.T@grad_o[tau]"),
    (["--json", "--answer", "-V.T@grad_o[tau]", "--syntax", "text"], "-V.T@grad_o[tau]"),
], ids=["spaced", "equals", "no-spaces", "options-around"])
def test_negated_answer_is_read_and_marked_in_json(argv, answer, capsys):
    """rnn/grad_h_tau is V^T grad_o^(tau) (eq. 10.19): the negated answer is a sign flip."""
    code = main(["check", "rnn/grad_h_tau", *argv])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["answer"] == answer
    assert (out["verdict"], out["mistake"]) == ("incorrect", "sign-flip")


def test_answer_starting_with_h_is_not_read_as_help(capsys):
    """``-h[t]`` begins like ``-h``, argparse's --help."""
    assert main(["check", "rnn/grad_h", "--answer", "-h[t]", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["parsed"] == "-h[t]"


def test_a_forgotten_answer_is_still_an_error(capsys):
    """``--answer --json``: the option after --answer is an option, and argparse says so."""
    assert main(["check", "rnn/grad_h", "--answer", "--json"]) == 2
    assert "--answer: expected one argument" in capsys.readouterr().err


def test_installed_command_reads_a_negated_answer():
    run = subprocess.run([str(GRADBOOK), "check", "rnn/grad_h_tau", "--answer", "-V.T @ grad_o[tau]", "--json"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and json.loads(run.stdout)["mistake"] == "sign-flip"


def test_grade_reads_an_answers_file_named_with_a_leading_minus(tmp_path, capsys):
    answers = tmp_path / "-late.csv"
    answers.write_text("student,answer\nana,V.T @ grad_o[tau]\n", encoding="utf-8")
    run = subprocess.run([str(GRADBOOK), "grade", "rnn/grad_h_tau", "-o", "marks", "--", answers.name],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "correct    1" in run.stdout and (tmp_path / "marks.csv").exists()
