"""Scalar exam form (issue 4, form 3): the 1-unit RNN h_t = tanh(w h_{t-1} + u x_t + b)."""
import numpy as np
import pytest
import sympy

from rnn.derive import DeriveError, derive_scalar
from rnn.derive.scalar import scalar_graph

w, h0, h1, h2 = sympy.symbols("w h_0 h_1 h_2")


def test_dh2_dw_is_the_exam_answer():
    """dh_2/dw = (1 - h_2^2)(h_1 + w (1 - h_1^2) h_0)."""
    assert derive_scalar(2, "w").nested == (1 - h2 ** 2) * (h1 + w * (1 - h1 ** 2) * h0)


def test_sum_over_copies_equals_the_nested_form():
    """Reverse mode (one term per copy w^(t)) and forward mode agree identically."""
    for tau in (2, 5):
        d = derive_scalar(tau, "w", of="L")
        assert sympy.expand(d.nested - d.paths) == 0


def graph_numbers(tau, loss):
    L, params, nodes = scalar_graph(tau, loss)
    L.backward()
    x = [nodes[f"x_{t}"].value.item() for t in range(1, tau + 1)]
    y = next(n.value.item() for name, n in nodes.items() if name.startswith("y"))
    return params, nodes, x, y


@pytest.mark.parametrize("loss", ["last", "sum", "logistic"])
@pytest.mark.parametrize("wrt", ["w", "u", "b"])
def test_dL_dwrt_matches_the_engine_at_tau_10(loss, wrt):
    """The compact dL/dw (in terms of h_t) evaluated at the forward states equals the engine's."""
    d = derive_scalar(10, wrt, of="L", loss=loss)
    params, nodes, x, y = graph_numbers(10, loss)
    env = d.symbol_values(params["w"].value.item(), params["u"].value.item(), params["b"].value.item(),
                          nodes["h_0"].value.item(), x, y)
    value = d.nested.subs({sympy.Function("sigma")(sympy.Symbol("h_10")):
                           1 / (1 + np.exp(-env[sympy.Symbol("h_10")]))}).xreplace(env)
    assert abs(float(value) - params[wrt].grad.item()) < 1e-10


def test_expanded_form_equals_the_compact_form_numerically():
    """Substituting h_t = tanh(w h_{t-1} + u x_t + b) changes the form, not the value."""
    d = derive_scalar(3, "w", of="L")
    params, nodes, x, y = graph_numbers(3, "last")
    env = d.symbol_values(0.7, -0.4, 0.2, nodes["h_0"].value.item(), x, y)
    assert abs(float(d.expanded.xreplace(env)) - float(d.nested.xreplace(env))) < 1e-12
    assert not any(str(s).startswith("h_") and s != h0 for s in d.expanded.free_symbols)


def test_squared_loss_factor_is_simplified():
    """(2 h_tau - 2 y)/2 is shown as h_tau - y."""
    assert "2*h_3" not in str(derive_scalar(3, "w", of="L").nested)


def test_scalar_output_formats():
    d = derive_scalar(2)
    assert r"\frac{\partial h_{2}}{\partial w}" in d.latex()
    assert d.mathml().startswith("<math") and d.to_dict()["tau"] == 2


def test_scalar_rejects_unknown_parameter_and_loss():
    with pytest.raises(DeriveError, match="parameters w, u, b"):
        derive_scalar(2, "v")
    with pytest.raises(DeriveError, match="unknown scalar loss"):
        derive_scalar(2, "w", of="L", loss="hinge")


def test_mathml_is_well_formed_xml_with_the_derivative_as_a_fraction():
    import xml.etree.ElementTree as ET

    math = ET.fromstring(derive_scalar(tau=2).mathml())
    frac = math.find(".//mfrac")
    assert frac is not None
    assert "".join(frac.itertext()) == "\u2202h2\u2202w"
