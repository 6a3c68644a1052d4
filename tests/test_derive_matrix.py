"""Matrix-form BPTT derived from the unrolled graph (issue 4): structure and numbers."""
import numpy as np
import pytest

import rnn
import rnn.bptt as hand
from rnn.derive import DeriveError, check, derive, derive_matrix, printed_10_21
from rnn.derive.evaluate import Solution, environment
from rnn.derive.graphs import Sample, cell, unroll
from rnn.expr.time import TimeIndex
from rnn.expr.tree import (Add, Call, MatMul, Neg, Number, Pow, SumOverTime, Symbol, Transpose, grad_of,
                           is_call)

H, N_IN, K = 3, 2, 4


@pytest.fixture(scope="module")
def simple():
    return derive_matrix("rnn")


def vec(name, base, offset, rows=H):
    return Symbol(name, TimeIndex(base, offset), shape=(rows, 1))


W, V, U = Symbol("W", shape=(H, H)), Symbol("V", shape=(K, H)), Symbol("U", shape=(H, N_IN))


def dtanh(h):
    """1 - (h)^2 as the derivation builds it: a broadcast scalar 1 minus an elementwise square."""
    return Add((Number(1.0), Neg(Pow(h, 2))), shape=h.shape)


def diag(v):
    return Call("diag", (v,), shape=(H, H))


def test_derived_10_21_is_the_corrected_equation(simple):
    """eq. 10.21 corrected: W^T diag(1 - (h^(t+1))^2) grad_{h^(t+1)} L + V^T grad_{o^(t)} L."""
    h1 = vec("h", "t", 1)
    expected = Add((
        MatMul((Transpose(W), diag(dtanh(h1)), grad_of(h1))),
        MatMul((Transpose(V), grad_of(vec("o", "t", 0, K))))))
    eq = simple.equation("h")
    assert eq.rhs == expected
    assert (eq.lo, eq.hi) == (TimeIndex(None, 1), TimeIndex("tau", -1))


def test_derived_10_19_starts_the_recurrence_at_tau(simple):
    """eq. 10.19: grad_{h^(tau)} L = V^T grad_{o^(tau)} L."""
    eq = simple.equation("h@tau")
    assert eq.lhs == grad_of(vec("h", "tau", 0))
    assert eq.rhs == MatMul((Transpose(V), grad_of(vec("o", "tau", 0, K))))


def test_derived_10_18_is_yhat_minus_onehot(simple):
    """eq. 10.18: grad_{o^(t)} L = yhat^(t) - 1_{y^(t)}, from the log_softmax and nll VJPs."""
    onehot = Call("onehot", (Symbol("y", TimeIndex("t", 0)),))
    rhs = simple.equation("o").rhs
    assert isinstance(rhs, Add) and set(rhs.terms) == {Neg(onehot), vec("yhat", "t", 0, K)}


def test_parameter_gradients_are_sums_over_t_of_the_dummy_copies(simple):
    """eqs 10.22-10.28: each shared parameter's gradient is a sum over t = 1..tau."""
    h, g = vec("h", "t", 0), grad_of(vec("h", "t", 0))
    go = grad_of(vec("o", "t", 0, K))
    local = MatMul((diag(dtanh(h)), g))
    expected = {
        "c": go,
        "b": local,
        "V": MatMul((go, Transpose(h))),
        "W": MatMul((diag(dtanh(h)), g, Transpose(vec("h", "t", -1)))),
        "U": MatMul((diag(dtanh(h)), g, Transpose(vec("x", "t", 0, N_IN)))),
    }
    for name, body in expected.items():
        assert simple.equation(name).rhs == SumOverTime(body, TimeIndex(None, 1), TimeIndex("tau", 0)), name
    # every node the derivation builds carries its shape (the VJPs' shape logic reads it)
    w = simple.equation("W").rhs
    assert w.shape == (H, H) and w.body.factors[0].shape == (H, H) and w.body.factors[2].shape == (1, H)


def test_book_equation_numbers_label_the_simple_rnn(simple):
    """The simple RNN's equations carry 10.18, 10.19, 10.21, 10.22, 10.23, 10.24, 10.26, 10.28."""
    assert [e.tag for e in simple.equations] == ["10.18", "10.19", "10.21", "10.22", "10.23", "10.24",
                                                 "10.26", "10.28"]


def test_text_printer_writes_the_recurrence_as_code(simple):
    """eq. 10.21 in plain text."""
    assert simple.equation("h").text().startswith(
        "grad_h[t] = W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] + V.T @ grad_o[t]")


def test_latex_printer_uses_book_notation(simple):
    """eqs 10.21 and 10.26 in the book's LaTeX."""
    tex = simple.latex()
    assert (r"\nabla_{\boldsymbol{h}^{(t)}} L &= \boldsymbol{W}^{\top} \operatorname{diag}\left(1 - "
            r"\left(\boldsymbol{h}^{(t+1)}\right)^{2}\right) \nabla_{\boldsymbol{h}^{(t+1)}} L") in tex
    assert r"\sum_{t=1}^{\tau}" in tex and r"\boldsymbol{h}^{(t-1)\top}" in tex
    assert simple._repr_latex_().startswith("$$\\begin{aligned}")


def test_mathml_printer_gives_well_formed_presentation_mathml(simple):
    """Every equation is one <math> element that parses as XML."""
    import xml.etree.ElementTree as ET
    for eq in simple.equations:
        root = ET.fromstring(eq.mathml())
        assert root.tag == "math"


def test_printed_10_21_is_rejected_by_the_dimension_check(simple):
    """The book's printed 10.21 multiplies an H x 1 column by an H x H diag: rejected."""
    verdict = check(printed_10_21())
    assert not verdict.ok and "inner dimensions 1 and H differ" in verdict.message
    assert check(simple.equation("h"), {H: "H", N_IN: "n_in", K: "K"}).ok


def test_generalisation_does_not_depend_on_the_unrolled_length(simple):
    """Deriving from 5 unrolled steps gives the same equations as from 4."""
    assert derive_matrix("rnn", tau=5).text() == simple.text()


@pytest.mark.parametrize("name", ["rnn", "output", "seq2one", "lstm", "lstm-tanh", "gru", "gru-printed"])
def test_derived_equations_match_the_engine_numerically(name):
    """Running the derived recurrences on a 6-step sequence gives the engine's BPTT gradients."""
    derivation = derive_matrix(name)
    spec = cell(name)
    graph = unroll(spec, Sample.random(spec, 6, H, N_IN, K, seed=11))
    graph.loss.backward()
    solution = Solution(derivation, environment(graph), 6)
    for pname, p in graph.params.items():
        np.testing.assert_allclose(solution.parameter(pname), p.grad, atol=1e-10, rtol=0)
    for node in graph.nodes.values():
        if node.meta["kind"] in spec.adjoints and node.grad is not None and node.prim is not None:
            np.testing.assert_allclose(solution.adjoint(node.meta["kind"], node.meta["t"]), node.grad,
                                       atol=1e-10, rtol=0)


def test_the_derived_recurrences_solve_a_long_sequence_from_its_first_step():
    """Asked for grad_h^(1) first, Solution solves eq. 10.21 from tau down one step at a time; at
    tau = 400 it used to recurse through the whole sequence and raise RecursionError."""
    tau = 400
    spec = cell("rnn")
    graph = unroll(spec, Sample.random(spec, tau, H, N_IN, K, seed=11))
    graph.loss.backward()
    solution = Solution(derive_matrix("rnn"), environment(graph), tau)
    first = next(n for n in graph.nodes.values() if n.meta.get("kind") == "h" and n.meta.get("t") == 1)
    np.testing.assert_allclose(solution.adjoint("h", 1), first.grad, atol=1e-10, rtol=0)
    for pname, p in graph.params.items():
        np.testing.assert_allclose(solution.parameter(pname), p.grad, atol=1e-10, rtol=0)


def test_derived_equations_match_hand_written_bptt(simple):
    """The derived 10.18-10.28 reproduce rnn.bptt (an implementation that shares no code)."""
    spec = cell("rnn")
    sample = Sample.random(spec, 7, H, N_IN, K, seed=3)
    graph = unroll(spec, sample)
    params = hand.RNNParams(**sample.params)
    reference = hand.bptt(params, sample.x, sample.y, h0=sample.state0["h"])
    solution = Solution(simple, environment(graph), 7)
    for name in "UWVbc":
        np.testing.assert_allclose(solution.parameter(name), reference.grads[name], atol=1e-10, rtol=0)


def test_lstm_cell_state_recurrence_goes_through_the_forget_gate():
    """LSTM (10.40-10.44): grad_{s^(t)} L has the term diag(f^(t+1)) grad_{s^(t+1)} L."""
    eq = derive_matrix("lstm").equation("s")
    s1 = Symbol("s", TimeIndex("t", 1), shape=(H, 1))
    term = MatMul((diag(Symbol("f", TimeIndex("t", 1))), grad_of(s1)))
    assert term in eq.rhs.terms


def test_printed_gru_update_gate_adjoint_reads_the_next_step():
    """GRU as printed (eq. 10.45): u^(t) gates h^(t+1), so grad_{u^(t)} L =
    diag(h^(t) - htilde^(t+1)) grad_{h^(t+1)} L for t = 0..tau-1."""
    eq = derive_matrix("gru-printed").equation("u")
    h0, h1, ht1 = vec("h", "t", 0), vec("h", "t", 1), vec("htilde", "t", 1)
    diag, grad = eq.rhs.factors
    assert isinstance(eq.rhs, MatMul) and grad == grad_of(h1)
    assert is_call(diag, "diag") and set(diag.args[0].terms) == {h0, Neg(ht1)}
    assert (eq.lo, eq.hi) == (TimeIndex(None, 0), TimeIndex("tau", -1))


def test_printed_gru_input_weights_meet_the_previous_input():
    """GRU as printed (eq. 10.45): U multiplies x^(t-1), so grad_U L sums over t = 1..tau with
    x^(t-1)T, and U^u over t = 0..tau-1 with x^(t)T (the gates of eq. 10.46)."""
    d = derive_matrix("gru-printed")
    assert "x[t-1].T)" in d.equation("U").text() and "sum(t=1..tau," in d.equation("U").text()
    assert "x[t].T)" in d.equation("U_u").text() and "sum(t=0..tau-1," in d.equation("U_u").text()


def test_printed_gru_derivation_matches_rnn_unroll_gradients():
    """Eqs 10.45-10.47 as printed: the derived recurrences, evaluated on the graph of
    rnn.unroll(GRU(form='printed')), give its engine gradients (every parameter, every named
    adjoint including the gates u^(0), r^(0))."""
    tau, rng = 6, np.random.default_rng(5)
    model = rnn.GRU(n_in=N_IN, hidden=H, n_out=K, seed=2, form="printed")
    u = rnn.unroll(model, rng.normal(size=(tau, N_IN, 1)), rng.integers(0, K, size=(tau, 1)))
    u.loss.backward()
    solution = Solution(derive_matrix("gru-printed"), environment(u), tau)
    for name, p in u.params.items():
        np.testing.assert_allclose(solution.parameter(name), p.grad, atol=1e-10, rtol=0)
    checked = 0
    for node in u.nodes.values():
        if node.meta["kind"] in cell("gru-printed").adjoints and node.prim is not None:
            np.testing.assert_allclose(solution.adjoint(node.meta["kind"], node.meta["t"]), node.grad,
                                       atol=1e-10, rtol=0)
            checked += 1
    assert checked == 5 * tau   # o, h, htilde at 1..tau; u, r at 0..tau-1


def test_sequence_to_one_output_parameters_come_from_tau_alone():
    """Fig. 10.5: V and c have no sum over t, grad_h has no V^T term for t < tau."""
    d = derive_matrix("seq2one")
    assert not isinstance(d.equation("V").rhs, SumOverTime)
    assert "V" not in d.equation("h").text().split("=", 1)[1]


def test_unknown_cell_or_parameter_raises_a_one_line_error():
    with pytest.raises(DeriveError, match="unknown cell"):
        derive("elman")
    with pytest.raises(DeriveError, match="no parameter 'Q'"):
        derive("rnn", "Q")
