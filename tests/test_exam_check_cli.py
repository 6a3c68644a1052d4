"""`gradbook check` as a student's answer reaches it: exit codes, JSON, and hostile input
refused quickly with nothing executed (issue 5)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from autodiff.cli import main

GRADBOOK = Path(sys.executable).with_name("gradbook")

HOSTILE = [
    ("text", "__import__('os').system('touch gradbook-pwned')"),
    ("text", "h.__class__.__mro__"),
    ("latex", r"\input{/etc/passwd}"),
    ("text", "h[t] ** (10 ** 10 ** 10)"),
    ("text", "(" * 50_000 + "h[t]" + ")" * 50_000),
]


@pytest.mark.parametrize("syntax, answer", HOSTILE, ids=["import", "attribute", "input", "power-tower", "parens"])
def test_hostile_answer_is_invalid_and_runs_nothing(tmp_path, syntax, answer):
    run = subprocess.run([str(GRADBOOK), "check", "rnn/grad_W", "--answer", answer, "--syntax", syntax, "--json"],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 2
    assert json.loads(run.stdout)["verdict"] == "invalid"
    assert not (tmp_path / "gradbook-pwned").exists()


def test_check_json_has_verdict_mistake_and_message(capsys):
    code = main(["check", "rnn/grad_o", "--answer", "onehot(y[t]) - yhat[t]", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (out["verdict"], out["mistake"]) == ("incorrect", "sign-flip") and out["message"]


def test_correct_answer_exits_zero(capsys):
    assert main(["check", "rnn/grad_c", "--answer", "sum_t grad_o[t]"]) == 0
    assert capsys.readouterr().out.startswith("CORRECT")


def test_unknown_question_exits_two(capsys):
    assert main(["check", "rnn/nope", "--answer", "h", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["verdict"] == "invalid"


def test_questions_lists_ids_statements_and_symbols(capsys):
    assert main(["questions"]) == 0
    out = capsys.readouterr().out
    assert "rnn/grad_W" in out and "symbols:" in out and "\\nabla_{\\boldsymbol{W}} L" in out
