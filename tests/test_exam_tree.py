"""The exam on the one tree (issue 16): the parsers, the derived key and the mutations all build
rnn/expr/tree.py nodes, so a student's answer and the derived key compare as trees."""
import pytest

from rnn.exam.derived import derived_key
from rnn.exam.errors import ParseError
from rnn.exam.mistakes import mutants
from rnn.exam.names import DEFAULT_NAMES, MAX_TREE_DEPTH
from rnn.exam.parse import parse_answer
from rnn.exam.parse_latex import parse_latex
from rnn.exam.parse_text import parse_text
from rnn.exam.printers import to_latex, to_text
from rnn.exam.questions import builtin_questions, get_question
from rnn.expr.time import TimeIndex
from rnn.expr.tree import Add, Grad, MatMul, Mul, Neg, Number, Pow, Symbol, walk

T = TimeIndex("t", 0)


@pytest.mark.parametrize("source", ["grad_h[t]", "grad_h_t", r"\nabla_{\mathbf{h}^{(t)}} L",
                                    r"\frac{\partial L}{\partial \mathbf{h}^{(t)}}", r"\partial L / \partial h^{(t)}"])
def test_every_spelling_of_an_adjoint_is_a_grad_node(source):
    node = parse_answer(source)
    assert type(node) is Grad and node == Grad("grad_h", T) and node.of == Symbol("h", T)


def test_a_questions_asked_quantity_is_an_adjoint():
    assert all(isinstance(get_question(q).asked, Grad) for q in builtin_questions())


def test_the_derived_key_is_the_tree_its_printed_forms_parse_to():
    """The derivation's equation, turned into the one tree, is exactly what a student typing it
    (in either syntax) gets: the two compare as trees, not only at random points."""
    compared = 0
    for qid in builtin_questions():
        question = get_question(qid)
        key = derived_key(question)
        if key is None:
            continue
        names = DEFAULT_NAMES | set(question.symbols)
        assert parse_text(to_text(key), names) == key, qid
        assert parse_latex(to_latex(key), names) == key, qid
        assert not any(type(n) is Symbol and n.name.startswith("grad_") for n in walk(key)), qid
        compared += 1
    assert compared >= 10
    typed = parse_latex(r"\mathbf{W}^\top \operatorname{diag}(1-(\mathbf{h}^{(t+1)})^2)"
                        r"\nabla_{\mathbf{h}^{(t+1)}}L + \mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L")
    assert typed == derived_key(get_question("rnn/grad_h"))


def test_a_three_term_key_has_each_term_dropped_and_each_term_negated():
    """output_rnn/grad_o = yhat - onehot(y) + W.T diag(1 - h^2) grad_h: every single term of the
    flat sum is dropped and negated once, and the leading pair (the output's own gradient) too."""
    question = get_question("output_rnn/grad_o")
    key = parse_text(question.reference)
    assert isinstance(key, Add) and len(key.terms) == 3
    found = {to_text(m.node): m.name for m in mutants(key, question)}
    recurrent = "W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1]"
    assert found[f"-onehot(y[t]) + {recurrent}"] == "missing-term"
    assert found[f"yhat[t] + {recurrent}"] == "missing-term"
    assert found["yhat[t] - onehot(y[t])"] == "missing-recurrent-path"
    assert found[recurrent] == "missing-term"                       # the leading pair dropped
    assert found[f"-yhat[t] - onehot(y[t]) + {recurrent}"] == "sign-flip"
    assert found[f"yhat[t] + onehot(y[t]) + {recurrent}"] == "sign-flip"
    assert found[f"yhat[t] - onehot(y[t]) - {recurrent}"] == "sign-flip"
    assert found[f"-(yhat[t] - onehot(y[t])) + {recurrent}"] == "sign-flip"


def test_an_activation_derivative_is_found_in_a_flat_product():
    """tanh' = 1 - h^2 is the sum Add((1, Neg(h**2))); sigma' spliced into a longer elementwise
    product is still one factor to leave out."""
    h = Symbol("h", T)
    assert parse_text("1 - h[t]**2") == Add((Number(1), Neg(Pow(h, 2))))
    question = get_question("lstm/grad_q")
    key = parse_text("grad_h[t] * tanh(s[t]) * sigma'(a)", DEFAULT_NAMES)
    assert isinstance(key, Mul) and len(key.factors) == 4
    dropped = [to_text(m.node) for m in mutants(key, question) if m.name == "missing-activation-derivative"]
    assert "grad_h[t] * tanh(s[t])" in dropped


def test_printed_text_keeps_the_subtraction_a_student_typed():
    for text in ["a - b + c", "a - (b - c)", "-a - b", "a - -b", "sum_t h[t] - onehot(y[t])",
                 "W @ (a - b) @ c", "a * (b @ c) - q / r"]:
        node = parse_text(text)
        assert to_text(node) == text and parse_latex(to_latex(node)) == node


@pytest.mark.parametrize("operator", ["+", "-", "*", "@"])
def test_a_long_flat_sum_or_product_is_refused_like_a_long_chain(operator):
    """A flat node of 400 operands is 399 operations: the chain limit still applies."""
    with pytest.raises(ParseError, match=f"chains more than {MAX_TREE_DEPTH} operations"):
        parse_text(operator.join(["h"] * 400))
    assert isinstance(parse_text(operator.join(["h"] * (MAX_TREE_DEPTH - 1))), (Add, Mul, MatMul))


def test_primes_count_towards_the_size_limit():
    with pytest.raises(ParseError, match="more than 1000 parts"):
        parse_text(" + ".join(["sigma'(a)"] * 140), {"a"})
