"""Shared test set-up: the hypothesis profile and a fixture drawing cases from the catalogue.

The default profile keeps examples few and derandomized, so the suite is fast and every
run checks the same inputs; ``HYPOTHESIS_PROFILE=thorough`` searches far wider.
"""
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from autodiff.checks import Chooser, make_case
from autodiff.renderers import INSTALL_HINT, find_renderer
from tests import consumers

settings.register_profile("gradbook", max_examples=10, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.register_profile("thorough", max_examples=200, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow], print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "gradbook"))


@pytest.fixture(scope="session")
def draw_case():
    """``draw_case(data, op, variant, **bounds)``: a catalogue case whose shapes, axes and
    indices hypothesis chooses (and shrinks), with array values from a drawn seed."""
    def draw(data, op, variant, **bounds):
        seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
        chooser = Chooser(lambda lo, hi: data.draw(st.integers(lo, hi)), np.random.default_rng(seed), **bounds)
        return make_case(op, variant, chooser)
    return draw


def pytest_collection_modifyitems(config, items):
    """Skip tests that need a real consumer, loudly, only when that consumer is missing."""
    missing = {}
    if find_renderer() is None:
        missing["needs_graphviz"] = pytest.mark.skip(
            reason=f"NO GRAPHVIZ RENDERER: neither `dot` on PATH nor pygraphviz importable; {INSTALL_HINT}")
    if not consumers.have_chromium():
        missing["needs_chromium"] = pytest.mark.skip(
            reason="NO HEADLESS CHROMIUM: `chromium` is not on PATH; apt-get install chromium")
    if not consumers.have_tex():
        missing["needs_tex"] = pytest.mark.skip(
            reason="NO TEX: pdflatex with beamer.cls not found; apt-get install texlive-latex-recommended lmodern")
    if not consumers.have_mathjax():
        missing["needs_mathjax"] = pytest.mark.skip(
            reason=f"NO MATHJAX: node or mathjax-full missing under {consumers.NODE_MODULES}; "
                   "npm install --prefix .ci/node (as .ci/run does)")
    if not consumers.have_libreoffice():
        missing["needs_libreoffice"] = pytest.mark.skip(
            reason="NO LIBREOFFICE: `soffice` is not on PATH; apt-get install libreoffice-calc-nogui")
    for item in items:
        for name, skip in missing.items():
            if item.get_closest_marker(name):
                item.add_marker(skip)
