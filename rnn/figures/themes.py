"""How figures look: two styles (book, d2l) times three themes (print, screen, dark).

A *style* is the drawing convention: the Deep Learning book's circles with bold italic
names and labelled edges, or d2l.ai's rounded boxes. A *theme* is the ink: ``print`` is
black on white and stays readable photocopied (emphasis by line weight and dashes, never
by colour alone), ``screen`` adds colour fills, ``dark`` is light ink on a dark slide.
Both styles set in Latin Modern, the LaTeX font (`autodiff.fonts`: fallbacks, ``--font``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from autodiff.errors import GradbookError
from autodiff.fonts import SANS, SERIF


class FigureOptionError(GradbookError):
    """An unknown style, theme, view or figure kind was asked for."""


@dataclass(frozen=True)
class Theme:
    name: str
    background: str
    ink: str
    muted: str
    gradient: str
    highlight: str
    fills: dict = field(default_factory=dict)
    panel: str = "#f4f4f4"


@dataclass(frozen=True)
class Style:
    name: str
    fontname: str
    variable_shape: str
    variable_style: str
    parameter_shape: str
    label_font_size: int
    node_margin: str
    edge_labels: bool = True


THEMES = {
    "print": Theme("print", "white", "black", "#8c8c8c", "black", "black", fills={}, panel="white"),
    "screen": Theme("screen", "white", "#1a1a1a", "#a0a0a0", "#c0392b", "#d35400",
                    fills={"x": "#dbe9f6", "h": "#fff2cc", "s": "#fce4d6", "o": "#e2f0d9", "L": "#f8d7da",
                           "y": "#ededed", "gate": "#e4dff2", "parameter": "#eeeeee", "token": "#ffffff",
                           "emphasis": "#ffd27f"},
                    panel="#fafafa"),
    "dark": Theme("dark", "#1e1f22", "#e6e6e6", "#7a7a7a", "#ff7b72", "#ffa657",
                  fills={"x": "#1f3a56", "h": "#4d4216", "s": "#55311f", "o": "#23432a", "L": "#5a2328",
                         "y": "#3a3a3a", "gate": "#3a3054", "parameter": "#333333", "token": "#2a2a2a",
                           "emphasis": "#8a5a00"},
                  panel="#26282c"),
}

STYLES = {
    "book": Style("book", SERIF, "circle", "solid", "box", 16, "0.04"),
    "d2l": Style("d2l", SANS, "box", "rounded", "box", 14, "0.12,0.06"),
}


def theme(name):
    """The `Theme` called `name`."""
    try:
        return THEMES[name]
    except KeyError:
        raise FigureOptionError(f"unknown theme {name!r}; use one of {', '.join(THEMES)}") from None


def style(name):
    """The `Style` called `name`."""
    try:
        return STYLES[name]
    except KeyError:
        raise FigureOptionError(f"unknown style {name!r}; use one of {', '.join(STYLES)}") from None


def fill_for(th, kind, shape):
    """The fill of a node of this kind in this theme (``None``: no fill)."""
    if shape == "parameter":
        return th.fills.get("parameter")
    if kind in th.fills:
        return th.fills[kind]
    if kind and kind[0] in "fgqrzi" and len(kind) <= 2:
        return th.fills.get("gate")
    return th.fills.get(kind[0]) if kind else None
