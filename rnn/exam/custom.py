"""Lecturers' own questions from a TOML file, validated field by field (docs/exam.md).

    [[question]]
    id = "mine/grad_W"                 # unique, no spaces
    model = "rnn"                      # rnn | output_rnn | lstm | gru | scalar_rnn
    asked = "grad_W"                   # grad_<param> or grad_<node>[t] / [tau] / [3]
    symbols = ["h", "grad_h"]          # the names an answer may use
    statement = "Derive ..."           # shown to students (Markdown + LaTeX)
    # optional: title, equation, reference (answer key, plain text), of = "h[2]",
    # steps = "all" | "before_last", loss = "sum" | "mean", tau = 4,
    # sizes = { n_in = 2, hidden = 3, classes = 4 }, given = { w = 0.5, "x[1]" = 1.0 },
    # options = { candidate = "tanh" } (passed to the model)

The built-in bank (rnn/exam/bank/builtin.toml) goes through the same checks. Every error is a
`QuestionError` whose one-line message names the file, the question and the field.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .ast import Symbol
from .errors import ParseError
from .names import DEFAULT_NAMES
from .parse_text import parse_text
from .questions import LOSSES, MODELS, STEPS, Question, QuestionError

_FIELDS = {"id", "title", "statement", "model", "asked", "of", "steps", "symbols", "reference",
           "equation", "loss", "sizes", "tau", "given", "options"}
_REQUIRED = ("id", "model", "asked", "symbols", "statement")
_ID = re.compile(r"^[A-Za-z0-9_./-]{1,80}$")
_SIZE_KEYS = ("n_in", "hidden", "classes")
# Answers may name tau (a mean over time) and the GRU candidate htilde besides the book's symbols.
KNOWN_NAMES = DEFAULT_NAMES | {"tau", "htilde"}
# A question may ask for the gradient of any node kind `rnn.unroll` names (gates included).
ASKABLE_NAMES = KNOWN_NAMES | {f"grad_{kind}" for kind in ("f", "g", "q", "u", "r", "htilde", "cand", "L")}


def load_questions(path):
    """{id: Question} from the TOML file at `path`; raises QuestionError on any invalid field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuestionError(f"{path}: no such question file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise QuestionError(f"{path}: not valid TOML ({exc}); see docs/exam.md for the format") from None
    entries = data.get("question")
    if not isinstance(entries, list) or not entries:
        raise QuestionError(f"{path}: no [[question]] tables; start each question with [[question]]")
    questions = {}
    for number, entry in enumerate(entries, start=1):
        question = question_from_table(entry, f"{path}, question {number}")
        if question.id in questions:
            raise QuestionError(f"{path}: question id {question.id!r} appears twice; ids must be unique")
        questions[question.id] = question
    return questions


def question_from_table(entry, where):
    """A Question from one TOML table; `where` prefixes every error message."""
    if not isinstance(entry, dict):
        raise QuestionError(f"{where}: expected a table of fields")
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise QuestionError(f"{where}: unknown field {unknown[0]!r}; the fields are {', '.join(sorted(_FIELDS))}")
    for name in _REQUIRED:
        if name not in entry:
            raise QuestionError(f"{where}: missing field {name!r}")
    qid = _string(entry, "id", where)
    if not _ID.match(qid):
        raise QuestionError(f"{where}: id {qid!r} may use only letters, digits and . _ / -")
    where = f"{where} ({qid})"
    model = _choice(entry, "model", MODELS, where)
    symbols = _symbols(entry, where)
    question = Question(
        id=qid, title=_string(entry, "title", where, default=qid),
        statement=_string(entry, "statement", where).strip(), model=model,
        asked=_asked(entry, where), symbols=symbols,
        reference=_reference(entry, symbols, where),
        of=_of(entry, where), steps=_choice(entry, "steps", STEPS, where, default="all"),
        equation=_string(entry, "equation", where, default=""),
        loss=_choice(entry, "loss", LOSSES, where, default="sum"),
        sizes=_sizes(entry, where), tau=_tau(entry, model, where),
        given=_given(entry, where), options=_table(entry, "options", where))
    return question


def _string(entry, name, where, default=None):
    value = entry.get(name, default)
    if not isinstance(value, str) or (name in _REQUIRED and not value.strip()):
        raise QuestionError(f"{where}: field {name!r} must be a non-empty string")
    return value


def _choice(entry, name, choices, where, default=None):
    value = entry.get(name, default)
    if value not in choices:
        raise QuestionError(f"{where}: {name} = {value!r} is not one of {', '.join(choices)}")
    return value


def _symbol(text, name, where, names=KNOWN_NAMES):
    try:
        node = parse_text(text, names)
    except ParseError as exc:
        raise QuestionError(f"{where}: cannot read {name} = {text!r}: {exc}") from None
    if not isinstance(node, Symbol):
        raise QuestionError(f"{where}: {name} = {text!r} must be one symbol such as grad_W or h[2]")
    return node


def _asked(entry, where):
    text = _string(entry, "asked", where)
    node = _symbol(text, "asked", where, ASKABLE_NAMES)
    if not node.name.startswith("grad_"):
        raise QuestionError(f"{where}: asked = {text!r} must be a gradient such as grad_W or grad_h[t]")
    return node


def _of(entry, where):
    if "of" not in entry or entry["of"] == "L":
        return None
    return _symbol(_string(entry, "of", where), "of", where)


def _symbols(entry, where):
    names = entry["symbols"]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise QuestionError(f"{where}: symbols must be a list of names such as [\"h\", \"grad_h\"]")
    unknown = [n for n in names if n not in KNOWN_NAMES]
    if unknown:
        raise QuestionError(f"{where}: symbol {unknown[0]!r} is not a known name; use some of "
                            + ", ".join(sorted(KNOWN_NAMES)))
    return tuple(dict.fromkeys(names))


def _reference(entry, symbols, where):
    if "reference" not in entry:
        return None
    text = _string(entry, "reference", where)
    try:
        parse_text(text, frozenset(symbols))
    except ParseError as exc:
        raise QuestionError(f"{where}: cannot read the reference answer with the question's "
                            f"symbols: {exc}") from None
    return text


def _sizes(entry, where):
    sizes = entry.get("sizes")
    if sizes is None:
        return None
    if not isinstance(sizes, dict) or set(sizes) != set(_SIZE_KEYS):
        raise QuestionError(f"{where}: sizes must be {{ n_in = ..., hidden = ..., classes = ... }}")
    for key, value in sizes.items():
        if not isinstance(value, int) or not 1 <= value <= 50:
            raise QuestionError(f"{where}: sizes.{key} = {value!r} must be a whole number from 1 to 50")
    return dict(sizes)


def _tau(entry, model, where):
    tau = entry.get("tau")
    if tau is None:
        return 2 if model == "scalar_rnn" else None
    if not isinstance(tau, int) or not 1 <= tau <= 20:
        raise QuestionError(f"{where}: tau = {tau!r} must be a whole number from 1 to 20")
    if model == "scalar_rnn" and tau != 2:
        raise QuestionError(f"{where}: the scalar RNN has two steps; remove tau or set tau = 2")
    return tau


def _given(entry, where):
    given = _table(entry, "given", where)
    for key, value in given.items():
        _symbol(key, f"given key {key!r}", where)
        if not _numbers(value):
            raise QuestionError(f"{where}: given {key} = {value!r} must be a number or a list of numbers")
    return given


def _numbers(value):
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, list) and bool(value) and all(_numbers(v) for v in value)


def _table(entry, name, where):
    value = entry.get(name, {})
    if not isinstance(value, dict):
        raise QuestionError(f"{where}: {name} must be a table such as {{ key = value }}")
    return dict(value)
