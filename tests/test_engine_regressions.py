"""Regressions of issue 15: op bugs the property tests missed, and the backward pass's cost.

* transpose with negative axes had a silently wrong gradient (argsort of (-1, 0, 1)), and
  `sum_to` hid it by reshaping a same-size contribution of the wrong shape;
* pow: NaN gradient at x = 0 for p = 0, NaN second derivative at x = 0 for p = 1;
* sigmoid as (1 + tanh(x/2))/2 rounded to 0 below x = -20 (log sigmoid(-40) = -inf);
* an n-ary node (sum(stack(L^(1..tau)))) handed all its tau arguments to each of its tau
  VJP calls; the cyclic collector ran during the backward pass.
The JVP of every catalogue case is also checked against central differences here.
"""
import contextlib
import gc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff as ad
from autodiff import checks
from autodiff.collector import paused

VARIANTS = checks.all_variants()
IDS = [f"{op}-{variant}".replace(" ", "_") for op, variant in VARIANTS]


def test_transpose_with_negative_axes_has_the_inverse_permutation_as_gradient():
    rng = np.random.default_rng(0)
    x = ad.Tensor(rng.normal(size=(2, 3, 4)), requires_grad=True)
    w = rng.normal(size=(4, 2, 3))
    (ad.transpose(x, axes=(-1, 0, 1)) * w).sum().backward()
    np.testing.assert_array_equal(x.grad, np.transpose(w, (1, 2, 0)))


def test_sum_to_refuses_a_shape_it_cannot_reduce_to():
    with pytest.raises(ad.ShapeError, match=r"sum_to: a gradient of shape \(4, 6\) cannot be summed to shape \(6, 4\)"):
        ad.sum_to(np.ones((4, 6)), (6, 4))
    with pytest.raises(ad.ShapeError, match="cannot be summed"):
        ad.sum_to(np.ones(3), (2, 3))
    np.testing.assert_array_equal(ad.sum_to(np.ones((2, 3, 4)), (3, 1)), np.full((3, 1), 8.0))


def test_a_vjp_returning_a_wrong_shape_fails_the_backward_pass_instead_of_being_reshaped():
    wrong = ad.Primitive("wrong_shape_vjp", lambda x: x * 1.0, vjps=(lambda g, ans, x: np.ones(x.shape[::-1]),))
    x = ad.Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ad.ShapeError, match=r"\(3, 2\) cannot be summed to shape \(2, 3\)"):
        wrong(x).sum().backward()


@pytest.mark.parametrize("p", [0, 1, 2, 3])
def test_pow_has_finite_first_and_second_derivatives_at_zero(p):
    x = ad.Tensor(0.0, requires_grad=True)
    (first,) = ad.gradients(x ** p, [x], create_graph=True)
    (second,) = ad.gradients(first, [x])
    assert first.value == (1.0 if p == 1 else 0.0)
    assert second == (2.0 if p == 2 else 0.0)
    _, tangent = ad.jvp(lambda v: v ** p, [np.array(0.0)], [np.array(1.0)])
    assert tangent == (1.0 if p == 1 else 0.0)


def test_sigmoid_keeps_its_precision_in_the_left_tail():
    x = np.array([-745.0, -40.0, -20.0, 0.0, 20.0, 40.0, 800.0])
    value = ad.sigmoid(x)
    with np.errstate(divide="ignore"):
        log_value = np.log(value)
    np.testing.assert_allclose(log_value[1:3], [-40.0, -20.0 - np.log1p(np.exp(-20.0))], rtol=1e-15)
    assert value[0] > 0 and value[3] == 0.5 and value[-1] == 1.0
    np.testing.assert_allclose(value[1:-1], 1.0 / (1.0 + np.exp(-x[1:-1])), rtol=1e-15, atol=0)
    x40 = ad.Tensor(-40.0, requires_grad=True)
    ad.log(ad.sigmoid(x40)).backward()
    np.testing.assert_allclose(x40.grad, 1.0 - 1.0 / (1.0 + np.exp(40.0)), rtol=1e-15)  # 1 - sigma(-40)


@pytest.mark.parametrize("op, variant", VARIANTS, ids=IDS)
@given(data=st.data())
@settings(max_examples=5)
def test_jvp_matches_central_differences_of_the_function(draw_case, data, op, variant):
    """J v from the JVP rules equals (f(x + eps v) - f(x - eps v)) / (2 eps) in float64."""
    case = draw_case(data, op, variant)
    eps = 1e-6
    _, tangent = ad.jvp(case.fn, case.args, case.directions)
    plus = case.fn(*[a + eps * v for a, v in zip(case.args, case.directions)])
    minus = case.fn(*[a - eps * v for a, v in zip(case.args, case.directions)])
    numeric = (np.asarray(getattr(plus, "value", plus)) - np.asarray(getattr(minus, "value", minus))) / (2 * eps)
    np.testing.assert_allclose(tangent, numeric, atol=1e-6, rtol=1e-5, err_msg=case.title)


def _counting(prim, calls):
    """The per-argument VJPs of `prim` wrapped to count their calls (restored by the caller)."""
    original = prim.vjps

    def vjps(k):
        rule = original(k)

        def counted(*args, **params):
            calls.append(k)
            return rule(*args, **params)
        return counted
    return original, vjps


@pytest.mark.parametrize("create_graph", [False, True])
def test_sum_of_a_stack_splits_its_gradient_once_instead_of_one_vjp_per_argument(create_graph):
    calls = []
    prim = ad.REGISTRY["stack"]
    original, prim.vjps = _counting(prim, calls)
    try:
        xs = [ad.Tensor(float(k), requires_grad=True) for k in range(50)]
        total = ad.sum(ad.stack(*[x * x for x in xs]))
        grads = ad.gradients(total, xs, create_graph=create_graph)
    finally:
        prim.vjps = original
    assert calls == []
    values = [g.value if create_graph else g for g in grads]
    np.testing.assert_array_equal(np.array(values, dtype=float), 2.0 * np.arange(50))


def test_concatenate_gradient_is_split_into_each_arguments_slice():
    a = ad.Tensor(np.zeros((2, 3)), requires_grad=True)
    b = ad.Tensor(np.zeros((2, 2)), requires_grad=True)
    w = np.arange(10.0).reshape(2, 5)
    (ad.concatenate([a, b], axis=-1) * w).sum().backward()
    np.testing.assert_array_equal(a.grad, w[:, :3])
    np.testing.assert_array_equal(b.grad, w[:, 3:])


def test_the_cyclic_collector_is_paused_during_the_backward_pass_and_restored_after():
    seen = []
    spy = ad.Primitive("gc_spy", lambda x: x * 1.0, vjps=(lambda g, ans, x: seen.append(gc.isenabled()) or g,))
    x = ad.Tensor(np.ones(3), requires_grad=True)
    assert gc.isenabled()
    spy(x).sum().backward()
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        spy(x).sum().backward()
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_paused_restores_the_collector_when_the_block_raises():
    with pytest.raises(RuntimeError):
        with paused():
            assert not gc.isenabled()
            raise RuntimeError("inside")
    assert gc.isenabled()


def _sequence():
    """A 4-3-4 simple RNN and a 300-step batch: an unrolled graph of some ten thousand objects."""
    import rnn
    rng = np.random.default_rng(0)
    model = rnn.SimpleRNN(4, 3, 4, seed=0)
    return model, rng.normal(size=(300, 4, 2)), rng.integers(0, 4, size=(300, 2))


@contextlib.contextmanager
def _collections_started():
    """The generations of the collections that start inside the block, in order."""
    starts = []

    def count(phase, info):
        if phase == "start":
            starts.append(info["generation"])
    gc.collect()
    gc.callbacks.append(count)
    try:
        yield starts
    finally:
        gc.callbacks.remove(count)


def test_no_collection_runs_while_an_unrolled_graph_is_built_and_back_propagated():
    """Tens of thousands of objects are allocated, enough to start the collector every 700
    allocations; `rnn.unroll` and `backward()` pause it, so it runs at most once after each
    pause ends (one young-generation pass over what the pause allocated), not dozens of times."""
    import rnn
    model, x, y = _sequence()
    with _collections_started() as starts:
        u = rnn.unroll(model, x, y)
        u.loss.backward()
    assert len(starts) <= 2 and gc.isenabled()
    assert len(ad.trace(u.loss).nodes) > 3000 and model.params["W"].grad is not None


def test_no_collection_walks_the_graph_when_the_pause_ends():
    """Re-enabling the collector after building a graph starts no young-generation pass over
    it (40 ms at 1 000 steps): the new objects go to the oldest generation unscanned, and
    cyclic garbage made inside the pause is still collected by the next full collection."""
    import weakref
    import rnn

    class Cyclic:
        pass

    model, x, y = _sequence()
    with _collections_started() as starts:
        with paused():
            garbage = Cyclic()
            garbage.self = garbage
            alive = weakref.ref(garbage)
            del garbage
            u = rnn.unroll(model, x, y)
        pending = gc.get_count()[0]  # new objects counted towards the next young pass
    assert len(ad.trace(u.loss).nodes) > 3000
    assert starts == [] and pending < gc.get_threshold()[0]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert alive() is not None
    gc.collect()
    assert alive() is None


def test_objects_the_program_froze_stay_frozen_after_a_pause(monkeypatch):
    """A program that called gc.freeze() (before a fork, say) keeps its frozen objects frozen:
    the pause's constant-time exit (freeze + unfreeze) is used only when nothing is frozen."""
    import gc

    import rnn
    from autodiff import collector
    from autodiff.collector import paused

    monkeypatch.setattr(collector, "_seen_frozen", False)  # what it learns here ends with the test

    kept = [[i] for i in range(1000)]
    gc.freeze()
    try:
        with paused():
            rnn.unroll(*_sequence())
        assert gc.isenabled() and gc.get_freeze_count() >= len(kept)   # 0 when they were handed back
    finally:
        gc.unfreeze()
    assert kept


def test_a_pause_asks_for_the_frozen_count_once_it_has_found_frozen_objects(monkeypatch):
    """gc.get_freeze_count() walks every frozen object (17 ms with PyTorch imported and frozen):
    once a pause has found some, later pauses neither ask again nor hand them back."""
    import gc

    from autodiff import collector
    from autodiff.collector import paused

    monkeypatch.setattr(collector, "_seen_frozen", False)
    asked = []
    count = gc.get_freeze_count
    monkeypatch.setattr(gc, "get_freeze_count", lambda: asked.append(1) or count())
    kept = [[i] for i in range(1000)]
    gc.freeze()
    try:
        for _ in range(3):
            with paused():
                garbage = [[i] for i in range(20 * gc.get_threshold()[0])]  # a large pause
            del garbage
        assert len(asked) == 1 and gc.isenabled() and count() >= len(kept)
    finally:
        gc.unfreeze()


def test_operators_record_the_node_calling_the_primitive_records():
    """`x + y` goes through `primitive.binary` (no argument packing): the same node as
    ``ad.add(x, y)``, constants wrapped on either side, the same errors."""
    from autodiff.errors import AnomalyError, ShapeError
    from autodiff.mode import detect_anomaly
    a = ad.Tensor(np.array([1.0, 2.0]), name="a", requires_grad=True)
    b = ad.Tensor(np.array([3.0, -1.0]), name="b")
    pairs = [(a + b, ad.add(a, b)), (2 - a, ad.sub(2, a)), (a * 3, ad.mul(a, 3)), (a / b, ad.div(a, b)),
             (np.ones(2) @ a, ad.matmul(np.ones(2), a))]
    for via_operator, via_call in pairs:
        assert via_operator.prim is via_call.prim and via_operator.params == via_call.params == {}
        assert [i.role for i in via_operator.inputs] == [i.role for i in via_call.inputs]
        assert via_operator.requires_grad and via_operator.seq > via_call.seq - 10
        np.testing.assert_array_equal(via_operator.value, via_call.value)
    assert ad.primitive.binary(ad.add, np.ones(2), np.ones(2)).tolist() == [2.0, 2.0]  # no node
    with pytest.raises(ShapeError, match="matmul"):
        a @ ad.Tensor(np.ones((3, 3)))
    with detect_anomaly(), np.errstate(divide="ignore"), pytest.raises(AnomalyError, match="div"):
        a / ad.Tensor(np.zeros(2))
