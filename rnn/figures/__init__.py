"""Lecture figures drawn from the engine's graphs (the RNN lecture, chapter 10 of the book).

`catalog.KINDS` lists every figure; `catalog.figure_dot(kind, ...)` gives its DOT source.
The pieces: `collapse` (op-level graph -> the variables a figure shows), `book` (unrolled
figures), `folded` (time collapsed, delay squares), `bptt` (backward pass, highlighted
paths, truncation), `gates` (LSTM/GRU cells), `opgraph` (the engine's op-level graph, one
column per step), `dot` and `themes` (drawing), `tikz` (the same figures as TikZ for Beamer,
laid out by Graphviz).
"""
from .catalog import KINDS, Request, figure_dot, kind
from .themes import STYLES, THEMES, FigureOptionError

__all__ = ["KINDS", "Request", "figure_dot", "kind", "STYLES", "THEMES", "FigureOptionError"]
