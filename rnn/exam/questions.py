"""Exam questions: what is asked, which symbols an answer may use, and the answer key.

A `Question` names the quantity asked for (``grad_W``, ``grad_h[t]``...) of a model that
`rnn.unroll` builds, so the true value always comes from the engine (`rnn.exam.context`).
The built-in bank lives in ``rnn/exam/bank/builtin.toml`` and is read by the same loader as
a lecturer's own file (`rnn.exam.custom`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from autodiff.errors import GradbookError

from rnn.expr.tree import Symbol

# Package data, found through importlib.resources so an installed wheel reads its own copy.
BANK = resources.files(__package__).joinpath("bank/builtin.toml")
MODELS = ("rnn", "output_rnn", "lstm", "gru", "scalar_rnn")
STEPS = ("all", "before_last")
LOSSES = ("sum", "mean")


class QuestionError(GradbookError):
    """A question is unknown, or its definition is invalid (bad field, wrong answer key)."""


@dataclass(frozen=True)
class Question:
    """One exam question.

    `asked` is the Symbol of the quantity (``grad_W``, ``grad_h[t]``); `of` what is
    differentiated (``L`` or a node such as ``h[2]``); `steps` which t a per-step quantity is
    checked at; `symbols` the names an answer may use; `reference` the answer key (plain text,
    or None when the lecturer gives none: then the mistakes are named from the derived key,
    `rnn.exam.derived`, where the question's model has one);
    `sizes` fixed ``{'n_in', 'hidden', 'classes'}`` or None for random sizes; `given` numbers
    by answer name (``{'w': 0.5, 'x[1]': 1.0}``); `options` passed to the model's constructor;
    `cell` the lecturer's `rnn.custom.CustomCell` when `model` is ``"cell"``
    (`rnn.exam.cell_questions`), else None.
    """

    id: str
    title: str
    statement: str
    model: str
    asked: Symbol
    symbols: tuple
    reference: str | None = None
    of: Symbol | None = None
    steps: str = "all"
    equation: str = ""
    loss: str = "sum"
    sizes: dict | None = None
    tau: int | None = None
    given: dict = field(default_factory=dict)
    options: dict = field(default_factory=dict)
    cell: object = None

    @property
    def asked_text(self):
        from .printers import to_text
        return to_text(self.asked)

    @property
    def asked_latex(self):
        from .printers import to_latex
        if self.of is None and self.model != "scalar_rnn":
            return to_latex(self.asked)
        of = "L" if self.of is None else to_latex(self.of)
        wrt = self.asked.of.name
        # the scalar exam writes its weights w, u in italic lower case
        wrt = wrt.lower() if self.model == "scalar_rnn" else to_latex(Symbol(wrt))
        return f"\\frac{{\\partial {of}}}{{\\partial {wrt}}}"

    @property
    def per_step(self):
        """True when the quantity is asked at a step t (grad_h[t]), not as one total."""
        return self.asked.index is not None and self.asked.index.base == "t"

    def step_range(self, tau):
        """The steps t at which the answer is compared with the truth."""
        index = self.asked.index
        if index is None:
            return tuple(range(1, tau + 1))
        if index.base == "t":
            last = tau - 1 if self.steps == "before_last" else tau
            return tuple(range(max(1, -index.offset + 1), last + 1))
        return (index.resolve(None, tau),)

    @property
    def total(self):
        """True for a quantity with no step (grad_W): the answer may sum over t."""
        return self.asked.index is None


@lru_cache(maxsize=None)
def builtin_questions():
    """{id: Question} of the built-in bank, in file order."""
    from .custom import load_questions
    with resources.as_file(BANK) as path:
        return load_questions(path)


def all_questions(extra=None):
    """The built-in questions, plus those of a lecturer's TOML file `extra` (ids may not clash)."""
    questions = dict(builtin_questions())
    if extra:
        from .custom import load_questions
        for qid, question in load_questions(extra).items():
            if qid in questions:
                raise QuestionError(f"{extra}: question id {qid!r} is already a built-in question; rename it")
            questions[qid] = question
    return questions


def get_question(qid, extra=None):
    """The question called `qid` (built-in, or from the lecturer's file `extra`)."""
    questions = all_questions(extra)
    if qid not in questions:
        raise QuestionError(f"unknown question {qid!r}; `gradbook questions` lists them: "
                            + ", ".join(questions))
    return questions[qid]
