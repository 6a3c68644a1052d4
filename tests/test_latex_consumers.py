"""Every LaTeX string gradbook emits, handed to the programs that read it (issue 12).

pdflatex compiles each inside a Beamer frame (one document for all: one compile), MathJax 3
typesets each under Node (one process for all); both must report zero errors. The Beamer
form (`--latex-env beamer`) must also fit: no overfull box at 4:3 or 16:9. The strings are
the matrix form of every cell (all equations together, each alone) in every environment,
the explicit and scalar forms, the printed 10.21, each result's `_repr_latex_`, the
lecture's derivations/*.tex, `gradbook solve` for every built-in question and the LaTeX
the example notebook displays.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from autodiff.cli import main
from rnn.derive import CELLS, DeriveError, derive, printed_10_21
from rnn.derive.layout import ENVS
from rnn.exam.questions import builtin_questions
from rnn.exam.solve import solution
from rnn.lecture import derive_all
from tests.consumers import compile_beamer, mathjax_errors, overfull_boxes

NOTEBOOK = Path(__file__).resolve().parent.parent / "docs" / "example.ipynb"
MATH_ENVS = [env for env in ENVS if env != "beamer"]
FRAME_BATCH = 12


def _results():
    """(id, result) of every derivation the CLI can print: each cell's matrix form, the
    explicit form of W and b, the scalar form of w, u, b for h and L."""
    for cell in CELLS:
        yield f"{cell}/matrix", derive(cell)
        for wrt in ("W", "b"):
            yield f"{cell}/explicit/{wrt}", derive(cell, wrt, "explicit", steps=2, H=1)
    for wrt in ("w", "u", "b"):
        for of in ("h", "L"):
            yield f"scalar/{wrt}/{of}", derive("scalar", wrt, steps=2, of=of)


def _math_strings():
    """(id, latex, kind): kind 'block' stands alone (align*), 'inner' needs math opened
    around it (aligned), 'display' carries its own $$ (_repr_latex_)."""
    for name, result in _results():
        for env in MATH_ENVS:  # _repr_latex_ is the aligned form in $$ (test_repr_is_aligned_in_display_math)
            yield f"{name}/{env}", result.latex(env=env), "block" if env == "align" else "inner"
        for eq in getattr(result, "equations", []):  # each alone, as a notebook shows it
            yield f"{name}/{eq.key}/repr", eq._repr_latex_(), "display"
    for env in MATH_ENVS:
        yield f"printed-10.21/{env}", printed_10_21().latex(env), "block" if env == "align" else "inner"


def test_repr_is_aligned_in_display_math():
    """What Jupyter shows: $$\\begin{aligned} ... \\end{aligned}$$ with the number as text."""
    for name, result in _results():
        assert result._repr_latex_() == "$$" + result.latex(env="aligned") + "$$"
        assert r"\tag" not in result._repr_latex_()
    assert r"\text{(10.26)}" in derive("rnn").equation("W")._repr_latex_()


def _for_tex(latex, kind):
    return rf"\[ {latex} \]" if kind == "inner" else latex


def _for_mathjax(latex, kind):
    return latex[2:-2] if kind == "display" else latex


def _assert_no_errors(found):
    bad = {key: errs for key, errs in found.items() if errs}
    assert not bad, f"{len(bad)} strings failed, e.g. {next(iter(bad.items()))}"


@pytest.fixture(scope="module")
def math_strings():
    return list(_math_strings())


@pytest.mark.slow
@pytest.mark.needs_tex
def test_every_derivation_compiles_in_a_beamer_frame(math_strings, tmp_path):
    bodies = [_for_tex(latex, kind) for _, latex, kind in math_strings]
    # several strings a frame: the frames overflow, but a compile with fewer pages is faster
    # and the errors are what this test reads (fitting is test_beamer_form_fits_the_frame's)
    frames = ["\n".join(bodies[k:k + FRAME_BATCH]) for k in range(0, len(bodies), FRAME_BATCH)]
    pdf, errors = compile_beamer(frames, tmp_path)
    assert not errors, errors[:5]
    assert pdf is not None and len(math_strings) > 150


@pytest.mark.slow
@pytest.mark.needs_mathjax
def test_every_derivation_typesets_in_mathjax(math_strings):
    found = mathjax_errors([(key, _for_mathjax(latex, kind)) for key, latex, kind in math_strings])
    assert len(found) == len(math_strings)
    _assert_no_errors(found)


@pytest.mark.needs_mathjax
def test_the_old_forms_fail_in_mathjax_so_the_check_has_teeth():
    """The forms issue 12 reports: a \\tag inside aligned, an & inside $$ with no environment."""
    row = derive("rnn").equation("W").row()
    found = mathjax_errors([("tag", r"\begin{aligned}" + row.latex_lines(tags=True)[0] + r"\end{aligned}"),
                            ("amp", row.latex_lines(tags=True)[0])])
    assert "\\tag not allowed in aligned environment" in found["tag"]
    assert any("Misplaced &" in e for e in found["amp"])


def _beamer_frames():
    """Every cell's derivation (`--latex-env beamer`) and, for each model of the bank (their
    tables differ in size), a solution (`gradbook solve --format latex --latex-env beamer`)."""
    derived = [result.latex(env="beamer") for name, result in _results() if name.endswith("/matrix")]
    one_per_model = {q.model: q for q in dict(builtin_questions()).values()}.values()
    solved = [solution(q, fmt="latex", env="beamer") for q in one_per_model]
    return derived + solved


@pytest.mark.slow
@pytest.mark.needs_tex
@pytest.mark.parametrize("aspect", ["", "aspectratio=169"], ids=["4:3", "16:9"])
def test_beamer_form_fits_the_frame(aspect, tmp_path):
    """The slides compile, and TeX reports no overfull box: no LSTM or GRU line runs off
    the frame, no solution table is wider than the frame, no frame runs off the page."""
    frames = _beamer_frames()
    pdf, errors = compile_beamer(frames, tmp_path, framed=True, options=aspect)
    assert not errors and pdf is not None
    assert overfull_boxes(tmp_path) == []


def test_long_gated_sums_are_broken_into_lines():
    lstm = derive("lstm").equation("h").row()
    assert len(lstm.lines) >= 4
    assert all(line.startswith(" + ") for line in lstm.lines[1:] if line)
    tex = derive("lstm").latex(env="beamer")
    frames = tex.count(r"\begin{frame}")
    assert frames >= 3 and tex.count(r"\small") == frames == tex.count(r"\begin{align*}")


def test_unknown_environment_is_a_one_line_error():
    with pytest.raises(DeriveError, match="choose one of align, aligned, beamer"):
        derive("rnn").latex(env="equation")


def test_cli_latex_env_prints_each_form(capsys):
    for env in ENVS:
        assert main(["derive", "gru", "--format", "latex", "--latex-env", env]) == 0
        assert capsys.readouterr().out.strip() == derive("gru").latex(env=env).strip()


@pytest.mark.needs_tex
@pytest.mark.needs_mathjax
def test_lecture_derivation_files_compile_and_typeset(tmp_path):
    derive_all(list(CELLS), tmp_path / "derivations")
    files = sorted((tmp_path / "derivations").glob("*.tex"))
    assert len(files) == len(CELLS)
    texts = [f.read_text(encoding="utf-8") for f in files]
    pdf, errors = compile_beamer(texts, tmp_path / "tex")
    assert not errors and pdf is not None
    _assert_no_errors(mathjax_errors([(f.name, t) for f, t in zip(files, texts)]))


_MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)


@pytest.mark.slow
@pytest.mark.needs_tex
@pytest.mark.needs_mathjax
def test_solve_output_compiles_and_its_math_typesets(tmp_path):
    """`gradbook solve Q --format latex` for every built-in question in a Beamer frame; the
    math of the Markdown form (tables, answer key) in MathJax."""
    questions = dict(builtin_questions())
    bodies = [solution(q, fmt="latex") for q in questions.values()]
    assert not [b for b in bodies if r"\mathrm{U_f}" in b or r"\mathbf{h}" in b]  # one notation
    assert r"\boldsymbol{U}^{f}" in bodies[[q.id for q in questions.values()].index("lstm/grad_f")]
    pdf, errors = compile_beamer(bodies, tmp_path)
    assert not errors and pdf is not None
    items = []
    for qid, question in questions.items():
        for k, match in enumerate(_MATH.finditer(solution(question, fmt="markdown"))):
            items.append((f"{qid}#{k}", (match.group(1) or match.group(2)).strip()))
    assert len(items) > 100
    _assert_no_errors(mathjax_errors(items))


@pytest.mark.needs_tex
@pytest.mark.needs_mathjax
@pytest.mark.needs_graphviz
def test_notebook_latex_outputs_compile_and_typeset(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    latex = [out["data"]["text/latex"] for cell in nb.cells if cell.cell_type == "code"
             for out in cell.outputs if "text/latex" in out.get("data", {})]
    assert latex and all(t.startswith("$$") and t.endswith("$$") and r"\tag" not in t for t in latex)
    pdf, errors = compile_beamer(latex, tmp_path / "tex")
    assert not errors and pdf is not None
    _assert_no_errors(mathjax_errors([(k, t[2:-2]) for k, t in enumerate(latex)]))
