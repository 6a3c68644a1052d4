"""The exception the derivation raises: names the culprit and the fix in one line."""
from __future__ import annotations

from autodiff.errors import GradbookError


class DeriveError(GradbookError):
    """A cell, parameter, form or expression the derivation cannot handle; says what to change."""
