"""The pictures of docs/gallery.md: every figure kind, as committed SVG with its DOT beside it.

``python -m rnn.figures.gallery docs/figures/gallery`` redraws them; a test checks that each
committed ``.dot`` is still exactly what the engine gives, so the pictures cannot drift from
the code (the SVG is Graphviz's drawing of that DOT).
"""
from __future__ import annotations

import sys
from pathlib import Path

from autodiff.renderers import render_many

from .catalog import KINDS, figure_dot
from .steps import frame_dots

#: (file stem, figure kind, options) of every gallery picture; the kind's defaults otherwise.
PICTURES = tuple((k.stem, name, {}) for name, k in KINDS.items()) + (
    ("fig10_3_backward_numbers", "rnn", {"view": "backward", "values": True, "grads": True, "steps": 2}),
    ("fig10_3_biases_yhat", "rnn", {"parts": {"biases": True, "yhat": True}}),
)


def sources():
    """{file stem: DOT source} of every picture, and frame 3 of the book-level step-through."""
    out = {stem: figure_dot(name, **options) for stem, name, options in PICTURES}
    out["bptt_step_03"] = frame_dots(3)[2][1]
    return out


def write_gallery(folder):
    """Write ``STEM.svg`` and ``STEM.dot`` for every picture into `folder`; the SVG paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return render_many([(source, folder / f"{stem}.svg") for stem, source in sources().items()])


if __name__ == "__main__":
    for path in write_gallery(sys.argv[1] if len(sys.argv) > 1 else "gallery"):
        print(path)
