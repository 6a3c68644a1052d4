"""A correct recursion with a wrong base case (issue 16's rubric): eq. 10.21 written at t = tau,
or the output term kept at t = 0, is named `wrong-base-case` and priced by the rubric."""
import csv

import pytest

from autodiff.cli import main
from rnn.exam.check import Checker
from rnn.exam.grade import grade
from rnn.exam.questions import builtin_questions, get_question
from rnn.exam.rubric import default_rubrics, load_rubrics

# (question, answer as students write it); each is the interior recursion at the boundary
BASE_CASES = [
    ("rnn/grad_h_tau", "W.T @ diag(1 - h[tau+1]**2) @ grad_h[tau+1] + V.T @ grad_o[tau]"),
    ("rnn/grad_h_tau", "V.T @ grad_o[tau] + W.T @ diag(1-h[tau+1]**2) @ grad_h[tau+1]"),
    ("rnn/grad_h_tau", "W.T @ ((1 - h[tau+1]**2) * grad_h[tau+1]) + V.T @ grad_o[tau]"),
    # eq. 10.21 copied with its t, for the last step
    ("rnn/grad_h_tau", "W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] + V.T @ grad_o[t]"),
    ("rnn/grad_h_tau", r"\mathbf{W}^\top \operatorname{diag}\left(1-\left(\mathbf{h}^{(\tau+1)}\right)^2\right) "
                       r"\nabla_{\mathbf{h}^{(\tau+1)}} L + \mathbf{V}^\top \nabla_{\mathbf{o}^{(\tau)}} L"),
    ("rnn/grad_h_tau", r"\boldsymbol{V}^{\top} \frac{\partial L}{\partial \boldsymbol{o}^{(\tau)}} + "
                       r"\boldsymbol{W}^{\top} \frac{\partial L}{\partial \boldsymbol{h}^{(\tau+1)}}"),
    # the start of the sequence: there is no o^(0), so no output term at t = 0
    ("rnn/grad_h0", "W.T @ diag(1 - h[1]**2) @ grad_h[1] + V.T @ grad_o[0]"),
    ("rnn/grad_h0", r"W^T \mathrm{diag}(1 - h_1^2) \nabla_{h^{(1)}} L + V^T \nabla_{o^{(0)}} L"),
]


@pytest.mark.parametrize("qid, answer", BASE_CASES)
def test_the_recursion_at_its_boundary_is_a_wrong_base_case(qid, answer):
    result = Checker(get_question(qid)).check(answer)
    assert (result.verdict, result.mistake, result.mistakes) == ("incorrect", "wrong-base-case",
                                                                 ["wrong-base-case"]), result.message
    assert "drops out" in result.message and "base case" in result.message


def test_the_feedback_names_the_term_that_drops_out_and_what_remains():
    result = Checker(get_question("rnn/grad_h_tau")).check(BASE_CASES[0][1])
    assert "the term W.T @ diag(1 - h[tau+1]**2) @ grad_h[tau+1] (there is no h[tau+1]) drops out" in result.message
    assert "so the answer is V.T @ grad_o[tau]" in result.message
    at_zero = Checker(get_question("rnn/grad_h0")).check(BASE_CASES[6][1])
    assert "V.T @ grad_o[0] (there is no grad_o[0])" in at_zero.message


@pytest.mark.parametrize("answer, mistake", [
    ("W.T @ grad_h[tau+1]", "wrong-time-index"),                      # nothing of the base case is left
    ("2 * V.T @ grad_o[tau] + W.T @ grad_h[tau+1]", "wrong-time-index"),   # what remains is wrong too
])
def test_a_step_past_the_end_is_a_time_index_when_what_remains_is_not_the_gradient(answer, mistake):
    assert Checker(get_question("rnn/grad_h_tau")).check(answer).mistake == mistake


def test_the_recursion_itself_stays_correct_where_it_holds():
    answer = "W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] + V.T @ grad_o[t]"
    assert Checker(get_question("rnn/grad_h")).check(answer).verdict == "correct"


def test_a_parameter_gradient_is_never_a_base_case():
    """grad_W has no boundary: a term past the end of the sequence there is an index slip."""
    answer = "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T + W.T @ grad_h[tau+1] @ h[tau].T"
    assert Checker(get_question("rnn/grad_W")).check(answer).mistake == "wrong-time-index"


def test_the_built_in_rubric_prices_it():
    rubric = default_rubrics()["*"]
    assert rubric.deduct["wrong-base-case"] == 3
    assert rubric.score("incorrect", ["wrong-base-case"]) == 7


def test_a_lecturers_rubric_may_price_it_and_grade_totals_it(tmp_path):
    path = tmp_path / "rubric.toml"
    path.write_text('[[rubric]]\nquestion = "rnn/grad_h_tau"\npoints = 4\n'
                    '[rubric.deduct]\nwrong-base-case = 1.5\nmissing-output-path = 4\n', encoding="utf-8")
    rubrics = load_rubrics(path, set(builtin_questions()))
    answers = ("student,answer\nann,V.T @ grad_o[tau]\n"
               f"bo,{BASE_CASES[0][1]}\n"
               f"cy,\"{BASE_CASES[3][1]}\"\n")
    report = grade(get_question("rnn/grad_h_tau"), answers, rubrics=rubrics)
    assert [(r.student, r.mistake, r.points) for r in report.rows] == [
        ("ann", "", 4), ("bo", "wrong-base-case", 2.5), ("cy", "wrong-base-case", 2.5)]


def test_grade_writes_the_mistake_and_its_points(tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    answers.write_text(f"student,answer\nann,V.T @ grad_o[tau]\nbo,{BASE_CASES[0][1]}\n", encoding="utf-8")
    assert main(["grade", "rnn/grad_h_tau", str(answers), "-o", str(tmp_path / "marks")]) == 0
    assert "wrong-base-case" in capsys.readouterr().out
    with open(tmp_path / "marks.csv", newline="", encoding="utf-8-sig") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert (rows["bo"]["mistake"], float(rows["bo"]["points"])) == ("wrong-base-case", 7.0)
