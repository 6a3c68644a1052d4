"""Partial credit: rubric files validated line by line, scores and totals in the grade report."""
import csv

import pytest

from autodiff.cli import main
from rnn.exam.grade import grade
from rnn.exam.questions import QuestionError, builtin_questions, get_question
from rnn.exam.rubric import default_rubrics, load_rubrics, rubric_for

W = get_question("rnn/grad_W")
ANSWERS = (
    "student,answer\n"
    "ada,sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T\n"           # correct
    "ben,sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t].T\n"             # wrong-time-index
    "dee,diag(1 - h[tau]**2) @ grad_h[tau] @ h[tau-1].T\n"           # missing-sum-over-time
    "eve,sum_t diag(1 - h[t]**2 @ grad_h[t] @ h[t-1].T\n"            # unreadable
    "fay,\n"                                                        # blank
    "gus,sum_t grad_h[t] @ h[t].T\n"                                # two mistakes at once
)
RUBRIC = """
[[rubric]]
question = "rnn/grad_W"
points = 8
incorrect = 1
[rubric.deduct]
wrong-time-index = 3
missing-sum-over-time = 4.5
missing-activation-derivative = 2
"""


def _rubric(tmp_path, text=RUBRIC):
    path = tmp_path / "r.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_scores_follow_the_rubric(tmp_path):
    rubrics = load_rubrics(_rubric(tmp_path), set(builtin_questions()))
    report = grade(W, ANSWERS, rubrics=rubrics)
    scores = {r.student: r.points for r in report.rows}
    assert scores["ada"] == 8 and scores["ben"] == 5 and scores["dee"] == 3.5
    assert scores["eve"] == 0 and scores["fay"] == 0
    gus = next(r for r in report.rows if r.student == "gus")
    assert set(gus.mistakes) == {"wrong-time-index", "missing-activation-derivative"}, gus.mistakes
    assert scores["gus"] == 8 - 3 - 2
    assert report.total == 8 + 5 + 3.5 + 3 and report.rubric.points == 8


def test_a_mistake_the_rubric_does_not_list_scores_incorrect(tmp_path):
    rubric = load_rubrics(_rubric(tmp_path))["rnn/grad_W"]
    assert rubric.score("incorrect", ["sign-flip"]) == 1
    assert rubric.score("incorrect", []) == 1
    assert rubric.score("incorrect", ["wrong-time-index", "sign-flip"]) == 1
    assert rubric.score("invalid", []) == 0 and rubric.score("malformed", []) == 0


def test_deductions_never_go_below_zero(tmp_path):
    rubric = load_rubrics(_rubric(tmp_path, RUBRIC.replace("= 2\n", "= 8\n")))["rnn/grad_W"]
    assert rubric.score("incorrect", ["wrong-time-index", "missing-activation-derivative"]) == 0


def test_every_builtin_question_has_the_default_rubric():
    default = default_rubrics()["*"]
    for qid in builtin_questions():
        assert rubric_for(qid) == default
    assert default.points == 10 and 0 < default.score("incorrect", ["missing-transpose"]) < 10


def test_a_star_rubric_covers_the_other_questions(tmp_path):
    path = _rubric(tmp_path, RUBRIC + '\n[[rubric]]\nquestion = "*"\npoints = 4\n')
    rubrics = load_rubrics(path)
    assert rubric_for("rnn/grad_W", rubrics).points == 8
    assert rubric_for("rnn/grad_h", rubrics).points == 4


@pytest.mark.parametrize("change, says", [
    (("points = 8", "points = 0"), "r.toml, rubric 1 (rnn/grad_W): points = 0 must be more than 0"),
    (("points = 8", 'points = "8"'), "points = '8' must be a finite number"),
    (("points = 8", "points = nan"), "points = nan must be a finite number"),
    (("incorrect = 1", "incorrect = 9"), "incorrect = 9 must be at least 0 and at most 8"),
    (("wrong-time-index = 3", "wrong-time-idx = 3"), "deduct.wrong-time-idx is not a mistake the checker names"),
    (("wrong-time-index = 3", "wrong-time-index = -1"), "deduct.wrong-time-index = -1 must be at least 0"),
    (("incorrect = 1", "bonus = 1"), "unknown key 'bonus'; the keys are question, points, incorrect, deduct"),
    (('question = "rnn/grad_W"', 'question = "rnn/grad_Z"'), "rubric 1 (rnn/grad_Z): question 'rnn/grad_Z' is not known"),
    (('question = "rnn/grad_W"\n', ''), "rubric 1: missing key 'question'"),
    (("[[rubric]]", "[[rubrics]]"), "no [[rubric]] tables"),
    (("points = 8", "points = 8 8"), "not valid TOML"),
])
def test_a_bad_rubric_is_one_line_naming_file_question_and_key(tmp_path, capsys, change, says):
    path = _rubric(tmp_path, RUBRIC.replace(*change))
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    assert main(["grade", "rnn/grad_W", str(answers), "--rubric", str(path), "-o", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and str(path) in err, err
    assert not (tmp_path / "m.csv").exists()


def test_a_second_rubric_for_one_question_is_refused(tmp_path):
    with pytest.raises(QuestionError, match="a second rubric for 'rnn/grad_W'"):
        load_rubrics(_rubric(tmp_path, RUBRIC + RUBRIC))


def test_missing_rubric_file_is_one_line(tmp_path):
    with pytest.raises(QuestionError, match="no such rubric file"):
        load_rubrics(tmp_path / "none.toml")


def test_grade_command_reports_points(tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    out = tmp_path / "marks"
    assert main(["grade", "rnn/grad_W", str(answers), "--rubric", str(_rubric(tmp_path)), "-o", str(out)]) == 0
    assert "points: 19.5 in all, mean 3.25 of 8" in capsys.readouterr().out
    with open(f"{out}.csv", newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["points"] for r in rows] == ["8", "5", "3.5", "0", "0", "3"]
