"""Every engine error lives in autodiff.errors and is a GradbookError (a ValueError), so the
CLI answers any of them in one line; the modules that raise them still export them."""
import inspect

import pytest

from autodiff import dot, errors, render, renderers, stepthrough

CLASSES = [c for _, c in inspect.getmembers(errors, inspect.isclass) if c.__module__ == errors.__name__]


@pytest.mark.parametrize("cls", CLASSES, ids=[c.__name__ for c in CLASSES])
def test_every_error_is_a_gradbook_error_and_a_value_error(cls):
    assert issubclass(cls, errors.GradbookError) and issubclass(cls, ValueError)


def test_errors_are_importable_where_they_are_raised():
    """Moving the classes into autodiff.errors kept the old imports working (same class)."""
    assert render.RenderFailed is renderers.RenderFailed is errors.RenderFailed
    assert render.StyleError is dot.StyleError is errors.StyleError
    assert stepthrough.StepThroughError is errors.StepThroughError

