"""The one expression tree (rnn/expr/tree.py): flat sums and products, equality without
shapes or spans, adjoints as symbols, structural rebuilds."""
import pytest

from rnn.expr.time import TimeIndex
from rnn.expr.tree import (Add, Call, Grad, MatMul, Mul, Neg, Number, Pow, SumOverTime, Symbol,
                           Transpose, add, children, depth, fold, grad_of, is_call, matmul, mul,
                           rebuild, sub, symbols, transform, walk)

T = TimeIndex("t", 0)
H = Symbol("h", T)
W = Symbol("W")


def test_sums_and_products_are_flat_whatever_the_nesting():
    a, b, c = Symbol("a"), Symbol("b"), Symbol("c")
    assert add(add(a, b), c) == add(a, add(b, c)) == Add((a, b, c))
    assert sub(add(a, b), c) == Add((a, b, Neg(c)))
    assert matmul(matmul(W, H), Transpose(H)) == MatMul((W, H, Transpose(H)))
    assert mul(a, mul(b, c)) == Mul((a, b, c))
    assert add(a) is a
    # an elementwise product inside a matrix product stays a factor of its own
    assert matmul(W, mul(a, b)).factors == (W, Mul((a, b)))


def test_shape_and_source_span_do_not_take_part_in_equality():
    typed = Symbol("h", T, source_span=(3, 7))
    derived = Symbol("h", T, shape=(4, 1))
    assert typed == derived and hash(typed) == hash(derived)
    assert Neg(derived).shape == (4, 1) and Transpose(derived).shape == (1, 4)
    assert SumOverTime(Pow(derived, 2)).shape == (4, 1)


def test_an_adjoint_is_a_symbol_named_grad_and_knows_what_it_is_the_gradient_of():
    g = grad_of(Symbol("h", T, shape=(4, 1)))
    assert g == Grad("grad_h", T) and g.shape == (4, 1)
    assert g.of == H and isinstance(g, Symbol)
    assert g != Symbol("grad_h", T)  # the parsers build Grad, never a plain symbol of that name
    assert g.at(TimeIndex("t", 1)) == Grad("grad_h", TimeIndex("t", 1))
    with pytest.raises(ValueError, match="grad_"):
        Grad("h", T)


def test_rebuild_and_transform_keep_kind_fields_and_shape():
    e = SumOverTime(MatMul((Call("diag", (sub(Number(1), Pow(H, 2)),)), grad_of(H)), shape=(4, 1)),
                    TimeIndex(None, 2))
    assert rebuild(e, children(e)) == e and rebuild(e, children(e)).first == TimeIndex(None, 2)
    swapped = rebuild(e.body, children(e.body)[::-1])
    assert swapped.factors == e.body.factors[::-1] and swapped.shape == (4, 1)
    doubled = transform(e, lambda n, r: Number(2) if n == Number(1) else r)
    assert Number(2) in walk(doubled) and Number(1) not in walk(doubled)
    assert transform(e, lambda n, r: r) is e  # nothing changed, nothing rebuilt


def test_walk_fold_and_queries_run_without_recursion_on_deep_trees():
    deep = H
    for _ in range(5000):
        deep = Neg(deep)
    assert depth(deep) == 5001
    assert fold(deep, lambda n, below: 1 + sum(below)) == 5001
    assert symbols(add(H, matmul(W, H))) == {H, W}
    assert is_call(Call("diag", (H,)), "diag") and not is_call(H, "diag")


def test_symbol_builds_an_adjoint_for_every_grad_name():
    from rnn.expr.tree import symbol
    assert type(symbol("grad_h", T)) is Grad and symbol("grad_h", T) == Grad("grad_h", T)
    assert type(symbol("h", T)) is Symbol and type(symbol("grad_")) is Symbol
    assert symbol("W", source_span=(0, 1)).source_span == (0, 1)
