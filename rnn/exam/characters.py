"""Characters a student's answer may carry without meaning to: invisible ones pasted from a
word processor or a web form (zero-width space, soft hyphen, byte-order mark) and look-alikes
of the ASCII operators (the Unicode minus sign, a no-break space).

They are removed or replaced before parsing, and named, so an answer is never refused as
"unknown name 'grad'" because of a character the student cannot see.
"""
import unicodedata

# Invisible: removed. Format characters (category Cf) are all invisible; these are the common ones.
_INVISIBLE = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u2061",
              "\u2062", "\u2063", "\u2064"}
# Look-alikes: replaced by the ASCII character they look like.
_LOOKALIKES = {"\u2212": "-", "\u2013": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2003": " ",
               "\u2002": " ", "\u2217": "*", "\u2032": "'"}


def clean_answer(source):
    """(text, notes): `source` without invisible characters and with look-alikes made ASCII.

    `notes` names each change once, e.g. "removed 1 invisible character (U+200B ZERO WIDTH SPACE)
    at column 5"; `positions` maps each column of `text` back to the column of `source`.
    """
    if not isinstance(source, str):
        return source, [], None
    kept, positions, removed, replaced = [], [], {}, {}
    for column, ch in enumerate(source):
        if ch in _INVISIBLE or unicodedata.category(ch) == "Cf":
            removed.setdefault(ch, []).append(column)
            continue
        if ch in _LOOKALIKES:
            replaced.setdefault(ch, []).append(column)
            ch = _LOOKALIKES[ch]
        kept.append(ch)
        positions.append(column)
    if not removed and not replaced:
        return source, [], None
    positions.append(len(source))
    notes = [_note("removed", ch, columns, "invisible ") for ch, columns in removed.items()]
    notes += [_note("read", ch, columns, "", f" as {_LOOKALIKES[ch]!r}") for ch, columns in replaced.items()]
    return "".join(kept), notes, positions


def _note(verb, ch, columns, kind, after=""):
    count = len(columns)
    where = ", ".join(str(c + 1) for c in columns[:5]) + (", ..." if count > 5 else "")
    name = unicodedata.name(ch, "UNNAMED")
    plural = "s" if count > 1 else ""
    return (f"{verb} {count} {kind}character{plural} (U+{ord(ch):04X} {name}){after} at "
            f"column{plural} {where}")
