"""gradbook variant (issue 16): one RNN exam per seed, its key derived and checked, its
question file marked by the same checker as a lecturer's, the same bytes for the same seed."""
import csv
import itertools
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from autodiff.cli import main
from rnn.derive.custom import FD_TOLERANCE, TOLERANCE
from rnn.exam.derived import to_tree
from rnn.exam.parse_text import parse_text
from rnn.exam.questions import QuestionError
from rnn.exam.variant import ACTIVATIONS, ASKED, LOSSES, draw
from rnn.exam.variant_build import FILES, answer_text, build
from rnn.expr.time import TimeIndex
from rnn.expr.tree import Call, Grad, MatMul, Neg, Number, Pow, SumOverTime, Symbol, Transpose, add, sub

GRID = list(itertools.product(ACTIVATIONS, LOSSES, ASKED))


@pytest.fixture(scope="module")
def grid():
    """Seed 5 with every activation x loss x gradient asked pinned: 48 variants."""
    return {(a, loss, wrt): build(draw("rnn", 5, activation=a, loss=loss, wrt=wrt)) for a, loss, wrt in GRID}


def test_every_key_agrees_with_the_engine_and_finite_differences(grid):
    for choice, built in grid.items():
        assert built.derived <= TOLERANCE and built.fd <= FD_TOLERANCE, (choice, built.derived, built.fd)


def test_a_sweep_of_seeds_covers_every_activation_and_loss():
    drawn = [draw("rnn", seed) for seed in range(40)]
    assert {(v.activation, v.loss) for v in drawn} == set(itertools.product(ACTIVATIONS, LOSSES))
    assert {v.asked.wrt for v in drawn} == set(ASKED)
    assert all(len({v.n_in, v.hidden, v.classes}) == 3 for v in drawn)   # a missing transpose cannot hide
    for v in drawn[:24]:
        built = build(v)
        assert built.derived <= TOLERANCE and built.fd <= FD_TOLERANCE, v


def test_the_same_seed_gives_the_same_bytes(tmp_path, capsys):
    """In this process and in another with another string hash seed (no set order leaks out)."""
    assert main(["variant", "rnn", "--seed", "11", "--count", "3", "-o", str(tmp_path / "one")]) == 0
    subprocess.run([sys.executable, "-m", "autodiff", "variant", "rnn", "--seed", "11", "--count", "3", "-o",
                    str(tmp_path / "two")], check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "7"})
    for seed in (11, 12, 13):
        for name in FILES:
            one = (tmp_path / "one" / f"seed-{seed}" / name).read_bytes()
            assert one == (tmp_path / "two" / f"seed-{seed}" / name).read_bytes(), (seed, name)
    assert "wrote 24 files" in capsys.readouterr().out


def test_pinning_one_choice_keeps_the_others_of_the_seed():
    free = draw("rnn", 9)
    for pins in ({"activation": "relu"}, {"loss": "squared"}, {"wrt": "h[tau]"}, {"tau": 7}):
        pinned = draw("rnn", 9, **pins)
        for field in ("n_in", "hidden", "classes", "tau", "activation", "loss", "asked"):
            if field not in pins and not (field == "asked" and "wrt" in pins):
                assert getattr(pinned, field) == getattr(free, field), (pins, field)
    assert draw("rnn", 9, activation="relu").activation == "relu"
    assert draw("rnn/grad_U", 9).asked.wrt == "U"


def _write(tmp_path, *options):
    out = tmp_path / "v"
    assert main(["variant", *options, "-o", str(out)]) == 0
    return out


def _check(out, qid, answer, capsys):
    capsys.readouterr()
    status = main(["check", "--questions", str(out / "question.toml"), qid, "--answer", answer])
    return status, capsys.readouterr().out


# (pins, answer as a student types it, exit status, the named mistake or None)
ANSWERS = [
    (("--activation", "relu", "--wrt", "W"), "sum_t grad_a[t] @ h[t-1].T", 0, None),
    # tanh's derivative kept for a ReLU variant: wrong, the part is located
    (("--activation", "relu", "--wrt", "W"), "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T", 1, None),
    (("--activation", "sigmoid", "--wrt", "b"), "sum_t h[t] * (1 - h[t]) * grad_h[t]", 0, None),
    (("--activation", "sigmoid", "--wrt", "b"), "sum_t diag(1 - h[t]**2) @ grad_h[t]", 1, None),
    (("--activation", "sigmoid", "--wrt", "b"), "sum_t grad_h[t]", 1, "missing-activation-derivative"),
    (("--activation", "sigmoid", "--wrt", "h[t]"),
     "W.T @ diag(h[t+1] * (1 - h[t+1])) @ grad_h[t+1] + V.T @ grad_o[t]", 0, None),
    (("--activation", "sigmoid", "--wrt", "h[t]"), "W.T @ diag(h[t+1] * (1 - h[t+1])) @ grad_h[t+1]", 1,
     "missing-output-path"),
    (("--activation", "tanh", "--wrt", "W"), "diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T", 1, "missing-sum-over-time"),
    (("--activation", "tanh", "--wrt", "U"), "sum_t diag(1 - h[t]**2) @ grad_h[t] @ x[t]", 1, "missing-transpose"),
    (("--wrt", "h[tau]"), "W.T @ diag(1 - h[tau+1]**2) @ grad_h[tau+1] + V.T @ grad_o[tau]", 1, "wrong-base-case"),
    (("--loss", "squared", "--wrt", "o[t]"), "o[t] - y[t]", 0, None),
    (("--loss", "squared", "--wrt", "o[t]"), "y[t] - o[t]", 1, "sign-flip"),
    (("--loss", "nll", "--wrt", "o[t]"), "onehot(y[t]) - yhat[t]", 1, "sign-flip"),
    (("--loss", "nll", "--wrt", "V"), r"\sum_{t=1}^{\tau} \nabla_{\mathbf{o}^{(t)}} L \, \mathbf{h}^{(t)\top}", 0, None),
]


@pytest.mark.parametrize("pins, answer, status, mistake", ANSWERS)
def test_the_written_question_file_marks_answers(tmp_path, capsys, pins, answer, status, mistake):
    out = _write(tmp_path, "rnn", "--seed", "4", *pins)
    qid = draw("rnn", 4, **{k.lstrip("-"): v for k, v in zip(pins[::2], pins[1::2])}).question_id
    got, text = _check(out, qid, answer, capsys)
    assert got == status, text
    if mistake:
        assert text.startswith(f"INCORRECT [{mistake}]"), text
    elif status:
        assert text.startswith("INCORRECT:"), text


def test_the_key_as_typed_is_correct_for_every_gradient(tmp_path, capsys, grid):
    """The reference of each written question file, typed as text, through `gradbook check`."""
    for wrt in ASKED:
        out = _write(tmp_path / wrt.replace("[", "_").replace("]", ""), "rnn", "--seed", "5", "--activation", "relu",
                     "--loss", "nll", "--wrt", wrt)
        built = grid[("relu", "nll", wrt)]
        reference = next(line for line in (out / "question.toml").read_text().splitlines()
                         if line.startswith("reference = ")).split(" = ", 1)[1].strip('"')
        status, text = _check(out, built.variant.question_id, reference, capsys)
        assert status == 0, text


def test_grade_marks_a_class_on_a_variant(tmp_path, capsys):
    out = _write(tmp_path, "rnn", "--seed", "2", "--activation", "tanh", "--wrt", "W")
    answers = tmp_path / "answers.csv"
    answers.write_text("student,answer\nann,sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T\n"
                       "bo,sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t].T\ncy,sum_t grad_h[t] @ h[t-1].T\n",
                       encoding="utf-8")
    qid = draw("rnn", 2, activation="tanh", wrt="W").question_id
    assert main(["grade", "--questions", str(out / "question.toml"), qid, str(answers), "-o",
                 str(tmp_path / "marks")]) == 0
    with open(tmp_path / "marks.csv", newline="", encoding="utf-8-sig") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert [(rows[s]["verdict"], rows[s]["mistake"], float(rows[s]["points"])) for s in ("ann", "bo", "cy")] == [
        ("correct", "", 10.0), ("incorrect", "wrong-time-index", 7.0),
        ("incorrect", "missing-activation-derivative", 6.0)]


def test_the_key_is_the_derivation_of_the_written_cell(tmp_path, capsys):
    out = _write(tmp_path, "rnn", "--seed", "6", "--wrt", "W")
    capsys.readouterr()
    assert main(["derive", str(out / "cell.py"), "--wrt", "W"]) == 0
    derived = capsys.readouterr().out.splitlines()
    key = (out / "key.txt").read_text().splitlines()
    assert sorted(key) == sorted(derived)


def test_the_statement_and_solution_say_what_was_drawn(tmp_path):
    v = draw("rnn", 8, activation="sigmoid", loss="squared", wrt="h[t]")
    files = build(v).files
    statement = files["statement.md"]
    assert r"\sigma\left(\boldsymbol{a}^{(t)}\right)" in statement
    assert r"\left\lVert \boldsymbol{o}^{(t)} - \boldsymbol{y}^{(t)} \right\rVert^{2}" in statement
    assert rf"\mathbb{{R}}^{{{v.n_in}}}" in statement and rf"\tau = {v.tau}" in statement
    solution = files["solution.md"]
    steps = [line for line in solution.splitlines() if line.startswith("**Step")]
    assert [s.split(".")[0] for s in steps] == ["**Step 1", "**Step 2", "**Step 3"]
    assert "eq. 10.19" in steps[1] and "eqs. 10.20-10.21" in steps[2] and r"\sigma'(z)" in steps[2]
    assert solution.rstrip().endswith("`W.T @ diag(h[t+1] * (1 - h[t+1])) @ grad_h[t+1] + V.T @ grad_o[t]`")
    assert 'steps = "before_last"' in files["question.toml"]


@pytest.mark.parametrize("argv, said", [
    (["lstm/grad_s"], "gradbook variant draws RNN variants"),
    (["rnn/grad_W", "--wrt", "h[t]"], "rnn/grad_W asks for grad_W"),
    (["rnn", "--activation", "softplus"], "invalid choice: 'softplus'"),
    (["rnn", "--tau", "1"], "--tau"),
    (["rnn", "--seed", "-3"], "--seed"),
])
def test_bad_requests_are_one_line(tmp_path, capsys, argv, said):
    assert main(["variant", *argv, "-o", str(tmp_path / "v")]) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "v" / "cell.py").exists()


def test_earlier_files_are_kept_unless_force(tmp_path, capsys):
    out = _write(tmp_path, "rnn", "--seed", "1")
    before = (out / "cell.py").read_bytes()
    assert main(["variant", "rnn", "--seed", "2", "-o", str(out)]) == 2
    assert "add --force" in capsys.readouterr().err and (out / "cell.py").read_bytes() == before
    assert main(["variant", "rnn", "--seed", "2", "-o", str(out), "--force"]) == 0
    assert (out / "cell.py").read_bytes() != before and "variant_2" in (out / "cell.py").read_text()


def test_a_pin_outside_the_choices_is_refused_in_python():
    with pytest.raises(QuestionError, match="loss 'mse' is not one of nll, squared"):
        draw("rnn", 0, loss="mse")


def test_the_documented_files_are_what_the_command_writes(tmp_path):
    from tests import doccommands as dc
    page = dc.DOCS / "exam.md"
    shown = {b.options["file"]: b.text for b in dc.blocks(page) if b.options.get("file") in ("cell.py", "question.toml")}
    out = _write(tmp_path, "rnn", "--seed", "7", "--activation", "tanh", "--wrt", "W")
    assert shown == {name: (out / name).read_text(encoding="utf-8") for name in shown} and len(shown) == 2


_T, _PREV, _NEXT = TimeIndex("t", 0), TimeIndex("t", -1), TimeIndex("t", 1)
_GRAD_A = Grad("grad_a", _T)


@pytest.mark.parametrize("rhs, typed", [
    (SumOverTime(MatMul((Grad("grad_o", _T), Transpose(Symbol("h", _T))))), "sum_t grad_o[t] @ h[t].T"),
    (SumOverTime(MatMul((Call("diag", (sub(Number(1), Pow(Symbol("h", _T), 2)),)), Grad("grad_h", _T)))),
     "sum_t diag(1 - h[t]**2) @ grad_h[t]"),
    (SumOverTime(add(MatMul((_GRAD_A, Transpose(Symbol("x", _T)))), MatMul((_GRAD_A, Transpose(Symbol("h", _PREV)))))),
     "sum_t (grad_a[t] @ x[t].T + grad_a[t] @ h[t-1].T)"),
    (add(MatMul((Transpose(Symbol("W")), Grad("grad_a", _NEXT))), MatMul((Transpose(Symbol("V")), Grad("grad_o", _T)))),
     "W.T @ grad_a[t+1] + V.T @ grad_o[t]"),
    (add(Neg(Call("onehot", (Symbol("y", _T),))), Symbol("yhat", _T)), "yhat[t] - onehot(y[t])"),
])
def test_the_derived_key_is_typed_as_a_student_would_and_reads_back_as_its_tree(rhs, typed):
    """The derivation's sum over t = 1..tau is sum_t, bracketed only where its body is a sum;
    the positive terms come first."""
    text = answer_text(SimpleNamespace(rhs=rhs))
    assert text == typed
    assert parse_text(text) == to_tree(rhs)


@pytest.mark.parametrize("loss", LOSSES)
def test_every_relu_variant_is_built_although_some_points_sit_on_the_kink(loss):
    """Seed 3 (ReLU, squared error, grad_W) met ReLU's kink inside the finite-difference stencil at
    the first point and was refused; the check now steps to the next point (rnn.derive.custom.FD_POINTS)."""
    for seed in range(30):
        built = build(draw("rnn", seed, activation="relu", loss=loss))
        assert built.derived <= TOLERANCE and built.fd <= FD_TOLERANCE, seed
