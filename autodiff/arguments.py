"""Argument types for the commands' numeric options: refused at parse time, in one line.

``--steps 0``, ``--hidden -1`` or ``--lr nan`` would otherwise fail deep inside NumPy (a
traceback), run for hours (``--steps 100000``), or train on NaN and write a metrics file
of NaN. Each type below is an ``argparse`` ``type=``: a bad value stops the command before
any work with ``gradbook CMD: argument --steps: ...`` (see `autodiff.cli.Parser`).
"""
from __future__ import annotations

import argparse
import math


def count(minimum=1, cap=None, why=""):
    """A whole number from `minimum` to `cap` (None: no cap); `why` explains the cap."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is too small; give a whole number of at least {minimum}")
        if cap is not None and value > cap:
            raise argparse.ArgumentTypeError(f"{value} is above the limit of {cap}{'; ' + why if why else ''}")
        return value
    parse.__name__ = "count"
    return parse


def number(positive=False, minimum=None):
    """A finite number (no nan or inf), > 0 when `positive`, >= `minimum` when given."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text} is not a finite number; give one such as 0.01")
        if positive and value <= 0:
            raise argparse.ArgumentTypeError(f"{text} must be greater than 0")
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"{text} must be at least {minimum:g}")
        return value
    parse.__name__ = "number"
    return parse
