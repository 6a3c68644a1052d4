"""Exam variants (issue 16): one RNN question per student, drawn from a seed.

`draw("rnn", seed)` picks, deterministically from the seed, the sizes (n_in, H, K, all
different so a missing transpose cannot hide), tau, the hidden activation (tanh, ReLU or the
logistic sigmoid in eq. 10.9's place), the loss (the NLL of a softmax, eqs 10.11-10.14, or the
squared error) and the gradient asked (a parameter's, eqs 10.22-10.28, or an adjoint,
eqs 10.18-10.21). Every choice is drawn in a fixed order whether or not it is pinned, so
pinning one (``--activation relu``) leaves the others of that seed as they were.

A variant becomes a lecturer's cell (`rnn.exam.variant_cell`), its derived key and question
file (`rnn.exam.variant_build`) and its statement and worked solution (`rnn.exam.variant_text`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .questions import QuestionError

FAMILY = "rnn"
"""The family a variant is drawn from: the RNN of eqs 10.8-10.14 (Fig. 10.3)."""

ACTIVATIONS = ("tanh", "relu", "sigmoid")
LOSSES = ("nll", "squared")


@dataclass(frozen=True)
class Asked:
    """A gradient a variant may ask: its name for ``--wrt``, the answer syntax's symbol, the
    derivation's equation key, the question's steps, and the adjoints its derivation passes."""

    wrt: str
    symbol: str
    key: str
    steps: str
    chain: tuple
    equation: str

    @property
    def slug(self):
        return self.symbol.replace("[tau]", "_tau").replace("[t]", "")


ASKED = {a.wrt: a for a in (
    Asked("W", "grad_W", "W", "all", ("o", "h", "h@tau", "a"), "10.25-10.26"),
    Asked("U", "grad_U", "U", "all", ("o", "h", "h@tau", "a"), "10.27-10.28"),
    Asked("b", "grad_b", "b", "all", ("o", "h", "h@tau", "a"), "10.23"),
    Asked("V", "grad_V", "V", "all", ("o",), "10.24"),
    Asked("c", "grad_c", "c", "all", ("o",), "10.22"),
    Asked("h[t]", "grad_h[t]", "h", "before_last", ("o", "h", "h@tau", "a"), "10.20-10.21"),
    Asked("h[tau]", "grad_h[tau]", "h@tau", "all", ("o", "h@tau"), "10.19"),
    Asked("o[t]", "grad_o[t]", "o", "all", ("o",), "10.18"),
)}
"""In the order of the book's equations (10.18-10.28) they are listed by `gradbook variant --help`."""

SIZES = (2, 3, 4, 5)
"""n_in, H and K are three different sizes from these: small enough to work by hand."""
TAUS = (3, 4, 5)
MAX_TAU = 20


@dataclass(frozen=True)
class Variant:
    """One drawn exam variant."""

    seed: int
    n_in: int
    hidden: int
    classes: int
    tau: int
    activation: str
    loss: str
    asked: Asked

    @property
    def name(self):
        """The cell's Python name: ``variant_7``."""
        return f"variant_{self.seed}"

    @property
    def question_id(self):
        return f"variant-{self.seed}/{self.asked.slug}"


def family_and_wrt(question):
    """(family, pinned wrt or None) for ``gradbook variant Q``: the family ``rnn``, or a
    built-in RNN question such as ``rnn/grad_W``, which pins the gradient it asks."""
    if question == FAMILY:
        return FAMILY, None
    from .printers import to_text
    from .questions import builtin_questions
    found = builtin_questions().get(question)
    wrt = None if found is None or found.model != FAMILY or found.of is not None else \
        to_text(found.asked).removeprefix("grad_")
    if wrt not in ASKED:
        ids = [q.id for q in builtin_questions().values() if q.model == FAMILY
               and q.of is None and to_text(q.asked).removeprefix("grad_") in ASKED]
        raise QuestionError(f"gradbook variant draws RNN variants (eqs 10.8-10.14): give {FAMILY} or one of "
                            f"{', '.join(ids)}; {question!r} is not one of them")
    return FAMILY, wrt


def draw(question=FAMILY, seed=0, activation=None, loss=None, wrt=None, tau=None):
    """The variant of `seed` for `question` (a family or a built-in RNN question), with any
    choice pinned by the keyword arguments; the same arguments always give the same variant."""
    if not isinstance(seed, int) or seed < 0:
        raise QuestionError(f"seed {seed!r} must be a whole number of at least 0")
    _, pinned = family_and_wrt(question)
    if pinned is not None and wrt not in (None, pinned):
        raise QuestionError(f"{question} asks for grad_{pinned}; to ask for grad_{wrt} give the family "
                            f"{FAMILY} with --wrt {wrt}")
    for value, allowed, what in ((activation, ACTIVATIONS, "activation"), (loss, LOSSES, "loss"),
                                 (wrt, tuple(ASKED), "wrt")):
        if value is not None and value not in allowed:
            raise QuestionError(f"{what} {value!r} is not one of {', '.join(allowed)}")
    if tau is not None and not 2 <= tau <= MAX_TAU:
        raise QuestionError(f"tau = {tau} must be from 2 to {MAX_TAU}")
    rng = np.random.default_rng([seed, 16])
    n_in, hidden, classes = (int(s) for s in rng.permutation(SIZES)[:3])
    drawn = (int(rng.choice(TAUS)), ACTIVATIONS[rng.integers(len(ACTIVATIONS))],
             LOSSES[rng.integers(len(LOSSES))], tuple(ASKED)[rng.integers(len(ASKED))])
    return Variant(seed, n_in, hidden, classes, tau or drawn[0], activation or drawn[1], loss or drawn[2],
                   ASKED[wrt or pinned or drawn[3]])
