"""Saving the lab's matplotlib figures: one PNG and one SVG per figure
(the lecture companion asks for the SVG alone)."""
from __future__ import annotations

from pathlib import Path

# No backend is forced here: a notebook keeps its inline backend and MPLBACKEND is obeyed;
# without a display matplotlib itself falls back to Agg, which is all `save` needs.
import matplotlib.pyplot as plt

from autodiff.files import atomic_path

FORMATS = ("png", "svg")
COLOURS = {"rnn": "#c0392b", "lstm": "#2471a3", "gru": "#229954"}


def new_figure(ncols: int = 1, width: float = 5.2, height: float = 3.6):
    """A figure with `ncols` side-by-side axes (a list, even for one)."""
    fig, axes = plt.subplots(1, ncols, figsize=(width * ncols, height), squeeze=False)
    return fig, list(axes[0])


def save(fig, out_dir, stem: str, formats=FORMATS) -> list[Path]:
    """Write `fig` as ``stem.png`` and ``stem.svg`` (or the given `formats`) in `out_dir`;
    returns the paths in the order of `formats`.

    SVG metadata (a date) is dropped so the same figure gives the same file.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    fig.tight_layout()
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        metadata = {"Date": None} if fmt == "svg" else {}
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=fmt, dpi=130, metadata=metadata)
        paths.append(path)
    plt.close(fig)
    return paths
