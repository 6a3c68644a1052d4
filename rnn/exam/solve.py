"""Worked solutions with numbers: the forward pass, BPTT step by step, and the answer key.

`solution(question, seed)` draws one small exam variant (n_in = 2, H = 3, K = 4, tau = 3, or
the question's given numbers), unrolls it with the engine, and writes every forward value and
every gradient per time step as Markdown or LaTeX tables, then the answer key evaluated there.
The same seed gives the same variant; another seed gives another variant for another exam.
"""
from __future__ import annotations

import numpy as np

from rnn.expr.evaluate import evaluate
from rnn.expr.time import TimeIndex
from rnn.expr.tree import Symbol, symbol
from rnn.names import tex_text

from .context import given_point, make_point
from .parse_text import parse_text
from .printers import latex_symbol, to_latex, to_text
from .questions import QuestionError


VARIANT_SIZES = (2, 3, 4)           # n_in, H, K: all different, small enough to do by hand
# Forward quantities in the order the book computes them (eqs. 10.8-10.11, 10.40-10.47).
FORWARD_ORDER = ("x", "f", "g", "q", "u", "r", "cand", "htilde", "a", "s", "h", "o", "yhat", "y", "L")
BACKWARD_ORDER = ("grad_yhat", "grad_o", "grad_h", "grad_s", "grad_a", "grad_q", "grad_f",
                  "grad_g", "grad_cand", "grad_u", "grad_r", "grad_htilde")
DIGITS = 4


def variant(question, seed=0):
    """The evaluation point of exam variant `seed` (the given numbers when the question has them)."""
    if question.given:
        return given_point(question, seed)
    rng = np.random.default_rng([seed, 13])
    sizes = None if question.sizes or question.model == "scalar_rnn" else VARIANT_SIZES
    if question.tau is None:
        question = _with_tau(question, 3)
    return make_point(question, rng, sizes=sizes, kind="variant")


def _with_tau(question, tau):
    from dataclasses import replace
    return replace(question, tau=tau)


LATEX_ENVS = ("document", "beamer")
"""Where `fmt='latex'` goes: a document body (sections, tables as wide as they are) or
Beamer frames (a frame per section, a table shrunk to the frame's width and split over
frames by height)."""


def solution(question, seed=0, fmt="markdown", env="document"):
    """The worked solution as Markdown (``fmt='markdown'``) or LaTeX ('latex'): a document
    body, or with ``env='beamer'`` whole Beamer frames."""
    if env not in LATEX_ENVS:
        raise QuestionError(f"unknown LaTeX environment {env!r} for solve; choose one of {', '.join(LATEX_ENVS)}")
    point = variant(question, seed)
    writer = _Markdown() if fmt == "markdown" else _Beamer() if env == "beamer" else _Latex()
    parts = [writer.heading(1, f"{question.title} ({question.id}), variant {seed}"),
             writer.text(question.statement),
             writer.text(_sizes_text(point, question)),
             writer.heading(2, "Given values"), writer.table(*_given_table(point)),
             writer.heading(2, "Forward pass, step by step"), writer.table(*_step_table(point, FORWARD_ORDER)),
             writer.heading(2, "Backward pass (BPTT), step by step"),
             writer.table(*_step_table(point, BACKWARD_ORDER, reverse=True)),
             writer.heading(2, "Answer")]
    parts += _answer(question, point, writer)
    return writer.join(parts)


def _sizes_text(point, question):
    d = point.dims
    if question.model == "scalar_rnn":
        return f"Two steps, scalars; tau = {point.tau}."
    return f"Sizes: n_in = {d['n_in']}, H = {d['H']}, K = {d['K']}, tau = {point.tau}, one sequence (batch 1)."


def _given_table(point):
    rows = [(name, point.env[(name, None)]) for name, step in point.env
            if step is None and name != "tau" and not name.startswith("grad_") and name != "L"]
    rows = [(Symbol(name), value) for name, value in rows]
    rows += [(Symbol(kind, TimeIndex("t", 0)), point.env[(kind, 0)]) for kind, step in point.env
             if step == 0 and kind != "x" and not kind.startswith("grad_")]
    return ("quantity", "value"), [(_InitialState(s) if s.index else s, v) for s, v in rows]


class _InitialState:
    """h^(0), s^(0), o^(0) written with a superscript (0), as the book does."""

    def __init__(self, symbol):
        self.latex = latex_symbol(symbol).replace("^{(t)}", "^{(0)}")


def _step_table(point, order, reverse=False):
    kinds = [k for k in order if any((k, t) in point.env for t in range(1, point.tau + 1))]
    steps = range(point.tau, 0, -1) if reverse else range(1, point.tau + 1)
    header = ("t",) + tuple(kinds)
    rows = [(t,) + tuple(point.env.get((k, t)) for k in kinds) for t in steps]
    return header, rows


def _answer(question, point, writer):
    asked = question.asked
    parts = []
    if question.reference:
        key = parse_text(question.reference, frozenset(question.symbols))
        parts.append(writer.math(f"{question.asked_latex} = {to_latex(key)}"))
        parts.append(writer.text(f"Plain text: `{to_text(key)}`" if writer.markdown else ""))
    rows = []
    for t in point.steps:
        engine = point.truth[t]
        row = [t if question.per_step or asked.index is not None else "total"]
        if question.reference:
            row.append(evaluate(key, point.values, t))
        row.append(engine)
        rows.append(tuple(row))
        if question.total:
            break
    header = ("t", "answer key", "engine") if question.reference else ("t", "engine")
    parts.append(writer.table(header, rows))
    return parts


def _fmt(value):
    if isinstance(value, (int, np.integer)):
        return str(value)
    arr = np.asarray(value, dtype=float)
    if arr.size == 1:
        return f"{arr.item():.{DIGITS}g}"
    return arr


class _Markdown:
    markdown = True

    def join(self, parts):
        return "\n\n".join(p for p in parts if p) + "\n"

    def heading(self, level, text):
        return "#" * level + " " + text

    def text(self, text):
        return text

    def math(self, text):
        return f"$$\n{text}\n$$"

    def cell(self, value):
        if isinstance(value, str):
            known = value.startswith("grad_") or value in FORWARD_ORDER
            return f"${_name_latex(value)}$" if known else value
        if isinstance(value, _InitialState):
            return f"${value.latex}$"
        if isinstance(value, Symbol):
            return f"${latex_symbol(value)}$"
        if value is None:
            return ""
        shown = _fmt(value)
        if isinstance(shown, str):
            return shown
        rows = "; ".join(", ".join(f"{v:.{DIGITS}g}" for v in row) for row in np.atleast_2d(shown))
        return f"[{rows}]"

    def table(self, header, rows):
        lines = ["| " + " | ".join(self.cell(h) for h in header) + " |",
                 "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(self.cell(v) for v in row) + " |" for row in rows]
        return "\n".join(lines)


class _Latex(_Markdown):
    markdown = False

    def heading(self, level, text):
        return ("\\section*{" if level == 1 else "\\subsection*{") + tex_text(text) + "}"

    def text(self, text):
        """Prose with its inline math kept: outside ``$...$`` the characters TeX reserves
        (n_in, 10 %) are escaped, so the body compiles in an article and in a Beamer frame."""
        parts = text.replace("`", "").split("$")
        return "$".join(part if k % 2 else tex_text(part) for k, part in enumerate(parts))

    def math(self, text):
        return f"\\[\n{text}\n\\]"

    def cell(self, value):
        if isinstance(value, np.ndarray) and value.size > 1:
            body = " \\\\ ".join(" & ".join(f"{v:.{DIGITS}g}" for v in row) for row in np.atleast_2d(value))
            return f"$\\begin{{bmatrix}} {body} \\end{{bmatrix}}$"
        return super().cell(value)

    def table(self, header, rows):
        lines = ["\\begin{tabular}{" + "l" * len(header) + "}", "\\hline",
                 " & ".join(self.cell(h) for h in header) + " \\\\", "\\hline"]
        lines += [" & ".join(self.cell(v) for v in row) + " \\\\" for row in rows]
        lines += ["\\hline", "\\end{tabular}"]
        return "\n".join(lines)


def _name_latex(name):
    """The column heading of a per-step quantity: \\boldsymbol{h}^{(t)}, \\nabla_{\\boldsymbol{h}^{(t)}} L."""
    if name in ("y", "L"):
        return f"{name}^{{(t)}}"
    return latex_symbol(symbol(name, TimeIndex("t", 0)))


class _Beamer(_Latex):
    """Frames: a section heading opens a frame; a table is shrunk to the frame's width
    (never enlarged) and split into row groups of at most FRAME_LINES matrix lines, each
    group on a frame of its own."""

    FRAME_LINES = 9

    def heading(self, level, text):
        return (level, tex_text(text))

    def table(self, header, rows):
        chunks, current, used = [], [], 0
        for row in rows:
            lines = max([np.atleast_2d(v).shape[0] if isinstance(v, np.ndarray) else 1 for v in row] or [1])
            if current and used + lines > self.FRAME_LINES:
                chunks.append(current)
                current, used = [], 0
            current.append(row)
            used += lines
        chunks.append(current)
        return [r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%" + "\n"
                + _Latex.table(self, header, chunk) + "}" for chunk in chunks]

    def join(self, parts):
        frames, title, body = [], "", []

        def close():
            if body:
                frames.append(f"\\begin{{frame}}{{{title}}}\n\\small\n" + "\n\n".join(body) + "\n\\end{frame}")
                body.clear()

        for part in parts:
            if isinstance(part, tuple):  # a heading opens a frame
                close()
                title = part[1]
            elif isinstance(part, list):  # a table's row groups, one frame each
                for k, chunk in enumerate(part):
                    if k:
                        close()
                    body.append(chunk)
            elif part:
                body.append(part)
        close()
        return "\n".join(frames) + "\n"
