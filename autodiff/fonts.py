"""Fonts for figures: Latin Modern (the LaTeX look) by default, with fallbacks that never fail.

Graphviz hands a ``fontname`` to Pango, whose font-description parser reads trailing style
words: ``"Latin Modern Roman"`` becomes the family "Latin Modern" in style *Roman*, which
does not exist, and the figure silently comes out in DejaVu Sans. A family list ending in a
comma is read as families only, so figures name their font as ``"Latin Modern Roman,
Latin Modern Math,serif,"``: Latin Modern for letters, Latin Modern Math for ∇ ⊤ ⊙ (absent
from the text font), then whatever serif font fontconfig has. The SVG gets the same list as
CSS (`css_family`), so a browser without Latin Modern picks its own serif.

The DOT text never depends on the machine's fonts (tests compare it); where Latin Modern is
missing (Debian: ``apt-get install fonts-lmodern``) the CLI says so in one line
(`missing_font_note`) and the fallback serif is drawn.
"""
from __future__ import annotations

import shutil
import subprocess

SERIF = "Latin Modern Roman"
SANS = "Latin Modern Sans"
MATH = "Latin Modern Math"
GENERIC = ("serif", "sans-serif", "monospace")
INSTALL_HINT = "apt-get install fonts-lmodern"


def dot_fontname(family):
    """The Graphviz ``fontname`` for `family`: a Pango-safe family list with fallbacks.

    Names without a space (``Helvetica``, PostScript names such as ``Times-Roman``, which
    Graphviz maps itself) and names that already are a list pass unchanged.
    """
    family = str(family).strip()
    if " " not in family or "," in family:
        return family
    generic = "sans-serif" if "sans" in family.lower() else "serif"
    return f"{family},{MATH},{generic},"


def css_family(value):
    """A ``font-family`` list as CSS (``'Latin Modern Roman', 'Latin Modern Math', serif``)."""
    names = [n.strip().strip("'\"") for n in str(value).split(",")]
    return ", ".join(n if n in GENERIC else f"'{n}'" for n in names if n)


def primary_family(fontname):
    """The first family of a fontname list (what `missing_font_note` looks for)."""
    return str(fontname).split(",")[0].strip()


def installed(family):
    """Whether fontconfig knows `family`; None when it cannot be asked (no ``fc-list``)."""
    if shutil.which("fc-list") is None:
        return None
    try:
        found = subprocess.run(["fc-list", f":family={family}", "family"], capture_output=True,
                               text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(found.stdout.strip())


def missing_font_note(family):
    """One line saying `family` is absent and what is drawn instead; None when it is there."""
    family = primary_family(family)
    if installed(family) is not False:
        return None
    hint = f" ({INSTALL_HINT})" if family in (SERIF, SANS) else ""
    return f"gradbook: font {family!r} is not installed{hint}; figures use the fallback serif/sans-serif font"
