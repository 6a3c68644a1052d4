"""Marking a class: one CSV of answers in, one row out per record in, a CSV and an HTML report.

The answers are read by `rnn.exam.answer_rows` (UTF-8 or cp1252, comma, semicolon or tab
separated, columns by header name, quoted answers over several lines, a stray quote reported
as ``malformed`` without swallowing the rows after it); no row is ever lost.

The CSV report is made safe to open in a spreadsheet, following OWASP's "CSV Injection"
(https://owasp.org/www-community/attacks/CSV_Injection): no cell may begin with = + - @, a
tab or a carriage return (a line feed too, which Excel also skips before a formula), so
such a cell gets a leading apostrophe; every cell is wrapped in double quotes, with inner
quotes doubled, so a delimiter inside an answer cannot start a cell of its own. Cells are
also cut to Excel's limit of 32,767 characters, with a note. The HTML report and
``gradbook check --json`` show answers exactly as typed (``-V.T @ grad_o[tau]``).
"""
from __future__ import annotations

import csv
import io
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from autodiff.files import write_text

from .answer_rows import DELIMITER_NAMES, decode, read_rows, sniff_delimiter
from .check import Checker
from .report_html import VERDICTS, write_html  # noqa: F401  (the report's HTML half, re-exported)
from .rubric import rubric_for

COLUMNS = ("line", "student", "syntax", "answer", "verdict", "mistake", "points", "message", "seconds", "notes")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
CELL_LIMIT = 32_767         # characters in one Excel cell (UTF-16 code units)
_LINES_LISTED = 10          # of a duplicated id, in a note


@dataclass
class Report:
    question: str
    rows: list
    seconds: float
    delimiter: str = ","
    encoding: str = "utf-8"
    rubric: object = None

    @property
    def total(self):
        """Sum of the rubric's points over every row."""
        return sum(r.points for r in self.rows)

    @property
    def mean(self):
        return self.total / len(self.rows) if self.rows else 0.0

    @property
    def verdicts(self):
        return Counter(r.verdict for r in self.rows)

    @property
    def mistakes(self):
        return Counter(r.mistake for r in self.rows if r.mistake)

    @property
    def duplicates(self):
        """{student id: [line, ...]} for every id on more than one row (case and spaces ignored)."""
        lines = defaultdict(list)
        for r in self.rows:
            if _id_key(r.student):
                lines[_id_key(r.student)].append(r.line)
        return {key: found for key, found in lines.items() if len(found) > 1}

    @property
    def rate(self):
        """Answers marked per second (the whole run, reading and checking)."""
        return len(self.rows) / self.seconds if self.seconds > 0 else float("inf")


def grade(question, text, seed=0, encoding="utf-8", rubrics=None):
    """Mark every row of the CSV `text` for `question`; a Report keeping every row in order.

    `encoding` is only reported (the text is already decoded, see `read_text`). `rubrics`
    ({question id: Rubric}, `rnn.exam.rubric.load_rubrics`) scores each row; without one the
    built-in default rubric does.
    """
    start = time.perf_counter()
    rubric = rubric_for(question.id, rubrics)
    checker = Checker(question, seed=seed)
    delimiter = sniff_delimiter(text)
    rows = read_rows(text, delimiter)
    for row in rows:
        if row.verdict in ("malformed", "blank"):
            continue
        result = checker.check(row.answer, row.syntax)
        row.verdict, row.mistake, row.message, row.seconds = (
            result.verdict, result.mistake or "", result.message, result.seconds)
        row.mistakes = list(result.mistakes) or ([result.mistake] if result.mistake else [])
        row.parsed = result.parsed or ""
        row.points = rubric.score(row.verdict, row.mistakes)
    report = Report(question.id, rows, time.perf_counter() - start, delimiter, encoding, rubric)
    _note_duplicates(report)
    return report


def _id_key(student):
    return student.strip().casefold()


def _note_duplicates(report):
    """A note on every row whose student id occurs elsewhere: the other lines (the first few)."""
    duplicates = report.duplicates
    for r in report.rows:
        lines = duplicates.get(_id_key(r.student))
        if lines:
            others = len(lines) - 1
            listed = ", ".join(str(n) for n in islice((n for n in lines if n != r.line), _LINES_LISTED))
            more = f" and {others - _LINES_LISTED} more" if others > _LINES_LISTED else ""
            r.notes.append(f"student id also on line{'s' if others > 1 else ''} {listed}{more}")


def read_text(path):
    """(text, encoding) of the answers file: UTF-8, or cp1252 when it is not (never an error)."""
    return decode(Path(path).read_bytes())


def spreadsheet_cell(value):
    """(cell, note): `value` as a CSV cell no spreadsheet runs as a formula, within Excel's limit.

    A cell starting with one of FORMULA_STARTS gets a leading apostrophe (OWASP), which
    spreadsheets show as text; `note` says when the cell had to be cut to CELL_LIMIT.
    """
    cell = f"'{value}" if value.startswith(FORMULA_STARTS) else value
    units = len(cell.encode("utf-16-le")) // 2
    if units <= CELL_LIMIT:
        return cell, ""
    cut = cell.encode("utf-16-le")[:2 * CELL_LIMIT].decode("utf-16-le", errors="ignore")
    return cut, f"cut to {CELL_LIMIT:,} characters, Excel's cell limit (it has {len(value):,})"


def csv_rows(report):
    """The report's CSV records, header first, every cell made safe (`spreadsheet_cell`)."""
    yield COLUMNS
    for r in report.rows:
        cells, notes = [], list(r.notes)
        for name, value in zip(COLUMNS[:-1], (str(r.line), r.student, r.syntax, r.answer, r.verdict,
                                               r.mistake, points_text(r.points), r.message, f"{r.seconds:.4f}")):
            cell, note = spreadsheet_cell(value)
            cells.append(cell)
            if note:
                notes.append(f"{name} {note}; the HTML report has it whole")
        cells.append(spreadsheet_cell("; ".join(notes))[0])
        yield cells


def points_text(points):
    """7, 6.5: a whole number without a decimal point, else up to two decimals."""
    return f"{points:.2f}".rstrip("0").rstrip(".")


def write_csv(report, path):
    """REPORT.csv: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), the answers'
    own delimiter, every cell quoted and safe to open (see the module docstring)."""
    write_records(csv_rows(report), path, report.delimiter)


def write_records(records, path, delimiter=","):
    """CSV `records` (cells already made safe with `spreadsheet_cell`) to `path`: UTF-8 with a
    byte-order mark, every cell quoted, CRLF line ends, written atomically."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(records)
    write_text(path, buffer.getvalue(), encoding="utf-8-sig", newline="")


def summary_lines(report):
    """Counts per verdict and per mistake, duplicated ids, how the file was read, the speed."""
    lines = [f"{report.question}: {len(report.rows)} answers in {report.seconds:.2f} s "
             f"({report.rate:.0f} answers/s)"]
    if report.encoding != "utf-8":
        lines.append(f"  read as {report.encoding}: the file is not valid UTF-8")
    if report.delimiter != ",":
        lines.append(f"  fields separated by {DELIMITER_NAMES[report.delimiter]}")
    for verdict in VERDICTS:
        lines.append(f"  {verdict:10s} {report.verdicts.get(verdict, 0)}")
    for mistake, count in report.mistakes.most_common():
        lines.append(f"    {mistake:32s} {count}")
    if report.rubric is not None:
        lines.append(f"  points: {points_text(report.total)} in all, mean {points_text(report.mean)} "
                     f"of {points_text(report.rubric.points)}")
    duplicates = report.duplicates
    if duplicates:
        # repr: an id is a student's text, and a terminal would act on its control characters.
        shown = "; ".join(f"{student!r} on lines {', '.join(map(str, found))}"
                          for student, found in list(duplicates.items())[:_LINES_LISTED])
        more = f"; and {len(duplicates) - _LINES_LISTED} more" if len(duplicates) > _LINES_LISTED else ""
        lines.append(f"  duplicated student ids: {len(duplicates)} ({shown}{more})")
    return lines
