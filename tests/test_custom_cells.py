"""A lecturer's own cell (issue 17): defined with `rnn.custom.cell`, unrolled, trained, and
derived through `gradbook derive path/to/cell.py:NAME`, its derivation checked numerically."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import autodiff as ad
import rnn
from autodiff.cli import main
from rnn.custom import cell, load_cell
from rnn.derive import DeriveError, derive, derive_custom
from rnn.derive.custom import verify
from rnn.derive.evaluate import Solution, environment
from rnn.expr.time import TimeIndex
from rnn.expr.tree import MatMul, SumOverTime, Symbol, Transpose, grad_of

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
FILES = ("relu_rnn", "peephole_lstm", "minimal_gated_unit", "skip_rnn", "squared_error")
H, N_IN, K = 3, 2, 4


def example(name):
    return str(EXAMPLES / f"{name}.py")


@pytest.fixture(scope="module")
def derived():
    return {name: derive_custom(load_cell(example(name))) for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_derived_gradients_agree_with_the_engine(name, derived):
    """The derived recurrences, run on a fresh 7-step sequence with random parameters and
    initial states, give every parameter's and every named adjoint's engine gradient to 1e-10."""
    spec = load_cell(example(name))
    tau, rng = 7, np.random.default_rng(42)
    model = spec.model(N_IN, H, K)
    model.load({n: rng.normal(scale=0.6, size=p.shape) for n, p in model.params.items()})
    x = rng.normal(size=(tau, N_IN, 1))
    y = rng.integers(0, K, size=(tau, 1)) if spec.loss == "nll" else rng.normal(size=(tau, K, 1))
    h0 = {key: rng.normal(size=(model.state_size(key), 1)) for key in model.carry}
    u = rnn.unroll(model, x, y, h0=h0)
    u.loss.backward()
    solution = Solution(derived[name], environment(u), tau)
    for pname, p in u.params.items():
        np.testing.assert_allclose(solution.parameter(pname), p.grad, atol=1e-10, rtol=0)
    adjoints = 0
    for node in u.nodes.values():
        if node.meta.get("kind") in derived[name].cell.adjoints and node.prim is not None:
            np.testing.assert_allclose(solution.adjoint(node.meta["kind"], node.meta["t"]), node.grad,
                                       atol=1e-10, rtol=0)
            adjoints += 1
    assert adjoints >= 2 * tau


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("fmt", ["text", "latex", "mathml", "json"])
def test_each_example_derives_through_the_cli(name, fmt, derived, capsys):
    assert main(["derive", example(name), "--wrt", "W", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert out.strip() == {"text": derived[name].text, "latex": derived[name].latex, "mathml": derived[name].mathml,
                           "json": derived[name].to_json}[fmt]("W").strip()
    if fmt == "json":
        assert {e["key"] for e in json.loads(out)["equations"]} >= {"o", "h", "W"}
    if fmt == "mathml":
        for line in out.strip().splitlines():
            ET.fromstring(line)


def test_relu_derivative_is_the_step_function(derived):
    """h = relu(a): grad_a^(t) = diag(step(a^(t))) grad_h^(t), and W^T grad_a^(t+1) feeds grad_h^(t)."""
    text = derived["relu_rnn"].text()
    assert "grad_a[t] = diag(step(a[t])) @ grad_h[t]    for t = 1..tau" in text
    assert "grad_h[t] = W.T @ grad_a[t+1] + V.T @ grad_o[t]    for t = 1..tau-1" in text


def test_skip_connection_has_a_boundary_equation_at_tau_minus_one(derived):
    """h^(t) feeds h^(t+1) and h^(t+2): the recurrence holds up to tau-2, then tau-1 and tau
    each have their own equation; W_s meets h^(t-2)."""
    d = derived["skip_rnn"]
    assert [e.key for e in d.adjoints] == ["o", "h", "h@tau-1", "h@tau"]
    h = d.equation("h")
    assert (h.lo, h.hi) == (TimeIndex(None, 1), TimeIndex("tau", -2))
    assert "grad_h[t+2]" in h.text() and "grad_h[t+1]" in h.text()
    assert d.equation("h@tau-1").text() == ("grad_h[tau-1] = W.T @ diag(1 - h[tau]**2) @ grad_h[tau] "
                                            "+ V.T @ grad_o[tau-1]")
    assert "h[t-2].T" in d.equation("W_s").text()


def test_squared_error_output_gives_o_minus_y(derived):
    assert derived["squared_error"].equation("o").text() == "grad_o[t] = o[t] - y[t]    for t = 1..tau"


def test_peephole_and_mgu_gates_appear_in_the_state_recurrences(derived):
    s = derived["peephole_lstm"].equation("s").text()
    assert "diag(f[t+1]) @ grad_s[t+1]" in s and "W_sf.T" in s and "W_so.T" in s
    h = derived["minimal_gated_unit"].equation("h").text()
    assert h.startswith("grad_h[t] = diag(1 - f[t+1]) @ grad_h[t+1]")


def test_latex_uses_book_notation(derived):
    tex = derived["skip_rnn"].latex("W_s")
    assert r"\nabla_{\boldsymbol{h}^{(\tau-1)}} L" in tex and r"\boldsymbol{W}^{s\top}" in tex
    assert r"\operatorname{step}" in derived["relu_rnn"].latex()


def _write(tmp_path, body, name="cells.py"):
    path = tmp_path / name
    path.write_text("import autodiff as ad\nfrom rnn.custom import cell\n\n" + body, encoding="utf-8")
    return str(path)


def test_a_step_that_changes_with_t_is_refused_in_one_line(tmp_path, capsys):
    path = _write(tmp_path, '''
@cell(params={"U": ("H", "n_in"), "W": ("H", "H"), "b": ("H", 1)})
def odd(p, x, prev, t):
    a = p["b"] + p["W"] @ prev["h"] + p["U"] @ x
    return {"h": ad.tanh(a) if t % 2 else ad.sigmoid(a)}
''')
    assert main(["derive", f"{path}:odd"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "the step does not repeat" in err


def test_a_wrong_derivation_is_never_printed():
    """verify() compares every equation with the engine: a derivation with one changed
    term is refused."""
    spec = load_cell(example("relu_rnn"))
    d = derive_custom(spec)
    w = d.equation("W")
    a, h = Symbol("a", TimeIndex("t", 0), shape=(H, 1)), Symbol("h", TimeIndex("t", 0), shape=(H, 1))
    w.rhs = SumOverTime(MatMul((grad_of(a), Transpose(h)), shape=(H, H)), w.rhs.first, w.rhs.last)
    with pytest.raises(DeriveError, match="the derived grad_W differs from the engine's"):
        verify(d, spec)


@pytest.mark.parametrize("argv, message", [
    (["derive", "missing.py:c"], "missing.py: no such cell file"),
    (["derive", "{relu}:nope"], "no cell 'nope'; its cells are relu_rnn"),
    (["derive", "{relu}", "--wrt", "Q"], "relu_rnn has no parameter 'Q'"),
    (["derive", "elman"], "unknown cell 'elman'"),
])
def test_cli_errors_are_one_line(argv, message, capsys):
    argv = [a.format(relu=example("relu_rnn"), skip=example("skip_rnn")) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and message in err


@pytest.mark.parametrize("body, message", [
    ('@cell(params={"P": ("H", "H")})\ndef c(p, x, prev, t):\n    return {}\n', "parameter name 'P' has no book notation"),
    ('@cell(params={"W": ("H", "m")})\ndef c(p, x, prev, t):\n    return {}\n', "parameter W has shape ('H', 'm')"),
    ('@cell(params={}, loss="hinge")\ndef c(p, x, prev, t):\n    return {}\n', "loss='hinge' is unknown"),
    ("def broken(:\n", "importing it raised SyntaxError (line 4)"),
    ('@cell(params={"W": ("H", "H")})\ndef c(p, x, prev, t):\n    return {"state": ad.tanh(p["W"] @ prev["h"])}\n',
     "node kind 'state' has no book notation"),
    ('@cell(params={"W": ("H", "H")})\ndef c(p, x, prev, t):\n    return {"a": ad.tanh(p["W"] @ prev["h"])}\n',
     "the step must return 'h'"),
])
def test_bad_cell_files_are_refused_in_one_line(body, message, tmp_path, capsys):
    assert main(["derive", _write(tmp_path, body)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and message in err


def test_a_cell_written_like_fig_10_3_derives_the_builtin_rnn_s_equations():
    """The same recurrence written as a lecturer's cell gives the built-in rnn's matrix form
    (equation by equation, as trees) and its explicit form, entry for entry."""
    @cell(params={"U": ("H", "n_in"), "W": ("H", "H"), "b": ("H", 1)}, adjoints=("h",))
    def elman(p, x, prev, t):
        a = p["b"] + p["W"] @ prev["h"] + p["U"] @ x
        return {"a": a, "h": ad.tanh(a)}

    mine, builtin = derive(elman), derive("rnn")
    assert sorted(e.key for e in mine.equations) == sorted(e.key for e in builtin.equations)
    for eq in builtin.equations:
        assert mine.equation(eq.key).rhs == eq.rhs, eq.key
    assert derive(elman, "W", "explicit", steps=2).text() == derive("rnn", "W", "explicit", steps=2).text()


def test_a_custom_cell_unrolls_trains_and_names_its_nodes():
    spec = load_cell(example("minimal_gated_unit"))
    model = spec.model(n_in=2, hidden=3, n_out=4, seed=0)
    u = rnn.unroll(model, np.zeros((3, 2, 1)), np.zeros((3, 1), dtype=int))
    assert u.f[2].label == r"\boldsymbol{f}^{(2)}" and u.htilde[3].name == "htilde_3"
    from rnn.train import train
    result = train(cell=spec, task="chars", steps=30, hidden=8, seed=0)
    assert result.final < result.initial
    with pytest.raises(rnn.RNNError, match="task adding needs outputs='last'"):
        train(cell=spec, task="adding", steps=1)


def test_skip_connection_starts_from_two_initial_states():
    spec = load_cell(example("skip_rnn"))
    u = rnn.unroll(spec.model(2, 3, 4), np.ones((4, 2, 1)), np.zeros((4, 1), dtype=int))
    assert {"h_0", "h_-1"} <= set(u.nodes) and u.nodes["h_-1"].label == r"\boldsymbol{h}^{(-1)}"
    u.loss.backward()
    assert u.nodes["h_-1"].grad is not None and np.any(u.nodes["h_-1"].grad)


def test_the_page_shows_each_example_file_as_it_is():
    """docs/custom-cells.md's ``file=NAME`` blocks are the files of docs/examples, so the
    commands of the page (run from an empty folder) derive the cells the tests check."""
    import doccommands as dc
    shown = dc.example_files([dc.DOCS / "custom-cells.md"])
    for name in FILES:
        assert shown[f"{name}.py"] == (EXAMPLES / f"{name}.py").read_text(encoding="utf-8"), name


def test_the_squared_errors_target_is_a_bold_vector_and_the_nll_class_index_is_not(tmp_path, capsys):
    """Book notation: the squared error's target y^(t) is a vector (bold, eq. 10.18 with o - y);
    NLL's y^(t) is a class index, italic inside 1_{y^(t)}."""
    assert main(["derive", str(EXAMPLES / "squared_error.py"), "--format", "latex"]) == 0
    assert r"\boldsymbol{o}^{(t)} - \boldsymbol{y}^{(t)}" in capsys.readouterr().out
    assert main(["derive", "rnn", "--format", "latex"]) == 0
    assert r"\boldsymbol{1}_{y^{(t)}}" in capsys.readouterr().out
