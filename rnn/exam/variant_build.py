"""A variant's files, each made and checked by the code that reads a lecturer's own:

* ``cell.py`` (`rnn.exam.variant_cell`) is loaded with `rnn.custom.load_cell`;
* its BPTT is derived in matrix form (`rnn.derive.custom.derive_custom`) and verified on the
  variant's own sizes and tau: the derived recurrences against the engine to 1e-10, the
  engine against finite differences to 1e-6 (`verify` raises otherwise, nothing is written);
* ``question.toml`` names the cell, with the derived key as its reference; it is read back by
  `rnn.exam.custom.load_questions` and the key is marked by the `Checker`, which compares it
  with the engine's gradient at its own random points before it says *correct*.

Everything is made in a temporary folder first; `write` then puts the files in place
together through `autodiff.files`, so a variant on disk is always complete.
"""
from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from autodiff.files import atomic_paths, write_text

from .derived import to_tree
from .printers import to_text
from .questions import QuestionError
from .variant_cell import cell_source, title
from .variant_text import (chain, heading, math_heading, solution_latex, solution_markdown,
                           statement_latex, statement_markdown)

FILES = ("cell.py", "question.toml", "statement.md", "statement.tex", "key.txt", "key.tex",
         "solution.md", "solution.tex")
SYMBOLS = ("x", "a", "h", "o", "yhat", "y", "U", "V", "W", "b", "c", "grad_a", "grad_h", "grad_o", "tau")
"""The names an answer may use, in this order, where the variant's cell has them (`grad_a`
only where the key needs it: the ReLU cell names that adjoint)."""


@dataclass
class Built:
    """A variant made and checked: its files' text, and how closely the key agreed."""

    variant: object
    files: dict
    derived: float        # largest relative gap, derived recurrences vs the engine
    fd: float             # largest relative gap, the engine vs finite differences
    seconds: float


def answer_text(equation):
    """The derived equation's right-hand side in the answer syntax a student types, printed
    from its tree as the checker reads an answer (`rnn.exam.derived.to_tree`): the
    derivation's sum over t = 1..tau is ``sum_t X``, bracketed only where X is a sum."""
    return to_text(to_tree(equation.rhs))


def question_toml(variant, reference, symbols, statement):
    """The checker's question file for `variant` (docs/exam.md, a question on a cell)."""
    if "'''" in statement:
        raise QuestionError("a variant's statement cannot hold ''' (it is a TOML literal string)")
    q = json.dumps
    steps = f"steps = {q(variant.asked.steps)}\n" if variant.asked.steps != "all" else ""
    return (f"# gradbook variant, seed {variant.seed}: {title(variant)}.\n"
            f"# Check an answer: gradbook check --questions question.toml {variant.question_id} --answer \"...\"\n"
            f"[[question]]\nid = {q(variant.question_id)}\ntitle = {q(heading(variant))}\n"
            f"equation = {q(variant.asked.equation)}\ncell = {q('cell.py:' + variant.name)}\n"
            f"asked = {q(variant.asked.symbol)}\n{steps}symbols = [{', '.join(q(s) for s in symbols)}]\n"
            f"reference = {q(reference)}\n"
            f"sizes = {{ n_in = {variant.n_in}, hidden = {variant.hidden}, classes = {variant.classes} }}\n"
            f"tau = {variant.tau}\nstatement = '''\n{statement}'''\n")


def _verified(derivation, spec, variant, sizes):
    """`rnn.derive.custom.verify` on the variant's sizes and tau (its finite-difference check
    steps past a ReLU kink, see `rnn.derive.custom.FD_POINTS`)."""
    from rnn.derive.custom import verify
    return verify(derivation, spec, sizes=sizes, tau=variant.tau)


def build(variant):
    """The variant's files, checked (see the module's docstring); a `Built`."""
    from rnn.custom import load_cell
    from rnn.derive.custom import derive_custom
    from rnn.derive.layout import latex_block

    from .cell_questions import cell_names
    from .check import Checker
    from .custom import load_questions
    start = time.perf_counter()
    source = cell_source(variant)
    with tempfile.TemporaryDirectory(prefix="gradbook-variant-") as tmp:
        folder = Path(tmp)
        write_text(folder / "cell.py", source)
        spec = load_cell(f"{folder / 'cell.py'}:{variant.name}")
        sizes = (variant.hidden, variant.n_in, variant.classes)
        derivation = derive_custom(spec, sizes=sizes, check=False)
        agreement = _verified(derivation, spec, variant, sizes)
        equations = chain(derivation, variant)
        reference = answer_text(equations[-1])
        allowed = cell_names(spec)
        symbols = [s for s in SYMBOLS if s in allowed and (s != "grad_a" or "grad_a" in reference)]
        statement = statement_markdown(variant, symbols)
        toml = question_toml(variant, reference, symbols, statement)
        write_text(folder / "question.toml", toml)
        question = load_questions(folder / "question.toml")[variant.question_id]
        marked = Checker(question, seed=variant.seed).check(reference, "text")
        if marked.verdict != "correct":
            raise QuestionError(f"variant {variant.seed}: the derived key {reference!r} is marked {marked.verdict} "
                                f"by the checker ({marked.message}); nothing is written")
    files = {
        "cell.py": source,
        "question.toml": toml,
        "statement.md": f"# {math_heading(variant)}\n\n{statement}",
        "statement.tex": statement_latex(variant, symbols),
        "key.txt": "\n".join(eq.text() for eq in equations) + "\n",
        "key.tex": latex_block([eq.row() for eq in equations], "beamer", title=f"Key, variant {variant.seed}") + "\n",
        "solution.md": solution_markdown(variant, equations, reference),
        "solution.tex": solution_latex(variant, equations, reference),
    }
    return Built(variant, files, agreement["derived"], agreement["fd"], time.perf_counter() - start)


def write(built, folder):
    """Put the files of `built` into `folder`, all replaced together."""
    folder = Path(folder)
    names = list(built.files)
    with atomic_paths(*(folder / n for n in names)) as temps:
        for name, tmp in zip(names, temps):
            with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(built.files[name])
    return [folder / n for n in names]
