"""The one exception the `rnn` package raises on bad input: names the culprit and the fix."""
from __future__ import annotations

from autodiff.errors import GradbookError


class RNNError(GradbookError):
    """A model, input, target or option that does not fit; the message says what to change."""
