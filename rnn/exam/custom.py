"""Lecturers' own questions from a TOML file, validated field by field (docs/exam.md).

    [[question]]
    id = "mine/grad_W"                 # unique, no spaces
    model = "rnn"                      # rnn | output_rnn | lstm | gru | scalar_rnn
    # or, instead of model, a lecturer's cell: cell = "relu_rnn.py:relu_rnn" (relative to this file)
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

import inspect
import math
import re
import tomllib
from pathlib import Path

import numpy as np

from autodiff.errors import GradbookError

from rnn.expr.tree import Grad, Symbol
from .cell_questions import MODEL as CELL_MODEL
from .cell_questions import cell_names, load_question_cell
from .errors import ParseError
from .names import DEFAULT_NAMES
from .parse_text import parse_text
from .questions import LOSSES, MODELS, STEPS, Question, QuestionError

_FIELDS = {"id", "title", "statement", "model", "asked", "of", "steps", "symbols", "reference",
           "equation", "loss", "sizes", "tau", "given", "options", "cell"}
_REQUIRED = ("id", "asked", "symbols", "statement")
_ID = re.compile(r"^[A-Za-z0-9_./-]{1,80}$")
_SIZE_KEYS = ("n_in", "hidden", "classes")
# Answers may name tau (a mean over time) and the GRU candidate htilde besides the book's symbols.
KNOWN_NAMES = DEFAULT_NAMES | {"tau", "htilde"}
# A question may ask for the gradient of any node kind `rnn.unroll` names (gates included).
ASKABLE_NAMES = KNOWN_NAMES | {f"grad_{kind}" for kind in ("f", "g", "q", "u", "r", "htilde", "cand", "L")}
# The extremes of the sizes and the shortest tau `rnn.exam.context` draws for a question that
# fixes neither (n_in 2-3, H 4-5, K 6-7, tau 3-4): a given value or an `of` node that fits
# both extremes at the shortest tau fits every draw.
_DRAWN_SIZES = ((2, 4, 6), (3, 5, 7))
_SHORTEST_TAU = 3


def read_toml(path, what, option):
    """The TOML file at `path` as a dict; a `QuestionError` naming the file otherwise.

    `what` names the file in messages ("question", "rubric"), `option` the command-line option
    that takes it (``--questions``), so a folder given by mistake gets the fix in one line.
    """
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise QuestionError(f"{path}: no such {what} file") from None
    except IsADirectoryError:
        raise QuestionError(f"{path}: is a folder; give {option} the TOML file itself") from None
    except OSError as exc:
        raise QuestionError(f"{path}: cannot read the {what} file ({exc.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise QuestionError(f"{path}: not valid TOML ({exc}); see docs/exam.md for the format") from None


def load_questions(path):
    """{id: Question} from the TOML file at `path`; raises QuestionError on any invalid field."""
    path = Path(path)
    data = read_toml(path, "question", "--questions")
    entries = data.get("question")
    if not isinstance(entries, list) or not entries:
        raise QuestionError(f"{path}: no [[question]] tables; start each question with [[question]]")
    questions = {}
    for number, entry in enumerate(entries, start=1):
        question = question_from_table(entry, f"{path}, question {number}", path)
        if question.id in questions:
            raise QuestionError(f"{path}: question id {question.id!r} appears twice; ids must be unique")
        questions[question.id] = question
    return questions


def question_from_table(entry, where, path=None):
    """A Question from one TOML table; `where` prefixes every error message; a `cell` path is
    read relative to the question file `path`."""
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
    spec, names, askable = None, KNOWN_NAMES, ASKABLE_NAMES
    if "cell" in entry:
        if "model" in entry or "options" in entry:
            raise QuestionError(f"{where}: a question on a cell takes no {'model' if 'model' in entry else 'options'}; "
                                f"remove it (the cell file defines the model)")
        spec = load_question_cell(entry["cell"], path or ".", where)
        model = CELL_MODEL
        try:
            names = askable = cell_names(spec)
        except GradbookError as exc:
            raise QuestionError(f"{where}: cell = {entry['cell']!r}: {exc}") from None
    else:
        if "model" not in entry:
            raise QuestionError(f"{where}: missing field 'model' (or 'cell' for a lecturer's cell file)")
        model = _choice(entry, "model", MODELS, where)
    symbols = _symbols(entry, where, names)
    question = Question(
        id=qid, title=_string(entry, "title", where, default=qid),
        statement=_string(entry, "statement", where).strip(), model=model,
        asked=_asked(entry, where, askable), symbols=symbols,
        reference=_reference(entry, symbols, where),
        of=_of(entry, where, names), steps=_choice(entry, "steps", STEPS, where, default="all"),
        equation=_string(entry, "equation", where, default=""),
        loss=_choice(entry, "loss", LOSSES, where, default="sum"),
        sizes=_sizes(entry, where), tau=_tau(entry, model, where),
        given=_given(entry, where, names), options=_table(entry, "options", where), cell=spec)
    if question.given or question.options or question.of is not None:
        _check_on_the_model(question, entry, where)
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


def _asked(entry, where, names=ASKABLE_NAMES):
    text = _string(entry, "asked", where)
    node = _symbol(text, "asked", where, names)
    if not isinstance(node, Grad):
        raise QuestionError(f"{where}: asked = {text!r} must be a gradient such as grad_W or grad_h[t]")
    return node


def _of(entry, where, names=KNOWN_NAMES):
    if "of" not in entry or entry["of"] == "L":
        return None
    return _symbol(_string(entry, "of", where), "of", where, names)


def _symbols(entry, where, known=KNOWN_NAMES):
    names = entry["symbols"]
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        raise QuestionError(f"{where}: symbols must be a list of names such as [\"h\", \"grad_h\"]")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise QuestionError(f"{where}: symbol {unknown[0]!r} is not a known name; use some of "
                            + ", ".join(sorted(known)))
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


def _given(entry, where, names=KNOWN_NAMES):
    given = _table(entry, "given", where)
    for key, value in given.items():
        _symbol(key, f"given key {key!r}", where, names)
        if not _numbers(value):
            raise QuestionError(f"{where}: given {key} = {value!r} must be a number or a list of numbers")
        if not all(math.isfinite(v) for v in _flat(value)):
            raise QuestionError(f"{where}: given {key} = {value!r} holds nan or inf; give finite numbers")
        try:
            np.array(value, dtype=float)
        except ValueError:
            raise QuestionError(f"{where}: given {key} = {value!r} is ragged; every row of a matrix "
                                "needs the same number of entries") from None
    return given


def _flat(value):
    return [x for v in value for x in _flat(v)] if isinstance(value, list) else [value]


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


def _check_on_the_model(question, entry, where):
    """Build the question's model with its `options`, put each `given` value in place and find
    the `of` node, at every size and tau the question may be drawn with; each failure names
    the field and the key (otherwise it would surface as a NumPy error when an answer is checked)."""
    from .context import _apply_given, _targets
    draws = [(1, 1, 1)] if question.model == "scalar_rnn" else (
        [tuple(question.sizes[k] for k in _SIZE_KEYS)] if question.sizes else _DRAWN_SIZES)
    tau = question.tau or _SHORTEST_TAU
    for n_in, hidden, classes in draws:
        at = f"n_in = {n_in}, hidden = {hidden}, classes = {classes}, tau = {tau}"
        model = _model_with_options(question, (n_in, hidden, classes), where)
        x = np.zeros((tau, n_in, 1))
        y = _targets(model, question, np.random.default_rng(0), tau, classes)
        state = {kind: np.zeros((model.state_size(kind), 1)) for kind in model.carry}
        for key, value in question.given.items():
            try:
                _apply_given(model, question, {key: value}, x, y, state)
            except QuestionError as exc:
                raise QuestionError(f"{where}: {str(exc).split(': ', 1)[-1]}") from None
            except ValueError as exc:
                fix = "" if question.sizes or question.model == "scalar_rnn" else (
                    "; the sizes are drawn at random, so fix them with sizes = { n_in = ..., hidden = ..., "
                    "classes = ... }")
                raise QuestionError(f"{where}: given {key} = {entry['given'][key]!r} does not fit the model "
                                    f"at {at} ({exc}){fix}") from None
        if question.of is not None:
            _find_of(question, entry["of"], model, x, y, state, where, at)


def _model_with_options(question, sizes, where):
    if question.model == "scalar_rnn" and question.options:
        raise QuestionError(f"{where}: options: the scalar RNN takes none; remove the options table")
    import rnn
    from .context import _CONSTRUCTORS, _model
    if question.options:
        accepted = [name for name in inspect.signature(getattr(rnn, _CONSTRUCTORS[question.model])).parameters
                    if name not in ("n_in", "hidden", "n_out")]
        unknown = [key for key in question.options if key not in accepted]
        if unknown:
            raise QuestionError(f"{where}: options: {unknown[0]!r} is not an option of the {question.model} "
                                f"model; it takes {', '.join(accepted)}")
    try:
        return _model(question, *sizes)
    except GradbookError as exc:
        raise QuestionError(f"{where}: options: {exc}") from None


def _find_of(question, text, model, x, y, state, where, at):
    import rnn
    of = question.of
    unrolled = rnn.unroll(model, x, y, h0=state, loss=question.loss)
    try:
        unrolled.node(of.name, of.index.resolve(None, unrolled.tau) if of.index else None)
    except (KeyError, ValueError):
        kinds = sorted({n.meta["kind"] for n in unrolled.nodes.values() if n.meta.get("kind")})
        example = "h" if "h" in kinds else kinds[0]
        raise QuestionError(f"{where}: of = {text!r} is no node of the {question.model} model at {at}; "
                            f"give a node such as {example}[2] (kinds: {', '.join(kinds)}) with a step "
                            f"from 0 to tau, or L") from None
