"""Hostile and malformed answers: each is refused with a one-line ParseError at the right column."""
import pytest
from hypothesis import given, settings, strategies as st

from rnn.expr.tree import Node
from rnn.exam.errors import ParseError
from rnn.exam.names import MAX_DEPTH, MAX_EXPONENT, MAX_LENGTH
from rnn.exam.parse import parse_answer
from rnn.exam.parse_latex import parse_latex
from rnn.exam.parse_text import parse_text
from rnn.exam.printers import to_latex, to_text


def _refusal(parse, source):
    with pytest.raises(ParseError) as caught:
        parse(source)
    error = caught.value
    assert "\n" not in str(error)
    assert 0 <= error.position <= len(source)
    assert str(error).startswith(f"column {error.position + 1}: ")
    return error


def test_python_import_is_an_unknown_name_at_column_one():
    error = _refusal(parse_text, "__import__('os').system('touch x')")
    assert error.position == 0 and "unknown name '__import__'" in error.reason


@pytest.mark.parametrize("source, column, words", [
    ("h.shape", 1, "attribute access"), ("W.T.dot", 3, "attribute access"),
    ("h['t']", 2, "quotes"), ('"h"', 0, "quotes"), ("exit()", 0, "unknown name"),
    ("h[t", 3, "missing ']'"), ("(h", 2, "missing ')'"), ("h)", 1, "unmatched ')'"),
    ("h +", 3, "ended"), ("h @@ W", 3, "unexpected '@'"), ("\\tanh(h)", 0, "LaTeX"),
    ("sum h", 0, "sum_t"), ("tanh h", 5, "function"), ("tanh(h, W)", 0, "one argument"),
    ("h2[t]", 2, "already names time step 2"), ("h[t*2]", 3, "missing ']'"), ("h[k]", 2, "time step"),
    ("h;W", 1, "unexpected character"), ("sum_t sum_t h", 6, "inside another sum"),
    ("np.diag(h)", 0, "library prefixes are not accepted"), ("numpy.tanh(h)", 0, "write e.g. diag(...)"),
    ("h[t]'", 4, "write x.T for a transpose"), ("exp'(h)", 3, "prime"),
])
def test_text_refusals_point_at_the_culprit(source, column, words):
    error = _refusal(parse_text, source)
    assert error.position == column and words in error.reason


@pytest.mark.parametrize("source", [r"\input{/etc/passwd}", r"\include{x}", r"\def\x{h}",
                                    r"\newcommand{\x}{h}", r"\write18{ls}", r"\catcode", r"\foo h"])
def test_latex_commands_outside_the_whitelist_are_refused(source):
    error = _refusal(parse_latex, source)
    assert error.position == 0 and "is not accepted" in error.reason


@pytest.mark.parametrize("source, words", [
    ("{h", "missing '}'"), ("h}", "unmatched closing '}'"), (r"\left(h\right]", "missing ')'"),
    (r"\left(h", "missing \\right"), ("h'", "primes"), ("h % comment", "comments"),
    ("a = b", "right-hand side"), (r"\mathbf{h}^{(t", "missing ')'"), (r"\sum h", "\\sum_t"),
    (r"\sum_{t=x} h", "between steps such as 1 and \\tau"), (r"\frac{a}", "write a fraction"), (r"\nabla_{\mathbf{h}} J", "loss L"),
    (r"\mathbf{k}", "unknown name 'k'"), (r"\mathbb{R}", "\\mathbb{1}"), ("a & b", "alignment"),
    (r"(a+b)^{(t)}", "time step (t) can only follow a symbol"), ("h_{12345678}", "too large"),
    (r"\exp'(a)", "primes are not accepted"), (r"\tanh^{-1}(a)", "inverse function"),
    (r"\tanh^{a}(a)", "whole number"), ("h2.5", "ambiguous"), (r"sum_t h", "\\sum with a backslash"),
    (r"h^{(t)^{2}}", "only a transpose"), (r"h^{\langle t)", "missing '\\rangle'"),
])
def test_latex_refusals_explain_the_fix(source, words):
    assert words in _refusal(parse_latex, source).reason


@pytest.mark.parametrize("parse, source", [
    (parse_text, "10**10**10"), (parse_text, "h[t] ** 2 ** 3"), (parse_latex, "10^{10^{10}}"),
    (parse_latex, "10^{10}^{10}"),
])
def test_power_towers_are_refused(parse, source):
    assert "power of a power" in _refusal(parse, source).reason


@pytest.mark.parametrize("parse, source", [(parse_text, "h[t] ** (10 ** 10 ** 10)"), (parse_text, "h ** h"),
                                           (parse_latex, r"h^{\mathbf{h}}")])
def test_exponents_must_be_number_literals(parse, source):
    _refusal(parse, source)


@pytest.mark.parametrize("parse, source", [(parse_text, f"h ** {MAX_EXPONENT + 1}"),
                                           (parse_latex, f"h^{{-{MAX_EXPONENT + 1}}}")])
def test_exponents_beyond_the_limit_are_refused(parse, source):
    assert f"larger than {MAX_EXPONENT}" in _refusal(parse, source).reason


def test_exponent_at_the_limit_is_accepted():
    assert parse_text(f"h ** {MAX_EXPONENT}").exponent == MAX_EXPONENT


@pytest.mark.parametrize("parse", [parse_text, parse_latex])
def test_100_kB_of_parentheses_is_refused_by_length_without_recursion(parse):
    assert f"limit is {MAX_LENGTH}" in _refusal(parse, "(" * 100_000).reason


@pytest.mark.parametrize("parse, opener, closer", [(parse_text, "(", ")"), (parse_latex, "{", "}")])
def test_nesting_beyond_the_depth_limit_is_refused(parse, opener, closer):
    source = opener * (MAX_DEPTH + 1) + "h" + closer * (MAX_DEPTH + 1)
    assert "deeper than" in _refusal(parse, source).reason


def test_nesting_at_the_depth_limit_parses():
    assert parse_text("(" * (MAX_DEPTH - 1) + "h" + ")" * (MAX_DEPTH - 1)).name == "h"


@pytest.mark.parametrize("parse, source", [(parse_text, "-" * 1000 + "h"), (parse_latex, r"\hat" * 500 + "y"),
                                           (parse_latex, r"\tanh" * 700 + " h"), (parse_text, "tanh(" * 65 + "h")])
def test_deep_chains_without_brackets_hit_the_depth_limit(parse, source):
    assert "deeper than" in _refusal(parse, source).reason


def test_too_many_nodes_are_refused():
    assert "parts" in _refusal(parse_text, "+".join(["h"] * 1100)).reason


def test_long_flat_chains_are_refused_before_they_make_deep_trees():
    assert "chains more than" in _refusal(parse_text, "+".join(["h"] * 400)).reason


@pytest.mark.parametrize("source", ["", "   ", "\n"])
def test_empty_answers_are_refused(source):
    assert "empty" in _refusal(parse_answer, source).reason


def test_non_string_answers_are_refused():
    with pytest.raises(ParseError, match="must be a string"):
        parse_text(b"h")


def test_error_pointer_marks_the_column():
    error = _refusal(parse_text, "W.T @ foo")
    assert error.pointer() == "W.T @ foo\n      ^"


_TEXT_ALPHABET = list("hWVxy_t[]()+-*/@^.T0123456789 ,'\"e") + ["**", "grad_h", "sum_t", "diag", "tau", ".T"]
_LATEX_ALPHABET = list("hWxyLt{}()[]^_+-/ 0123456789=T") + [
    r"\mathbf", r"\left", r"\right", r"\top", r"\sum", r"\nabla", r"\frac", r"\partial", r"\odot",
    r"\cdot", r"\operatorname", r"\hat", r"\tanh", r"\tau", r"\,", r"\input", "diag", "\\"]


def _parses_or_refuses(parse, source):
    """Only a tree or a ParseError may come back; a tree prints and re-reads unchanged."""
    try:
        node = parse(source)
    except ParseError as error:
        assert "\n" not in str(error)
        return
    assert isinstance(node, Node)
    assert parse_text(to_text(node)) == node
    assert parse_latex(to_latex(node)) == node


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_TEXT_ALPHABET), max_size=40).map("".join))
def test_fuzz_text_answers_parse_or_raise_parse_error(source):
    _parses_or_refuses(parse_text, source)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LATEX_ALPHABET), max_size=40).map("".join))
def test_fuzz_latex_answers_parse_or_raise_parse_error(source):
    _parses_or_refuses(parse_latex, source)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_fuzz_arbitrary_unicode_parses_or_raises_parse_error(source):
    _parses_or_refuses(parse_answer, source)
