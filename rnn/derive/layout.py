"""Where LaTeX goes: line breaks of long equations and the environment each consumer accepts.

A derivation is a list of `Row`s (``lhs = rhs`` split into lines, the range of t, the book's
equation number). `latex_block` writes them for one of three consumers:

* ``align``: ``\\begin{align*} ... \\tag{10.18} ... \\end{align*}``, a block on its own in a
  LaTeX document, a Beamer frame, a Jupyter Markdown cell or any MathJax page; the book's
  number is a real ``\\tag`` (amsmath allows it in ``align*``, not in ``aligned``);
* ``aligned``: ``\\begin{aligned} ... \\end{aligned}`` to paste inside math you already opened
  (``$$ ... $$``, ``\\[ ... \\]``, ``equation``); ``aligned`` takes no ``\\tag``, so the number
  is written as text, ``(10.18)``, at the end of the equation's first line;
* ``beamer``: whole ``frame``s in ``\\small`` ``align*``, as many as it takes to fit a 4:3 or
  16:9 frame, titled with the derivation's title.

Long sums (the LSTM's and GRU's grad_h has one term per gate) are broken after whole terms,
``&\\quad + ...`` under the first, wherever a line would not fit a Beamer frame; every form
breaks the same lines, so the LaTeX, the MathML (`rnn.derive.printers.equation_mathml`) and the
slides agree.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from rnn.names import tex_text

from .errors import DeriveError

ENVS = ("align", "aligned", "beamer")
DEFAULT_ENV = "align"

LINE_BUDGET = 44
"""Widest line, in `width` units, that fits a Beamer frame's text width (4:3, 11 pt, with
\\small), measured with pdflatex: at 52 two LSTM lines overrun a 4:3 frame by 20-24 pt
(tests/test_latex_consumers.py checks every cell for overfull boxes)."""

FRAME_BUDGET = 8.0
"""Tallest frame body, in `Row.height` units, for a 16:9 frame (the shorter of 4:3 and 16:9):
at 9.5 four frames overrun it by 5-11 pt."""

_ZERO_WIDTH = re.compile(r"\\(?:left|right|boldsymbol|mathbf|hat|tilde|operatorname|top|limits)(?![a-zA-Z])")
_SPACES = {"qquad": 4, "quad": 2, "dots": 3}
_COMMAND = re.compile(r"\\([a-zA-Z]+)")
_SCRIPT = re.compile(r"[_^]\{([^{}]*(?:\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}[^{}]*)*)\}|[_^](\\[a-zA-Z]+|.)")


def width(latex):
    """Rough printed width of a formula in units of one letter: scripts count 0.7, commands
    such as ``\\boldsymbol`` or ``\\left`` nothing, ``\\qquad`` four letters."""
    scripts = 0.0

    def script(match):
        nonlocal scripts
        scripts += 0.7 * width(match.group(1) or match.group(2))
        return ""

    body = _SCRIPT.sub(script, latex)
    body = _ZERO_WIDTH.sub("", body)
    body = _COMMAND.sub(lambda m: "x" * _SPACES.get(m.group(1), 1), body)
    return scripts + len(re.sub(r"[\s{}&]", "", body))


def break_lines(lhs, terms, note=""):
    """Group the rhs `terms` (texts, each with its leading sign) into lines that fit the budget.

    Returns lists of term indices, one per line; the first line also holds ``lhs =``, the
    last the `note` (the range of t).
    """
    lines, current, used = [], [], width(lhs) + 2
    for k, term in enumerate(terms):
        w = width(term)
        if current and used + w > LINE_BUDGET:
            lines.append(current)
            current, used = [], width(lhs) + 4
        current.append(k)
        used += w
    lines.append(current)
    if note and used + width(note) > LINE_BUDGET:
        lines.append([])  # the range of t on a line of its own
    return lines


@dataclass
class Row:
    """One equation laid out: ``lhs &= lines[0]``, then ``&\\quad lines[1]`` ...; `note` is
    the range of t, `tag` the book's equation number."""

    lhs: str
    lines: list = field(default_factory=list)
    note: str = ""
    tag: str | None = None

    def height(self):
        """Rough printed height in units of one plain line; a \\sum's limits make a line taller."""
        return sum(1.45 if r"\sum" in line or r"\frac" in line else 1.0 for line in self.lines)

    def latex_lines(self, tags):
        """The ``&``-aligned lines; `tags` uses ``\\tag`` (align*), else the number as text."""
        out = []
        for k, line in enumerate(self.lines):
            head = f"{self.lhs} &= " if k == 0 else r"&\quad" if line else "&"
            tail = ""
            if k == 0 and self.tag:
                tail = rf" \tag{{{self.tag}}}" if tags else rf" \qquad \text{{({self.tag})}}"
            if k == len(self.lines) - 1 and self.note:
                tail = f" {self.note}" + tail
            out.append(head + line + tail)
        return out


def _environment(name, rows, tags):
    body = " \\\\\n".join(line for row in rows for line in row.latex_lines(tags))
    return f"\\begin{{{name}}}\n{body}\n\\end{{{name}}}"


def _frames(rows):
    """Consecutive rows packed into frames of at most FRAME_BUDGET height."""
    frames, current, used = [], [], 0.0
    for row in rows:
        h = row.height()
        if current and used + h > FRAME_BUDGET:
            frames.append(current)
            current, used = [], 0.0
        current.append(row)
        used += h
    frames.append(current)
    return frames


def latex_block(rows, env=DEFAULT_ENV, title=""):
    """The rows in the environment `env` (one of ENVS); `title` heads the Beamer frames."""
    if env == "align":
        return _environment("align*", rows, tags=True)
    if env == "aligned":
        return _environment("aligned", rows, tags=False)
    if env != "beamer":
        raise DeriveError(f"unknown LaTeX environment {env!r}; choose one of {', '.join(ENVS)}")
    groups = _frames(rows)
    out = []
    for k, group in enumerate(groups, start=1):
        heading = tex_text(title or "Derivation") + (f" ({k}/{len(groups)})" if len(groups) > 1 else "")
        out.append(f"\\begin{{frame}}{{{heading}}}\n\\small\n{_environment('align*', group, tags=True)}\n"
                   f"\\end{{frame}}")
    return "\n".join(out)
