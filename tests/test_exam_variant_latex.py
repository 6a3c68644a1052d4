"""A variant's statement, key and worked solution handed to their real consumers: the .tex
files are whole Beamer frames that pdflatex compiles at 4:3 and 16:9 with no overfull box,
and every formula of the Markdown files typesets in MathJax 3 with no error."""
from __future__ import annotations

import itertools
import re

import pytest

from rnn.exam.variant import ACTIVATIONS, LOSSES, draw
from rnn.exam.variant_build import build
from tests.consumers import compile_beamer, mathjax_errors, overfull_boxes, pdf_info

# every activation x loss, and between them every kind of gradient asked
WRT = ("W", "h[t]", "U", "h[tau]", "b", "o[t]")


@pytest.fixture(scope="module")
def variants():
    return [build(draw("rnn", 20 + k, activation=a, loss=loss, wrt=WRT[k]))
            for k, (a, loss) in enumerate(itertools.product(ACTIVATIONS, LOSSES))]


@pytest.mark.needs_tex
@pytest.mark.parametrize("aspect", ["", "aspectratio=169"], ids=["4:3", "16:9"])
def test_statement_key_and_solution_compile_as_beamer_frames(variants, aspect, tmp_path):
    frames = [b.files[name] for b in variants for name in ("statement.tex", "key.tex", "solution.tex")]
    pdf, errors = compile_beamer(frames, tmp_path, framed=True, options=aspect)
    assert not errors and pdf is not None, errors[:5]
    assert overfull_boxes(tmp_path) == []
    expected = sum(text.count(r"\begin{frame}") for text in frames)
    assert int(pdf_info(pdf)["Pages"]) == expected


_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)


@pytest.mark.needs_mathjax
def test_every_formula_of_the_markdown_typesets_in_mathjax(variants):
    items = []
    for b in variants:
        for name in ("statement.md", "solution.md"):
            for k, match in enumerate(_MATH.finditer(b.files[name])):
                items.append((f"{b.variant.seed}/{name}/{k}", (match.group(1) or match.group(2)).strip()))
    assert len(items) > 80
    found = mathjax_errors(items)
    bad = {key: errs for key, errs in found.items() if errs}
    assert len(found) == len(items) and not bad, next(iter(bad.items()), None)
