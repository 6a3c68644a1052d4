"""The explicit and scalar forms of a lecturer's cell (issue 17): every example of
docs/examples in every format, their values against the engine at a point the derivation
never saw, the skip connection's two recurrences, the squared error's o - y, and the one-line
refusal of a cell that has no scalar form."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import sympy

import rnn
from autodiff.cli import main
from rnn.custom import load_cell
from rnn.derive import DeriveError, derive
from rnn.derive.cli import _render
from rnn.derive.scalar_cell import _Scalar, _number

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
FILES = ("relu_rnn", "peephole_lstm", "minimal_gated_unit", "skip_rnn", "squared_error")
FORMS = ("explicit", "scalar")
WRT = {"relu_rnn": "W", "peephole_lstm": "W_sf", "minimal_gated_unit": "W_f", "skip_rnn": "W_s", "squared_error": "V"}


def example(name):
    return str(EXAMPLES / f"{name}.py")


@pytest.fixture(scope="module")
def results():
    """Each example's explicit (tau = 3, H = 2) and scalar (tau = 2) form of its WRT parameter."""
    return {(name, form): derive(load_cell(example(name)), WRT[name], form) for name in FILES for form in FORMS}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", FILES)
def test_each_example_prints_each_form_through_the_cli(name, form, results, capsys):
    assert main(["derive", example(name), "--wrt", WRT[name], "--form", form]) == 0
    assert capsys.readouterr().out.strip() == results[name, form].text().strip()


@pytest.mark.parametrize("fmt", ["latex", "mathml", "json"])
@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", FILES)
def test_each_example_renders_each_form_in_each_format(name, form, fmt, results):
    """What `gradbook derive ... --format FMT` prints (the CLI's own renderer): LaTeX with
    the book's symbols, MathML that parses as XML, JSON that loads."""
    out = _render(results[name, form], fmt, WRT[name], "align")
    if fmt == "latex":
        assert out.startswith(r"\begin{align*}") and r"\frac{\partial L}{\partial" in out
        assert "_s_" not in out and "gh_" not in out and "cand" not in out
    elif fmt == "mathml":
        for line in out.splitlines():
            ET.fromstring(line)
    else:
        data = json.loads(out)
        assert (data["form"], data["wrt"]) == (form, WRT[name] if form == "explicit" else WRT[name].lower())


def _symbols(prefix, value):
    return {sympy.Symbol(prefix + "_" + "_".join(str(i + 1) for i in index)): value[index]
            for index in np.ndindex(value.shape)}


@pytest.mark.parametrize("name", FILES)
def test_explicit_form_gives_the_engine_gradient_at_a_fresh_point(name, results):
    """Every entry, evaluated through its definitions at random parameters and inputs it was
    not derived at, equals the engine's gradient of `rnn.unroll` (h^(0) = 0) to 1e-10."""
    spec, result = load_cell(example(name)), results[name, "explicit"]
    H, n_in, K = result.sizes
    rng = np.random.default_rng(7)
    model = spec.model(n_in, H, K)
    model.load({n: rng.normal(scale=0.6, size=p.shape) for n, p in model.params.items()})
    x = rng.normal(size=(result.tau, n_in, 1))
    y = result.targets.reshape(-1, 1) if spec.loss == "nll" else rng.normal(size=(result.tau, K, 1))
    env = {}
    for pname, p in model.params.items():
        env.update(_symbols(pname, p.value))
    for t in range(result.tau):
        env.update({sympy.Symbol(f"x_{i + 1}^({t + 1})"): x[t, i, 0] for i in range(n_in)})
        if spec.loss == "squared":
            env.update({sympy.Symbol(f"y_{i + 1}^({t + 1})"): y[t, i, 0] for i in range(K)})
    u = rnn.unroll(model, x, y)
    u.loss.backward()
    np.testing.assert_allclose(result.evaluate(env), model.params[WRT[name]].grad, atol=1e-10, rtol=0)


@pytest.mark.parametrize("name", FILES)
def test_scalar_form_gives_the_engine_gradient_at_a_fresh_point(name, results):
    """The adjoints, the per-copy sum and (where shown) the nested and expanded forms, at
    another random point of the size-1 cell, equal the engine's dL/dw to 1e-10."""
    result = results[name, "scalar"]
    cell = _Scalar(load_cell(example(name)), result.tau, seed=9)
    cell.loss.backward()
    env = cell.numbers()
    for sym, e in result.adjoints:
        env[sym] = _number(e, env)
    engine = cell.params[WRT[name]].grad.item()
    assert len(result.forms()) >= 1
    for _, expr in result.forms():
        assert abs(_number(expr, env) - engine) <= 1e-10 * max(1.0, abs(engine))


def test_skip_connection_explicit_form_names_each_adjoint_once_with_both_recurrences(results):
    """gh^(1) receives W's term from gh^(2) and W_s's from gh^(3): each adjoint is named once
    and read by both recurrences, where a sum over paths would grow as the Fibonacci numbers."""
    text = results["skip_rnn", "explicit"].text()
    line = next(ln for ln in text.splitlines() if ln.startswith("gh_1^(1) = "))
    assert "W_1_1*gh_1^(2)" in line and "W_s_1_1*gh_1^(3)" in line
    assert "dL/dW_s_1_1 = " in text


def test_skip_connection_scalar_form_reaches_two_steps_back():
    d = derive(load_cell(example("skip_rnn")), "W_s", "scalar", steps=3)
    text = d.text()
    assert "dL/dh_1 = " in text and "dL/dh_3*w_s*(1 - h_3**2)" in text
    assert "h_-1" in text  # w^s meets h^(t-2), so the first copy reads h_-1
    assert r"w^{s}" in d.latex() and r"h_{-1}" in d.latex()


def test_squared_error_forms_give_o_minus_y(results):
    assert "go_1^(1) = o_1^(1) - y_1^(1)" in results["squared_error", "explicit"].text()
    assert results["squared_error", "explicit"].to_dict()["targets"] is None
    assert "dL/do_1 = o_1 - y_1" in results["squared_error", "scalar"].text()


def test_nll_cells_read_one_output_through_the_logistic_sigmoid(results):
    """At K = 1 the softmax is the constant 1; the scalar form's NLL is the two-class softmax
    of (o, 0), whose adjoint is sigma(o) - y."""
    assert "dL/do_2 = -y_2 + sigma(o_2)" in results["relu_rnn", "scalar"].text()
    assert r"\sigma{\left(o_{2} \right)}" in results["relu_rnn", "scalar"].latex()


def _write(tmp_path, body):
    path = tmp_path / "cells.py"
    path.write_text("import autodiff as ad\nfrom rnn.custom import cell\n\n" + body, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("body, message", [
    ('@cell(params={"U": ("H", "n_in"), "W": ("H", "H"), "b": (2, 1)})\n'
     'def fixed(p, x, prev, t):\n    return {"h": ad.tanh(p["b"] + p["W"] @ prev["h"] + p["U"] @ x)}\n',
     "no scalar form, its parameter b has the fixed shape (2, 1)"),
    ('@cell(params={"U": ("H", "n_in"), "W": ("H", "H"), "b": ("H", 1)})\n'
     'def halves(p, x, prev, t):\n    h = prev["h"]\n'
     '    return {"h": ad.tanh(p["b"] + p["W"] @ h + p["U"] @ x) * h[1:2]}\n',
     "no scalar form, its step fails with every size 1"),
])
def test_a_cell_that_cannot_be_scalar_is_refused_in_one_line(body, message, tmp_path, capsys):
    assert main(["derive", _write(tmp_path, body), "--form", "scalar"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and message in err


def test_a_wrong_explicit_or_scalar_form_is_never_printed(monkeypatch):
    """The check compares with the engine: a form with one changed sign is refused."""
    from rnn.derive import explicit
    original = explicit.symbolic_adjoints

    def flipped(*args):
        definitions, grads = original(*args)
        return definitions, [-g for g in grads]

    monkeypatch.setattr(explicit, "symbolic_adjoints", flipped)
    with pytest.raises(DeriveError, match="the derived grad_W differs from the engine's"):
        derive(load_cell(example("squared_error")), "W", "explicit", steps=2)
    from rnn.derive import scalar_cell
    monkeypatch.setattr(scalar_cell, "_forward_mode", lambda *a: sympy.Integer(0))
    with pytest.raises(DeriveError, match=r"scalar dL/dw \(nested\) differs"):
        derive(load_cell(example("squared_error")), "W", "scalar")


@pytest.mark.parametrize("flag", [["--of", "h"], ["--loss", "sum"], ["--per-step"]])
def test_the_builtin_scalar_options_are_refused_with_a_cell_file(flag, capsys):
    assert main(["derive", example("relu_rnn"), "--form", "scalar", *flag]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and f"{flag[0]} is for the built-in cells" in err


def test_a_sequence_to_one_squared_error_cell_has_both_forms(tmp_path):
    """Fig. 10.5 with a squared error: one loss at tau, so only o^(tau) has an adjoint."""
    spec = load_cell(_write(tmp_path, '''
@cell(params={"U": ("H", "n_in"), "W": ("H", "H"), "b": ("H", 1)}, loss="squared", outputs="last")
def last(p, x, prev, t):
    return {"h": ad.tanh(p["b"] + p["W"] @ prev["h"] + p["U"] @ x)}
'''))
    explicit = derive(spec, "W", "explicit", steps=2, H=1).text()
    assert "go_1^(2) = o_1^(2) - y_1^(2)" in explicit and "go_1^(1)" not in explicit
    scalar = derive(spec, "W", "scalar").text()
    assert "dL/do_2 = o_2 - y" in scalar and "dL/do_1" not in scalar
