"""The one time-index type (`rnn.expr.time.TimeIndex`): the derivation and the answer parsers
name a step the same way, so a derived equation's indices and a parsed answer's compare equal,
and every printer spells an index from the type itself."""
from __future__ import annotations

import xml.dom.minidom

import pytest

from rnn.derive import derive_matrix
from rnn.derive.printers import latex as derived_latex, text as derived_text
from rnn.exam.parse_latex import parse_latex
from rnn.exam.parse_text import parse_text
from rnn.exam.printers import to_latex, to_mathml
from rnn.expr.time import FIRST_STEP, LAST_STEP, TimeIndex
from rnn.expr.tree import Symbol, symbols
from tests.consumers import mathjax_errors

SPELLED = [
    (TimeIndex("t", 0), "t", "t", "<mi>t</mi>"),
    (TimeIndex("t", -1), "t-1", "t-1", "<mrow><mi>t</mi><mo>&#x2212;</mo><mn>1</mn></mrow>"),
    (TimeIndex("t", 2), "t+2", "t+2", "<mrow><mi>t</mi><mo>+</mo><mn>2</mn></mrow>"),
    (TimeIndex("tau", 0), "tau", r"\tau", "<mi>&#x3C4;</mi>"),
    (TimeIndex("tau", -1), "tau-1", r"\tau-1", "<mrow><mi>&#x3C4;</mi><mo>&#x2212;</mo><mn>1</mn></mrow>"),
    (TimeIndex(None, 3), "3", "3", "<mn>3</mn>"),
]


@pytest.mark.parametrize("index, text, latex, mathml", SPELLED, ids=lambda v: str(v))
def test_an_index_spells_itself_in_every_output(index, text, latex, mathml):
    assert (index.text(), index.latex(), index.mathml()) == (text, latex, mathml)


def test_resolve_and_shift():
    assert TimeIndex("t", -1).resolve(t=4) == 3 and TimeIndex("tau", -1).resolve(tau=5) == 4
    assert TimeIndex(None, 2).resolve() == 2
    with pytest.raises(ValueError, match="t-1 needs a value for t"):
        TimeIndex("t", -1).resolve(tau=5)
    # the derivation re-expresses the step it unrolled (4, with t = 3) relative to t: h^(t+1)
    assert TimeIndex(None, 4).shifted("t", 3) == TimeIndex("t", 1)
    assert TimeIndex("tau", 0).shifted("t", 3) == TimeIndex("tau", 0)
    with pytest.raises(ValueError, match="'abs'"):
        TimeIndex("abs", 1)


def test_derived_indices_are_the_parsed_ones():
    """Eq. 10.26's sum runs over the parser's default range, and the h^(t+1), h^(t-1) the
    derivation writes are the indices the parsers read from h[t+1] and h^{(t-1)}."""
    derivation = derive_matrix("rnn")
    grad_w = derivation.equation("W").rhs
    assert (grad_w.first, grad_w.last) == (FIRST_STEP, LAST_STEP)
    parsed = parse_text("sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T")
    assert (parsed.first, parsed.last) == (grad_w.first, grad_w.last)
    derived_h = {s.index for s in symbols(derivation.equation("h").rhs) if s.name == "h"}
    assert parse_text("h[t+1]").index in derived_h
    assert {s.index for s in symbols(grad_w) if s.name == "h"} == {
        parse_latex(r"\mathbf{h}^{(t)}").index, parse_latex(r"\mathbf{h}^{(t-1)}").index}


def test_derived_and_answer_printers_write_an_index_alike():
    h = Symbol("h", TimeIndex("tau", -1), shape=(3, 1))
    answer = parse_text("h[tau-1]")
    assert derived_text(h) == "h[tau-1]" and derived_latex(h) == to_latex(answer)
    xml.dom.minidom.parseString(to_mathml(answer))


@pytest.mark.needs_mathjax
def test_every_index_typesets_in_mathjax():
    found = mathjax_errors([(text, to_latex(parse_text(f"h[{text}]"))) for _, text, _, _ in SPELLED])
    assert found and not any(found.values()), found
