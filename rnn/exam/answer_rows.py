"""Reading a class's answers from a CSV export: one Row per record, never a record lost.

Columns are found by header name, case-insensitive: the student (``student``, ``name``,
``id``, ``email``), the ``answer`` (or ``response``, ``submission``) and optionally the
``syntax`` (text, latex or auto); other columns are ignored. Without a header the columns are
student, answer[, syntax].

The bytes are UTF-8 (a byte-order mark is dropped) or, when they are not valid UTF-8, the
Windows code page cp1252 that Excel's plain "CSV" uses (`decode`). Fields are separated by
commas, semicolons (Excel where the decimal mark is a comma) or tabs (`sniff_delimiter`).
Records are read with the csv module, so a quoted answer may contain delimiters, doubled
quotes and line breaks, as spreadsheets export them. A quote that is never closed would
swallow the rest of the file; a quoted field is therefore allowed to run on only while its
continuation lines do not look like records of their own (``ben,V.T @ grad_o[t]``) and for
at most `MAX_LINES` lines. Otherwise its first line is reported as ``malformed`` and reading
goes on line by line, so the rows after it are marked as usual. Blank lines and CRLF or CR
line ends are handled; a blank line is kept as a malformed "empty row", a student without an
answer as ``blank``.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

SYNTAXES = ("auto", "text", "latex")
MAX_LINES = 20              # physical lines of one quoted answer
_MAX_FIELD = 1_000_000
# The Sniffer's quote regex backtracks quadratically: 64 kB of ;"', took 84 s, 4 kB 0.4 s.
_SNIFF_LINES, _SNIFF_CHARS = 50, 4096
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}
DELIMITERS = "".join(DELIMITER_NAMES)
_HEADERS = {
    "student": ("student", "name", "id", "student id", "student_id", "email"),
    "answer": ("answer", "response", "submission"),
    "syntax": ("syntax",),
}
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
# A student's name, id or e-mail address: what starts a record, unlike a line of mathematics.
_STUDENT = re.compile(r"\w[\w .@'+-]*")


@dataclass
class Row:
    """One input record and its mark (verdict correct | incorrect | invalid | blank | malformed).

    `line` is the line of the file the record starts on, as an editor numbers them (1-based,
    the header is line 1, every line break counts, also those inside a quoted answer).
    `notes` are remarks on the record itself (a student id that occurs more than once).
    `mistakes` every mistake the checker named, `points` the rubric's score (`rnn.exam.rubric`),
    `parsed` the answer as the checker read it, in plain text (empty when unreadable).
    """

    line: int
    student: str
    syntax: str
    answer: str
    verdict: str = "malformed"
    mistake: str = ""
    message: str = ""
    seconds: float = 0.0
    notes: list = field(default_factory=list)
    mistakes: list = field(default_factory=list)
    points: float = 0.0
    parsed: str = ""


def decode(data):
    """(text, encoding) of a file's bytes: UTF-8 (BOM dropped) or, failing that, cp1252.

    Valid UTF-8 is almost never produced by accident, so a file that is not is read as the
    Windows code page Excel writes; the five bytes cp1252 leaves undefined become U+FFFD.
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def sniff_delimiter(text):
    """The field delimiter of a CSV text: ``,``, ``;`` or a tab.

    A header naming the answer column decides; otherwise `csv.Sniffer`, restricted to those
    three, reads the first lines. The Sniffer gives up on ragged rows (a syntax column filled
    in on some rows only); then the one that splits the most lines wins, a comma on a tie.
    """
    sample = "".join(_LINE.findall(text.removeprefix("\ufeff")[:_SNIFF_CHARS])[:_SNIFF_LINES])
    first = sample.splitlines()[0] if sample.strip() else ""
    for delimiter in DELIMITERS:
        names = [f.strip().lower() for f in next(csv.reader([first], delimiter=delimiter), [])]
        if len(names) > 1 and any(name in _HEADERS["answer"] for name in names):
            return delimiter
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        lines = sample.splitlines()
        return max(DELIMITERS, key=lambda d: sum(len(next(csv.reader([line], delimiter=d), [])) > 1
                                                 for line in lines))


def read_rows(text, delimiter=None):
    """The records of a CSV text as Rows, in order (verdict 'malformed' where one is unusable).

    `delimiter` is sniffed from the text when not given (`sniff_delimiter`).
    """
    csv.field_size_limit(_MAX_FIELD)
    text = text.replace("\x00", "\ufffd").removeprefix("\ufeff")
    delimiter = delimiter or sniff_delimiter(text)
    lines = _LINE.findall(text)
    first = _record(lines, 0, delimiter)
    header, width = _header(first)
    rows, i = [], first.end if header is not None else 0
    header = header or {"student": 0, "answer": 1, "syntax": 2}
    while i < len(lines):
        record = _record(lines, i, delimiter)
        rows.append(record.row(header, width, delimiter))
        i = record.end
    return rows


@dataclass
class _Record:
    start: int          # index of its first physical line
    end: int            # index after its last line
    fields: list
    raw: str
    problem: str | None = None

    def row(self, header, width, delimiter):
        """The Row of this record under the column map `header` (see module docstring)."""
        fields = _without_trailing_blanks(self.fields)
        syntax = header.get("syntax")
        if self.problem is None and (len(fields) > width or syntax is not None and syntax < len(fields)
                                     and fields[syntax].strip().lower() not in SYNTAXES + ("",)):
            fields = _rejoin(fields, self.raw, header, delimiter) or fields

        def cell(name):
            i = header.get(name)
            return fields[i] if i is not None and i < len(fields) else ""

        # The id keeps everything but spaces: a lecturer looks it up exactly as it was exported.
        row = Row(self.start + 1, cell("student").strip(" "), cell("syntax").strip().lower() or "auto",
                  cell("answer").strip())
        if self.problem:
            row.answer, row.message = self.raw.rstrip("\r\n"), self.problem
        elif not any(f.strip() for f in fields):
            row.message = "empty row"
        elif len(fields) > width:
            row.message = (f"{len(fields)} fields; expected {width} (student, answer[, syntax]): "
                           f"quote an answer that contains {DELIMITER_NAMES[delimiter]}")
        elif not row.answer:
            row.verdict, row.message = "blank", "no answer given"
        elif row.syntax not in SYNTAXES:
            row.message = f"syntax {row.syntax!r} is not one of {', '.join(SYNTAXES)}"
        else:
            row.verdict = ""
        return row


def _record(lines, i, delimiter):
    """The record starting at line i: one line, or a quoted answer over several lines."""
    line = lines[i] if i < len(lines) else ""
    if line.count('"') % 2 == 0:
        return _parsed(lines, i, i + 1, delimiter)
    quotes = line.count('"')
    for j in range(i + 1, min(len(lines), i + MAX_LINES)):
        if _looks_like_record(lines[j], delimiter):
            break
        quotes += lines[j].count('"')
        if quotes % 2 == 0:
            record = _parsed(lines, i, j + 1, delimiter)
            if record.problem is None:
                return record
            break
    return _Record(i, i + 1, [], line, f"a quote opened here is not closed before the next row "
                   f"(or within {MAX_LINES} lines); close the quote, or remove the stray \"")


def _parsed(lines, start, end, delimiter):
    """The record of lines[start:end] read by the csv module (a problem if it is not one record)."""
    raw = "".join(lines[start:end])
    text = raw.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n")
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return _Record(start, end, [], raw, f"unreadable CSV ({exc}); quote an answer with \"...\"")
    if len(records) > 1:
        return _Record(start, end, [], raw, "the quotes of this row do not pair up; quote an answer with \"...\"")
    return _Record(start, end, records[0] if records else [], raw)


def _looks_like_record(line, delimiter):
    """True for a line that reads as a row of its own: a student, then at least an answer.

    Erring towards True only splits a quoted answer (its lines are then reported as malformed
    rows); erring towards False could let a stray quote swallow a row.
    """
    try:
        fields = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter, strict=True), [])
    except csv.Error:
        return False
    fields = _without_trailing_blanks(fields)
    return len(fields) >= 2 and _STUDENT.fullmatch(fields[0].strip()) is not None


def _header(record):
    """({'student': i, 'answer': j, 'syntax': k}, number of columns) from a header record, or (None, 3)."""
    names = [f.strip().lower() for f in record.fields] if record.problem is None else []
    found = {}
    for key, aliases in _HEADERS.items():
        for i, name in enumerate(names):
            if name in aliases and key not in found:
                found[key] = i
    if "answer" not in found:
        return None, 3
    return found, len(_without_trailing_blanks(record.fields))


def _without_trailing_blanks(fields):
    """Fields without the empty cells a spreadsheet adds at the end of a row."""
    end = len(fields)
    while end and not fields[end - 1].strip():
        end -= 1
    return fields[:end]


def _rejoin(fields, raw, header, delimiter):
    """An unquoted answer cut at its own delimiters, put back together, or None.

    LaTeX's spaces \\, and \\; and delimiters inside brackets belong to the answer; only those
    are rejoined, only on a line without quotes, and only in the plain layout student,
    answer[, syntax] (the answer runs to the syntax, when the last field is one, or to the end).
    """
    plain = header.get("student") == 0 and header.get("answer") == 1 and header.get("syntax", 2) == 2
    if '"' in raw or not plain or set(header) - {"student", "answer", "syntax"} or len(fields) < 3:
        return None
    ends_with_syntax = "syntax" in header and fields[-1].strip().lower() in SYNTAXES
    answer = delimiter.join(fields[1:-1] if ends_with_syntax else fields[1:])
    if not _delimiters_inside(answer, delimiter):
        return None
    return [fields[0], answer] + ([fields[-1]] if ends_with_syntax else [])


def _delimiters_inside(text, delimiter):
    """True when every `delimiter` in `text` follows a backslash (\\, \\;) or sits inside brackets."""
    depth = 0
    for i, ch in enumerate(text):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == delimiter and depth <= 0 and not text[i - 1:i] == "\\":
            return False
    return True
