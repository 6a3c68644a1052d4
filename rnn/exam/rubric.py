"""Partial credit: a rubric per question, points for a correct answer and deductions per named mistake.

A rubric file is TOML, one ``[[rubric]]`` table per question (docs/exam.md):

    [[rubric]]
    question = "rnn/grad_W"        # a question id, or "*" for every question without its own
    points = 10                    # a correct answer
    incorrect = 1                  # optional: an incorrect answer no deduction covers (default 0)
    [rubric.deduct]                # points off per mistake the checker names
    missing-sum-over-time = 4      # a missing term, a missing path ... each has its own name
    wrong-time-index = 3

An incorrect answer whose named mistakes all have a deduction scores ``points`` minus their
sum (two mistakes at once take off both, never below 0); an incorrect answer with a mistake
the rubric does not list, or with none named, scores ``incorrect``; unreadable, blank and
malformed records score 0. The deductions may only name mistakes the checker reports
(`rnn.exam.mistakes.MISTAKES`), so a misspelt key is an error, not a rule that never fires.

The built-in default (``bank/rubric.toml``) is read by the same loader; every error is a
`QuestionError` whose one line names the file, the rubric (and its question) and the key.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from .custom import read_toml
from .mistakes import MISTAKES
from .questions import QuestionError

DEFAULT = resources.files(__package__).joinpath("bank/rubric.toml")
EVERY_QUESTION = "*"
MAX_POINTS = 1000
_FIELDS = ("question", "points", "incorrect", "deduct")


@dataclass(frozen=True)
class Rubric:
    question: str
    points: float
    incorrect: float = 0.0
    deduct: dict = field(default_factory=dict)

    def score(self, verdict, mistakes):
        """Points for one marked answer: `verdict` as the checker gives it, `mistakes` its named mistakes."""
        if verdict == "correct":
            return self.points
        if verdict != "incorrect":
            return 0.0
        if mistakes and all(m in self.deduct for m in mistakes):
            return max(0.0, self.points - sum(self.deduct[m] for m in dict.fromkeys(mistakes)))
        return self.incorrect


def load_rubrics(path, known_questions=None):
    """{question id or "*": Rubric} from the TOML file at `path`.

    `known_questions` (ids) when given: a rubric for any other question is an error, since it
    would silently never apply.
    """
    return rubrics_from_data(read_toml(path, "rubric", "--rubric"), str(path), known_questions)


def rubrics_from_data(data, where, known_questions=None):
    entries = data.get("rubric")
    if not isinstance(entries, list) or not entries:
        raise QuestionError(f"{where}: no [[rubric]] tables; start each rubric with [[rubric]]")
    rubrics = {}
    for number, entry in enumerate(entries, start=1):
        rubric = rubric_from_table(entry, f"{where}, rubric {number}", known_questions)
        if rubric.question in rubrics:
            raise QuestionError(f"{where}: a second rubric for {rubric.question!r}; one per question")
        rubrics[rubric.question] = rubric
    return rubrics


def rubric_from_table(entry, where, known_questions=None):
    if not isinstance(entry, dict):
        raise QuestionError(f"{where}: expected a table of keys")
    unknown = sorted(set(entry) - set(_FIELDS))
    if unknown:
        raise QuestionError(f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(_FIELDS)}")
    for name in ("question", "points"):
        if name not in entry:
            raise QuestionError(f"{where}: missing key {name!r}")
    qid = entry["question"]
    if not isinstance(qid, str) or not qid.strip():
        raise QuestionError(f"{where}: key 'question' must be a question id or \"*\"")
    where = f"{where} ({qid})"
    if known_questions is not None and qid != EVERY_QUESTION and qid not in known_questions:
        raise QuestionError(f"{where}: question {qid!r} is not known; `gradbook questions` lists them "
                            f"(a lecturer's own needs --questions)")
    points = _points(entry["points"], "points", where, 0, MAX_POINTS, positive=True)
    incorrect = _points(entry.get("incorrect", 0), "incorrect", where, 0, points)
    deduct = entry.get("deduct", {})
    if not isinstance(deduct, dict):
        raise QuestionError(f"{where}: key 'deduct' must be a table of mistake = points")
    for name, value in deduct.items():
        if name not in MISTAKES:
            raise QuestionError(f"{where}: deduct.{name} is not a mistake the checker names; use one of "
                                f"{', '.join(sorted(MISTAKES))}")
        _points(value, f"deduct.{name}", where, 0, points)
    return Rubric(qid, points, incorrect, {k: float(v) for k, v in deduct.items()})


def _points(value, key, where, lo, hi, positive=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise QuestionError(f"{where}: {key} = {value!r} must be a finite number of points")
    if not lo <= value <= hi or (positive and value <= 0):
        bound = f"more than {lo:g}" if positive else f"at least {lo:g}"
        raise QuestionError(f"{where}: {key} = {value:g} must be {bound} and at most {hi:g}")
    return float(value)


def default_rubrics():
    """The built-in rubric (``bank/rubric.toml``): the same deductions for every question."""
    return rubrics_from_data(tomllib.loads(DEFAULT.read_text(encoding="utf-8")), "bank/rubric.toml")


def rubric_for(question_id, rubrics=None):
    """The rubric that applies to `question_id`: its own, else the file's "*", else the built-in default."""
    for table in (rubrics or {}, default_rubrics()):
        for key in (question_id, EVERY_QUESTION):
            if key in table:
                return table[key]
    raise QuestionError(f"no rubric for {question_id!r}")
