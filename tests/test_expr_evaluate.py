"""The one NumPy evaluator (`rnn/expr/evaluate.py`): the same walk for the derivation's formulas
and the exam's answers, each side's values and errors passed in, no Python recursion."""
import numpy as np
import pytest

from rnn.derive import DeriveError, derive_matrix
from rnn.derive.evaluate import Solution, environment, values as derived_values
from rnn.derive.graphs import Sample, cell, unroll
from rnn.exam.errors import EvaluationError, ShapeMismatch, UnknownSymbol
from rnn.exam.evaluate import AnswerValues, environment_key
from rnn.exam.parse_text import parse_text
from rnn.expr.evaluate import evaluate
from rnn.expr.time import TimeIndex
from rnn.expr.tree import (Add, Array, Call, Div, Grad, MatMul, Neg, Number, SumOverTime, Symbol, Transpose,
                           grad_of)

T = TimeIndex("t", 0)
RNG = np.random.default_rng(5)
H_VALUES = {("h", t): RNG.normal(size=(3, 1)) for t in range(0, 5)}


def test_a_derived_equation_reads_the_same_with_either_sides_values():
    """Eq. 10.21 as the derivation built it, evaluated with the derivation's values (adjoints
    from a callback) and with the exam's (adjoints from the environment): the same bits."""
    spec = cell("rnn")
    graph = unroll(spec, Sample.random(spec, 5, 3, 2, 4, seed=2))
    graph.loss.backward()
    env = environment(graph)
    for node in graph.nodes.values():
        if node.grad is not None and "t" in node.meta:
            env[("grad_" + node.meta["kind"], node.meta["t"])] = node.grad
    rhs = derive_matrix("rnn").equation("h").rhs
    asked = []

    def adjoint(kind, step):
        asked.append((kind, step))
        return env[("grad_" + kind, step)]

    for t in range(1, 5):
        derived = evaluate(rhs, derived_values(env, 5, adjoint), t)
        answered = evaluate(rhs, AnswerValues(env, tau=5), t)
        assert derived.tobytes() == answered.tobytes()
    assert ("h", 2) in asked and ("o", 1) in asked


def test_the_solution_gives_the_engines_gradients():
    spec = cell("gru")
    graph = unroll(spec, Sample.random(spec, 6, 3, 2, 4, seed=8))
    graph.loss.backward()
    solution = Solution(derive_matrix("gru"), environment(graph), 6)
    for name, p in graph.params.items():
        np.testing.assert_allclose(solution.parameter(name), p.grad, atol=1e-10, rtol=0)


@pytest.mark.parametrize("side", ["derivation", "exam"])
def test_3000_deep_trees_and_3000_nested_sums_evaluate_without_recursion(side):
    value = H_VALUES[("h", 1)]
    make = (lambda: derived_values(H_VALUES, 1)) if side == "derivation" else (lambda: AnswerValues(H_VALUES, 1))
    deep = Symbol("h", T)
    for _ in range(1500):
        deep = Transpose(Neg(deep))
    np.testing.assert_array_equal(evaluate(deep, make(), t=1), value)
    nested = Symbol("h", T)
    for _ in range(3000):
        nested = SumOverTime(nested)
    np.testing.assert_array_equal(evaluate(nested, make()), value)
    chain = Symbol("h", T)
    for k in range(3000):
        chain = Add((chain, Number(float(k % 2))), shape=(3, 1)) if k % 3 else MatMul((Number(1.0), chain))
    np.testing.assert_array_equal(evaluate(chain, make(), t=1), value + sum(k % 2 for k in range(3000) if k % 3))


def test_a_sum_runs_over_its_own_range():
    """sum_{t=2}^{tau-1} h^(t): a student's range is kept, and evaluated as written (empty when tau = 2)."""
    node = SumOverTime(Symbol("h", T), TimeIndex(None, 2), TimeIndex("tau", -1))
    np.testing.assert_allclose(evaluate(node, AnswerValues(H_VALUES, tau=4)),
                               H_VALUES[("h", 2)] + H_VALUES[("h", 3)])
    assert evaluate(node, AnswerValues(H_VALUES, tau=2)) == 0.0  # t = 2..1 adds nothing


def test_a_scalar_or_one_by_one_operand_scales_and_a_column_spreads_over_a_batch():
    batch, column = RNG.normal(size=(3, 4)), RNG.normal(size=(3, 1)) + 3.0
    env = {("U", None): batch, ("c", None): column, ("s", None): np.array([[2.0]])}
    got = evaluate(parse_text("U / c + s * c - 2 * U"), AnswerValues(env))
    np.testing.assert_allclose(got, batch / column + 2.0 * column - 2 * batch)
    assert got.shape == (3, 4) and got.dtype == np.float64


def test_constants_and_onehot_take_their_shape_from_the_derivations_nodes():
    """The derivation's Number and Array carry a shape; its onehot the number of classes."""
    mask = Array((1.0, 0.0, 2.0, 0.0), shape=(2, 2))
    ones = Number(1.0, shape=(2, 1))
    np.testing.assert_array_equal(evaluate(MatMul((mask, ones), shape=(2, 1)), derived_values({}, 1)),
                                  [[1.0], [2.0]])
    y = {("y", 2): np.array([3])}
    onehot = Call("onehot", (Symbol("y", T),), shape=(5, 1))
    expected = np.eye(5)[:, [3]]
    np.testing.assert_array_equal(evaluate(onehot, derived_values(y, 3), t=2), expected)
    np.testing.assert_array_equal(evaluate(parse_text("onehot(y[t])"), AnswerValues(y, n_classes=5), t=2),
                                  expected)


def test_the_derivations_failures_are_derive_errors_naming_the_culprit():
    h = Symbol("h", TimeIndex("t", -1), shape=(3, 1))
    with pytest.raises(DeriveError, match=r"h\[t-1\] needs the current step: pass t="):
        evaluate(h, derived_values(H_VALUES, 4))
    with pytest.raises(DeriveError, match=r"no value for h\[t-1\] at step 7: bind \('h', 7\)"):
        evaluate(h, derived_values(H_VALUES, 4), t=8)
    W = Symbol("W", shape=(2, 2))
    with pytest.raises(DeriveError, match=r"operand 2 of W @ h\[t-1\] has shape \(3, 1\), which cannot join"):
        evaluate(MatMul((W, h)), derived_values({**H_VALUES, ("W", None): np.eye(2)}, 4), t=2)
    with pytest.raises(DeriveError, match="cannot evaluate .*log_softmax has no numeric rule"):
        evaluate(Call("log_softmax", (h,)), derived_values(H_VALUES, 4), t=2)


def test_the_exams_failures_are_its_own_errors():
    env = {**H_VALUES, ("W", None): np.eye(3), ("V", None): np.ones((4, 3))}
    with pytest.raises(UnknownSymbol, match=r"unknown symbol grad_h\[t\] \(= grad_h\[2\]\): .*only V, W, h\[0\.\.4\]"):
        evaluate(parse_text("W @ grad_h[t]"), AnswerValues(env), t=2)
    with pytest.raises(ShapeMismatch, match=r"cannot divide elementwise h\[1\] \(3×1\) and V \(4×3\)"):
        evaluate(Div(Symbol("h", TimeIndex(None, 1)), Symbol("V")), AnswerValues(env))
    with pytest.raises(ShapeMismatch, match=r"diag needs a column vector, but W is 3×3"):
        evaluate(parse_text("diag(W)"), AnswerValues(env))
    with pytest.raises(EvaluationError, match=r"sum_t h\[t\] sums over t = 1..tau: pass tau="):
        evaluate(parse_text("sum_t h[t]"), AnswerValues(env))
    with pytest.raises(EvaluationError, match=r"h\[tau\] needs the sequence length"):
        environment_key(Symbol("h", TimeIndex("tau", 0)), t=1)
    with pytest.raises(EvaluationError, match=r"whole-number targets in 0..3"):
        evaluate(parse_text("onehot(y)"), AnswerValues({("y", None): np.array([4])}, n_classes=4))


def test_an_adjoint_is_solved_only_where_the_derivation_asks_for_one():
    """With an `adjoint` callback a Grad never reads the environment; without one it does."""
    g = grad_of(Symbol("h", TimeIndex("t", 1), shape=(3, 1)))
    assert isinstance(g, Grad)
    env = {("grad_h", 3): np.ones((3, 1))}
    np.testing.assert_array_equal(evaluate(g, derived_values(env, 4, lambda kind, step: np.full((3, 1), step)), 2),
                                  np.full((3, 1), 3.0))
    np.testing.assert_array_equal(evaluate(g, derived_values(env, 4), 2), np.ones((3, 1)))
