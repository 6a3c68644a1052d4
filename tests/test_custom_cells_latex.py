"""The LaTeX of the lecturer's cells (docs/examples), handed to its real consumers (issue 17):
every form (matrix, explicit, scalar) compiles with pdflatex in a Beamer frame and typesets
in MathJax 3 with no error, and the Beamer frames fit 4:3 and 16:9 with no overfull box, as
the built-in cells' do (tests/test_latex_consumers.py)."""
from __future__ import annotations

from pathlib import Path

import pytest

from rnn.custom import load_cell
from rnn.derive import derive, derive_custom
from tests.consumers import compile_beamer, mathjax_errors, overfull_boxes

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


WRT = {"relu_rnn": "W", "peephole_lstm": "W_sf", "minimal_gated_unit": "W_f", "skip_rnn": "W_s", "squared_error": "V"}


@pytest.fixture(scope="module")
def derivations():
    return {path.stem: derive_custom(load_cell(path)) for path in sorted(EXAMPLES.glob("*.py"))}


@pytest.fixture(scope="module")
def forms():
    """Each example's explicit form (tau = 3, H = 2) and scalar form (tau = 2), as the CLI
    prints them by default."""
    return {f"{name}/{form}": derive(load_cell(EXAMPLES / f"{name}.py"), wrt, form)
            for name, wrt in WRT.items() for form in ("explicit", "scalar")}


def _strings(derivations):
    """(key, latex, kind): each cell's whole derivation in align and aligned, and each
    equation as Jupyter shows it ($$ aligned $$)."""
    for name, d in derivations.items():
        yield f"{name}/align", d.latex(env="align"), "block"
        yield f"{name}/aligned", d.latex(env="aligned"), "inner"
        for eq in d.equations:
            yield f"{name}/{eq.key}/repr", eq._repr_latex_()[2:-2], "inner"


def _assert_typesets(items):
    """Every (key, latex) of `items` typeset by MathJax 3, none with an error."""
    found = mathjax_errors(items)
    assert len(found) == len(items)
    bad = {key: errs for key, errs in found.items() if errs}
    assert not bad, next(iter(bad.items()))


@pytest.mark.needs_tex
def test_custom_cells_compile_in_beamer(derivations, tmp_path):
    bodies = [rf"\[ {latex} \]" if kind == "inner" else latex for _, latex, kind in _strings(derivations)]
    pdf, errors = compile_beamer(["\n".join(bodies[k:k + 8]) for k in range(0, len(bodies), 8)], tmp_path)
    assert not errors, errors[:5]
    assert pdf is not None and len(bodies) > 60


@pytest.mark.needs_mathjax
def test_custom_cells_typeset_in_mathjax(derivations):
    items = [(key, latex) for key, latex, _ in _strings(derivations)]
    _assert_typesets(items)


@pytest.mark.needs_tex
@pytest.mark.parametrize("aspect", ["", "aspectratio=169"], ids=["4:3", "16:9"])
def test_custom_cells_beamer_frames_fit(derivations, aspect, tmp_path):
    frames = [d.latex(env="beamer") for d in derivations.values()]
    pdf, errors = compile_beamer(frames, tmp_path, framed=True, options=aspect)
    assert not errors and pdf is not None
    assert overfull_boxes(tmp_path) == []


@pytest.mark.needs_tex
def test_explicit_and_scalar_forms_compile_in_beamer(forms, tmp_path):
    bodies = [body for result in forms.values() for body in (result.latex("align"), rf"\[ {result.latex('aligned')} \]")]
    pdf, errors = compile_beamer(bodies, tmp_path)
    assert not errors, errors[:5]
    assert pdf is not None and len(bodies) == 20


@pytest.mark.needs_mathjax
def test_explicit_and_scalar_forms_typeset_in_mathjax(forms):
    items = [(f"{key}/{env}", result.latex(env)) for key, result in forms.items() for env in ("align", "aligned")]
    items += [(f"{key}/repr", result._repr_latex_()[2:-2]) for key, result in forms.items()]
    _assert_typesets(items)


@pytest.mark.needs_tex
@pytest.mark.parametrize("aspect", ["", "aspectratio=169"], ids=["4:3", "16:9"])
def test_explicit_and_scalar_beamer_frames_fit(forms, aspect, tmp_path):
    """Long entries (a skip connection's six-term adjoint, a gate's sigma of a sum) are broken
    after whole pieces, so no line runs off the frame and no frame off the page."""
    frames = [result.latex(env="beamer") for result in forms.values()]
    pdf, errors = compile_beamer(frames, tmp_path, framed=True, options=aspect)
    assert not errors and pdf is not None
    assert overfull_boxes(tmp_path) == []
