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


@pytest.mark.parametrize("extra, words", [
    ('of = "z[2]"', ["of = 'z[2]'", "no node", "kinds:"]),
    ('of = "h[99]"', ["of = 'h[99]'", "tau = 4"]),
    ('of = "grad_h[2]"', ["of = 'grad_h[2]'"]),
    ("options = { foo = 1 }", ["options", "'foo'", "it takes"]),
    ('options = { form = "cho" }', ["options", "'form'"]),
    ("given = { W = [[1.0, 2.0, 3.0], [4.0]] }", ["given W", "ragged"]),
    ("given = { W = [[1.0, 2.0], [3.0, 4.0]] }", ["given W", "does not fit", "(3,3)"]),
    ('given = { "h[0]" = [1.0, 2.0] }', ["given h[0]", "does not fit"]),
    ('given = { "x[1]" = [nan, 1.0] }', ["given x[1]", "nan or inf"]),
    ("given = { W = -inf }", ["given W", "nan or inf"]),
    ('given = { "x[9]" = 1.0 }', ["x[9]"]),
])
def test_a_field_that_does_not_fit_the_model_is_named_with_its_key(tmp_path, extra, words):
    """of, options and given are tried on the question's model when the file is read, so a
    bad one is a one-line QuestionError naming the file, the question and the key, not a
    NumPy error when the first answer is checked."""
    path = write(tmp_path, GOOD + extra + "\n")
    with pytest.raises(QuestionError) as caught:
        load_questions(path)
    message = str(caught.value)
    assert "\n" not in message
    for word in [str(path), "question 1 (mine/grad_b)", *words]:
        assert word in message


def test_given_values_need_fixed_sizes_when_their_shape_depends_on_them(tmp_path):
    text = (GOOD.replace("sizes = { n_in = 2, hidden = 3, classes = 5 }\n", "")
            + 'given = { "h[0]" = [0.1, 0.2, 0.3, 0.4] }\n')
    with pytest.raises(QuestionError, match="drawn at random, so fix them with sizes"):
        load_questions(write(tmp_path, text))


def test_given_values_and_options_that_fit_are_accepted(tmp_path):
    text = (GOOD.replace('model = "rnn"', 'model = "lstm"') + 'options = { candidate = "tanh" }\n'
            'given = { "h[0]" = [0.1, 0.2, 0.3], "x[1]" = [[1.0], [-1.0]] }\nof = "h[3]"\n')
    question = load_questions(write(tmp_path, text))["mine/grad_b"]
    assert question.options == {"candidate": "tanh"} and question.of.name == "h"


def test_a_folder_or_a_missing_file_is_one_line(tmp_path):
    with pytest.raises(QuestionError, match="is a folder; give --questions the TOML file"):
        load_questions(tmp_path)
    with pytest.raises(QuestionError, match="no such question file"):
        load_questions(tmp_path / "missing.toml")
