"""`gradbook derive` (issue 4): commands as documented in docs/derive.md."""
import json

from autodiff.cli import main


def run(capsys, *argv):
    code = main(["derive", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_derive_rnn_W_latex_prints_the_corrected_book_equations(capsys):
    code, out, _ = run(capsys, "rnn", "--wrt", "W", "--form", "matrix", "--format", "latex")
    assert code == 0
    assert r"\boldsymbol{W}^{\top} \operatorname{diag}\left(1 - \left(\boldsymbol{h}^{(t+1)}\right)^{2}\right)" in out
    assert r"\tag{10.26}" in out and r"\tag{10.28}" not in out


def test_show_printed_puts_the_rejected_10_21_beside_the_derived(capsys):
    code, out, _ = run(capsys, "rnn", "--show-printed")
    assert "printed 10.21: rejected" in out and "derived 10.21: dimensions agree" in out


def test_json_and_mathml_formats(capsys):
    _, out, _ = run(capsys, "gru", "--format", "json")
    assert json.loads(out)["cell"] == "gru"
    _, out, _ = run(capsys, "lstm", "--wrt", "W_f", "--format", "mathml")
    assert out.count("<math") >= 3


def test_explicit_and_scalar_forms(capsys):
    _, out, _ = run(capsys, "rnn", "--wrt", "W", "--form", "explicit", "--steps", "2")
    assert "dL/dW_2_2 =" in out
    _, out, _ = run(capsys, "scalar", "--wrt", "w", "--steps", "2")
    assert out.startswith("dh_2/dw = (1 - h_2**2)*(h_0*w*(1 - h_1**2) + h_1)")


def test_unknown_parameter_exits_with_a_one_line_message(capsys):
    code, _, err = run(capsys, "rnn", "--wrt", "Q")
    assert code == 2 and "no parameter 'Q'" in err


def test_printed_gru_is_its_own_cell(capsys):
    """gru-printed (eqs 10.45-10.47 as printed) beside gru (Cho et al.), as lstm beside lstm-tanh."""
    code, out, _ = run(capsys, "gru-printed", "--wrt", "U")
    assert code == 0
    assert "grad_u[t] = diag(h[t] - h_tilde[t+1]) @ grad_h[t+1]    for t = 0..tau-1" in out
    assert "grad_U = sum(t=1..tau," in out and "x[t-1].T)" in out
