"""The derivation's algebra (`rnn/derive/algebra.py`): simplifying constructors over the one
tree (`rnn/expr/tree.py`), NumPy's dispatch on the thin `Term`, and walks without recursion."""
import numpy as np
import pytest

from autodiff.ops import sum_to
from rnn.derive import CELLS, DeriveError, derive_matrix
from rnn.derive import algebra as al
from rnn.derive.algebra import Term
from rnn.derive.evaluate import values
from rnn.derive.printed import symbolic_shape
from rnn.derive.printers import latex, mathml, text
from rnn.expr.evaluate import evaluate
from rnn.expr.time import TimeIndex
from rnn.expr.tree import (Add, Array, Call, Grad, MatMul, Mul, Neg, Number, Pow, Symbol, Transpose, grad_of,
                           walk)

H = 3
T0, T1 = TimeIndex("t", 0), TimeIndex("t", 1)
h = Symbol("h", T0, shape=(H, 1))
W = Symbol("W", shape=(H, H))
g = grad_of(Symbol("h", T1, shape=(H, 1)))


def test_every_node_of_every_derived_equation_has_its_shape():
    for cell in CELLS:
        for eq in derive_matrix(cell).equations:
            missing = [type(n).__name__ for side in (eq.lhs, eq.rhs) for n in walk(side) if n.shape is None]
            assert not missing, (cell, eq.key, missing)


def test_the_engines_tanh_rule_on_terms_builds_the_books_diag():
    """tanh's VJP g * (1 - ans * ans), run on Terms, is diag(1 - (h)^2) grad_h (eq. 10.21)."""
    out = Term(g) * (1 - Term(h) * Term(h))
    assert isinstance(out, Term) and out.shape == (H, 1)
    diag, adjoint = out.node.factors
    assert adjoint == g and diag == Call("diag", (Add((Number(1.0), Neg(Pow(h, 2)))),))
    assert diag.shape == (H, H) and diag.args[0].shape == (H, 1)
    assert text(out.node) == "diag(1 - h[t]**2) @ grad_h[t+1]"


def test_constants_numbers_and_scales():
    assert al.constant(np.ones((2, 1))) == Number(1.0) and al.constant(np.ones((2, 1))).shape == (2, 1)
    mask = al.constant(np.array([[0.0], [1.0]]))
    assert isinstance(mask, Array) and mask.shape == (2, 1)
    np.testing.assert_array_equal(al.array_of(mask), [[0.0], [1.0]])
    scaled = al.mul(2.0, h)
    assert scaled == Mul((Number(2.0), h)) and al.scale_parts(scaled) == (2.0, h)
    assert al.neg(scaled) == Mul((Number(-2.0), h)) and al.mul(3.0, scaled) == Mul((Number(6.0), h))
    assert al.mul(1.0, h) is h and al.mul(-1.0, h) == Neg(h) and al.mul(h, h) == Pow(h, 2)
    # a product with a broadcast constant is elementwise, not a scaling
    assert al.scale_parts(al.mul(np.full((H, 1), 2.0), Symbol("c", shape=(1, 1)))) is None
    assert text(scaled) == "2 * h[t]" and text(al.mul(h, Symbol("f", T0, shape=(H, 1)))) == "h[t] * f[t]"


def test_products_signs_and_transposes_follow_the_books_rewrites():
    x = Symbol("x", T0, shape=(2, 1))
    U = Symbol("U", shape=(H, 2))
    assert al.matmul(al.neg(W), h) == Neg(MatMul((W, h)))
    assert al.transpose(al.matmul(U, x)) == MatMul((Transpose(x), Transpose(U)))
    assert al.transpose(al.diag(h)) == al.diag(h) and al.transpose(Transpose(W)) is W
    assert al.sub(h, h) == Number(0.0)
    assert al.exp(Call("log_softmax", (h,), shape=(H, 1))) == Call("softmax", (h,))
    assert al.total(Call("onehot", (Symbol("y", T0, shape=(1,)),), shape=(4, 1)), axis=0, keepdims=True) == Number(1.0)
    assert al.call("sigmoid", (h,), (H, 1)).func == "sigma" and al.call("reshape", (h,), (1, H)).func == "reshape"
    with pytest.raises(DeriveError, match="inner dimensions 1 and 3 differ"):
        al.matmul(h, W)
    with pytest.raises(DeriveError, match="no matrix-level rule"):
        np.cos(Term(h))


def test_the_engines_shape_logic_reads_a_terms_shape():
    """sum_to (the adjoint of broadcasting) runs unchanged on a Term: np.shape, np.sum, reshape."""
    row = Term(Symbol("a", shape=(2, H)))
    summed = sum_to(row, (1, H))
    assert isinstance(summed, Term) and summed.shape == (1, H)
    assert summed.node == Call("reshape", (Call("sum", (row.node,)),)) and summed.node.args[0].shape == (H,)
    assert np.shape(row) == (2, H) and np.ndim(row) == 2 and row.T.shape == (H, 2)


def test_retime_substitute_and_times():
    e = al.add(al.matmul(Transpose(W), g), h.at(TimeIndex(None, 3)))
    shifted = al.retime(e, lambda i: TimeIndex("t", i.offset + 1) if i.base == "t" else i)
    assert grad_of(Symbol("h", TimeIndex("t", 2))) in walk(shifted) and isinstance(g, Grad)
    assert al.times(e) == {3}
    # a substitution re-simplifies: h^(3) -> -x gives a sum with a subtracted term
    x = Symbol("x", shape=(H, 1))
    assert al.substitute(e, {h.at(TimeIndex(None, 3)): Neg(x)}).terms[1] == Neg(x)


def test_long_chains_are_walked_without_python_recursion():
    """Printers, evaluator, retime, times and the dimension check on a 3000-deep chain."""
    deep = h
    for _ in range(1500):
        deep = Transpose(Transpose(deep), shape=(H, 1))
    assert text(deep).count(".T") == 3000 and latex(deep).count(r"\top") == 3000
    assert mathml(deep).startswith("<mrow>")
    value = np.arange(3.0).reshape(H, 1)
    np.testing.assert_array_equal(evaluate(deep, values({("h", 2): value}, tau=4), t=2), value)
    assert al.times(al.retime(deep, lambda i: TimeIndex(None, 2))) == {2}
    assert symbolic_shape(deep, {3: "H"}) == ("H", "1")
    wide = Add(tuple(Symbol("h", TimeIndex(None, k), shape=(H, 1)) for k in range(3000)), shape=(H, 1))
    assert len(text(wide).split(" + ")) == 3000 and al.times(wide) == set(range(3000))
