"""`gradbook solve`: a worked solution with numbers, forward and backward tables, the answer key."""
import numpy as np

from autodiff.cli import main
from rnn.exam.questions import get_question
from rnn.exam.solve import solution, variant


def test_solution_has_forward_backward_and_answer_tables():
    text = solution(get_question("rnn/grad_W"), seed=1)
    assert "## Forward pass" in text and "## Backward pass" in text and "## Answer" in text
    assert "| t | $\\boldsymbol{x}^{(t)}$" in text
    assert "\\nabla_{\\boldsymbol{W}} L =" in text


def test_variants_differ_by_seed_and_repeat_for_the_same_seed():
    question = get_question("rnn/grad_h")
    a, b, again = variant(question, 1), variant(question, 2), variant(question, 1)
    assert not np.allclose(a.env[("W", None)], b.env[("W", None)])
    np.testing.assert_array_equal(a.env[("W", None)], again.env[("W", None)])


def test_variant_sizes_are_small_and_distinct():
    point = variant(get_question("rnn/grad_U"), 0)
    assert (point.dims["n_in"], point.dims["H"], point.dims["K"], point.tau) == (2, 3, 4, 3)


def test_given_numbers_are_used_for_the_scalar_exam():
    text = solution(get_question("scalar_rnn/dh2_dw"))
    assert "0.9131" in text


def test_latex_format_writes_tabulars(tmp_path):
    out = tmp_path / "key.tex"
    assert main(["solve", "lstm/grad_s", "--seed", "3", "--format", "latex", "-o", str(out)]) == 0
    text = out.read_text()
    assert "\\begin{tabular}" in text and "\\begin{bmatrix}" in text


def test_latex_env_beamer_writes_frames_with_gate_parameters_in_book_notation(capsys):
    assert main(["solve", "lstm/grad_f", "--format", "latex", "--latex-env", "beamer"]) == 0
    text = capsys.readouterr().out
    frames = text.count("\\begin{frame}")
    assert frames == text.count("\\end{frame}") >= 5 and "\\section" not in text
    assert "\\boldsymbol{U}^{f}" in text and "\\mathrm{U_f}" not in text
    assert text.count("\\resizebox{") == text.count("\\begin{tabular}")
