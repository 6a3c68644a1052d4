"""The cell level's stacked rows (issue 15, fifth round): `rnn_steps` writes the states h^(t)
as rows of one (tau + 1, H, B) array and reads the inputs x^(t) as rows of the input, and the
output layer's VJP forms V^T grad_o^(t) for all t at once; `rnn_outputs` and the chain rule
take those arrays instead of stacking the rows again (`rnn.cell_ops._Rows`). The gradients
must be the same numbers whichever way they are formed, and the record must go with the graph.
"""
import gc

import numpy as np
import pytest

import autodiff as ad
import rnn
from rnn import bptt, cell_ops

N_IN, H, K = 3, 5, 4


def problem(tau, B, seed=0):
    rng = np.random.default_rng(seed)
    model = rnn.SimpleRNN(N_IN, H, K, seed=seed)
    model.load({"b": rng.normal(0, 0.5, (H, 1)), "c": rng.normal(0, 0.5, (K, 1))})
    return model, rng.normal(size=(tau, N_IN, B)), rng.integers(0, K, size=(tau, B))


def gradients(model, u):
    model.zero_grad()
    u.loss.backward()
    return {name: p.grad.copy() for name, p in model.params.items()}


def test_the_states_are_rows_of_one_array_and_the_inputs_rows_of_x():
    model, x, y = problem(6, 2)
    u = rnn.unroll(model, x, y, level="cell")
    bases = {id(u.h[t].value.base) for t in range(1, 7)}
    assert len(bases) == 1
    states = u.h[1].value.base
    assert states.shape == (7, H, 2)
    np.testing.assert_array_equal(states[0], u.nodes["h_0"].value)
    for t in range(1, 7):
        assert np.shares_memory(u.h[t].value, states[t])
        assert u.nodes[f"x_{t}"].value.base is x


@pytest.mark.parametrize("tau, B", [(1, 1), (2, 3), (8, 2)])
def test_gradients_are_the_same_numbers_with_the_rows_or_with_the_arrays_stacked_again(tau, B):
    """Copies of the node values are not the recorded rows: the chain rule stacks them, as
    before this round, and must give the same gradients; so must the hand-written BPTT."""
    model, x, y = problem(tau, B, seed=tau + B)
    rows = gradients(model, rnn.unroll(model, x, y, level="cell"))
    u = rnn.unroll(model, x, y, level="cell")
    for t in range(1, tau + 1):
        u.h[t].value = u.h[t].value.copy()
        u.nodes[f"x_{t}"].value = u.nodes[f"x_{t}"].value.copy()
    stacked = gradients(model, u)
    hand = bptt.bptt(bptt.RNNParams(**model.arrays()), x, y)
    for name in ("U", "W", "V", "b", "c"):
        np.testing.assert_allclose(rows[name], stacked[name], rtol=1e-12, atol=1e-14, err_msg=name)
        np.testing.assert_allclose(rows[name], hand.grads[name], rtol=1e-12, atol=1e-14, err_msg=name)


def test_a_changed_initial_state_is_not_read_from_the_forward_rows():
    """The rows keep h^(0) as the forward read it; if the leaf's value no longer equals it,
    the chain rule stacks the current values (as before) instead of using the stale row."""
    model, x, y = problem(4, 2, seed=3)
    u = rnn.unroll(model, x, y, level="cell")
    h0 = u.nodes["h_0"]
    h0.value = np.ones_like(h0.value)
    changed = gradients(model, u)
    rows = u.h[1].value.base
    again = rnn.unroll(model, x, y, level="cell")
    for t in range(1, 5):
        again.h[t].value = rows[t].copy()
    again.nodes["h_0"].value = np.ones_like(h0.value)
    np.testing.assert_allclose(changed["W"], gradients(model, again)["W"], rtol=1e-12, atol=1e-14)


def test_the_h_gradients_are_read_only_rows_and_equal_the_op_level_ones():
    model, x, y = problem(5, 3, seed=1)
    u = rnn.unroll(model, x, y, level="cell")
    op = rnn.unroll(model, x, y, level="op")
    u.loss.backward()
    op.loss.backward()
    for t in range(1, 6):
        assert not u.h[t].grad.flags.writeable
        np.testing.assert_allclose(u.h[t].grad, op.h[t].grad, rtol=1e-12, atol=1e-14)


def test_the_rows_record_goes_with_the_graph():
    model, x, y = problem(6, 2)
    gc.collect()
    before = [len(rows._saved) for rows in (cell_ops._state_rows, cell_ops._input_rows, cell_ops._gradient_rows)]
    u = rnn.unroll(model, x, y, level="cell")
    u.loss.backward()
    assert len(cell_ops._state_rows._saved) == before[0] + 1
    del u
    gc.collect()
    after = [len(rows._saved) for rows in (cell_ops._state_rows, cell_ops._input_rows, cell_ops._gradient_rows)]
    assert after == before


def test_arrays_that_are_not_the_remembered_rows_are_not_taken_for_them():
    stack = np.arange(24.0).reshape(4, 3, 2)
    rows = list(stack[1:])
    record = cell_ops._Rows()
    record.remember(stack, rows)
    assert record.stack(rows) is stack
    assert record.stack(rows[::-1]) is None  # same arrays, another order
    assert record.stack(rows[1:]) is None  # fewer of them
    assert record.stack([r.copy() for r in rows]) is None  # equal numbers, other arrays
    assert record.stack([]) is None


def test_input_leaf_is_the_leaf_tensor_makes():
    value = np.arange(6.0).reshape(3, 2)
    fast = ad.tensor.input_leaf(value, "x_2", r"\boldsymbol{x}^{(2)}", {"t": 2, "kind": "x"})
    slow = ad.Tensor(value, name="x_2", role="input", label=r"\boldsymbol{x}^{(2)}", meta={"t": 2, "kind": "x"})
    for field in ("name", "label", "role", "meta", "requires_grad", "inputs", "params", "grad", "prim"):
        assert getattr(fast, field) == getattr(slow, field), field
    assert fast.value is value and fast.seq < slow.seq
