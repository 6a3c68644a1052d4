"""Lecturers' own questions in TOML: loaded, checked like built-in ones, errors named clearly."""
import pytest

from rnn.exam.check import Checker
from rnn.exam.custom import load_questions
from rnn.exam.questions import QuestionError

GOOD = '''
[[question]]
id = "mine/grad_b"
model = "rnn"
asked = "grad_b"
symbols = ["h", "grad_h"]
reference = "sum_t (1 - h[t]**2) * grad_h[t]"
statement = "Give the gradient of b."
sizes = { n_in = 2, hidden = 3, classes = 5 }
tau = 4
'''


def write(tmp_path, text):
    path = tmp_path / "mine.toml"
    path.write_text(text)
    return path


def test_lecturer_question_is_checked_like_a_built_in_one(tmp_path):
    question = load_questions(write(tmp_path, GOOD))["mine/grad_b"]
    checker = Checker(question)
    assert checker.check("sum_t diag(1 - h[t]**2) @ grad_h[t]").verdict == "correct"
    assert checker.check("sum_t grad_h[t]").mistake == "missing-activation-derivative"


def test_question_without_a_key_still_tells_correct_from_incorrect(tmp_path):
    question = load_questions(write(tmp_path, GOOD.replace('reference = "sum_t (1 - h[t]**2) * grad_h[t]"\n', "")))
    checker = Checker(question["mine/grad_b"])
    assert checker.check("sum_t (1 - h[t]**2) * grad_h[t]").verdict == "correct"
    assert checker.check("sum_t grad_h[t]").verdict == "incorrect"


@pytest.mark.parametrize("change, words", [
    (('model = "rnn"', 'model = "cnn"'), "model"),
    (('symbols = ["h", "grad_h"]', 'symbols = ["h", "banana"]'), "banana"),
    (('asked = "grad_b"\n', ""), "asked"),
    (("tau = 4", "tau = -1"), "tau"),
    (('reference = "sum_t (1 - h[t]**2) * grad_h[t]"', 'reference = "sum_t (1 - h[t]**2 * grad_h[t]"'), "reference"),
    (("[[question]]", "[question"), "TOML"),
])
def test_invalid_field_is_named(tmp_path, change, words):
    with pytest.raises(QuestionError, match=words):
        load_questions(write(tmp_path, GOOD.replace(*change)))


def test_wrong_answer_key_is_caught_against_the_engine(tmp_path):
    question = load_questions(write(tmp_path, GOOD.replace("(1 - h[t]**2) * ", "")))["mine/grad_b"]
    with pytest.raises(QuestionError, match="disagrees with the engine"):
        Checker(question).check("sum_t grad_h[t]")
