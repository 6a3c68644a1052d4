"""Marking a class: one CSV of answers in, one row out per row in, a CSV and an HTML report.

Input columns (by header name, case-insensitive): ``student``, ``answer`` and optionally
``syntax`` (text, latex or auto). Without a recognisable header the columns are taken in that
order. A row that cannot be used (no answer column, too many fields, an unreadable line) is
kept and reported with the verdict ``malformed``: no row is ever lost. Each answer is one
line (a quoted field may not span lines), so one broken line cannot swallow the next ones.
"""
from __future__ import annotations

import csv
import html
import io
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .check import Checker

COLUMNS = ("row", "student", "syntax", "answer", "verdict", "mistake", "message", "seconds")
SYNTAXES = ("auto", "text", "latex")
_MAX_FIELD = 1_000_000


@dataclass
class Row:
    """One input row and its mark (verdict correct | incorrect | invalid | malformed)."""

    row: int
    student: str
    syntax: str
    answer: str
    verdict: str = "malformed"
    mistake: str = ""
    message: str = ""
    seconds: float = 0.0


@dataclass
class Report:
    question: str
    rows: list
    seconds: float

    @property
    def verdicts(self):
        return Counter(r.verdict for r in self.rows)

    @property
    def mistakes(self):
        return Counter(r.mistake for r in self.rows if r.mistake)

    @property
    def rate(self):
        """Answers marked per second (the whole run, reading and checking)."""
        return len(self.rows) / self.seconds if self.seconds > 0 else float("inf")


def read_rows(text):
    """Rows of a CSV text as Row objects (verdict 'malformed' where a row is unusable)."""
    csv.field_size_limit(_MAX_FIELD)
    lines = text.replace("\x00", "\ufffd").splitlines(keepends=True)
    records = _records(lines)
    header, start = _header(records)
    rows = []
    for number, fields, problem, raw in records[start:]:
        rows.append(_row(number, fields, problem, header, raw))
    return rows


def _records(lines):
    """(line number, fields, problem, raw line) per line: one answer per line, so a stray quote can
    never swallow the rows after it; a line that is not valid CSV is kept with its problem."""
    records = []
    for number, line in enumerate(lines, start=1):
        try:
            fields = next(csv.reader([line.rstrip("\r\n")], strict=True), [])
        except csv.Error as exc:
            records.append((number, [], f"unreadable CSV line ({exc}); quote an answer with \"...\" on one line",
                            line.rstrip("\r\n")))
            continue
        records.append((number, fields, None, line))
    return records


def _header(records):
    """{'student': i, 'answer': j, 'syntax': k} from the first record, and where data starts."""
    if records:
        first = [f.strip().lower() for f in records[0][1]]
        if "answer" in first:
            return {name: first.index(name) for name in ("student", "answer", "syntax") if name in first}, 1
    return {"student": 0, "answer": 1, "syntax": 2}, 0


def _row(number, fields, problem, header, raw):
    def field(name):
        i = header.get(name)
        return fields[i].strip() if i is not None and i < len(fields) else ""

    student = field("student") if fields else ""
    row = Row(number, student, field("syntax").lower() or "auto", field("answer") if fields else "")
    if problem:
        row.answer, row.message = raw, problem
    elif not fields or not any(f.strip() for f in fields):
        row.message = "empty row"
    elif header.get("answer", 1) >= len(fields):
        row.message = "no answer column in this row"
    elif len(fields) > max(header.values()) + 1 + (0 if "syntax" in header else 1):
        row.message = f"{len(fields)} fields; expected student, answer[, syntax] (quote answers that contain commas)"
    elif row.syntax not in SYNTAXES:
        row.message = f"syntax {row.syntax!r} is not one of {', '.join(SYNTAXES)}"
    else:
        row.verdict = ""
    return row


def grade(question, text, seed=0):
    """Mark every row of the CSV `text` for `question`; a Report keeping every row in order."""
    start = time.perf_counter()
    checker = Checker(question, seed=seed)
    rows = read_rows(text)
    for row in rows:
        if row.verdict == "malformed":
            continue
        result = checker.check(row.answer, row.syntax)
        row.verdict, row.mistake, row.message, row.seconds = (
            result.verdict, result.mistake or "", result.message, result.seconds)
    return Report(question.id, rows, time.perf_counter() - start)


def read_text(path):
    """The file's text as UTF-8 (BOM dropped, undecodable bytes replaced, never an error)."""
    return Path(path).read_bytes().decode("utf-8-sig", errors="replace")


def write_csv(report, path):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for r in report.rows:
        writer.writerow([r.row, r.student, r.syntax, r.answer, r.verdict, r.mistake, r.message, f"{r.seconds:.4f}"])
    Path(path).write_text(buffer.getvalue(), encoding="utf-8")


def summary_lines(report):
    """Counts per verdict and per mistake, and the marking speed."""
    lines = [f"{report.question}: {len(report.rows)} answers in {report.seconds:.2f} s "
             f"({report.rate:.0f} answers/s)"]
    for verdict in ("correct", "incorrect", "invalid", "malformed"):
        lines.append(f"  {verdict:10s} {report.verdicts.get(verdict, 0)}")
    for mistake, count in report.mistakes.most_common():
        lines.append(f"    {mistake:32s} {count}")
    return lines


def write_html(report, path, question):
    """A self-contained HTML page: the question, counts per verdict and mistake, every row."""
    e = html.escape
    counts = "".join(f"<tr><td>{e(v)}</td><td>{report.verdicts.get(v, 0)}</td></tr>"
                     for v in ("correct", "incorrect", "invalid", "malformed"))
    mistakes = "".join(f"<tr><td>{e(m)}</td><td>{n}</td></tr>" for m, n in report.mistakes.most_common())
    rows = "".join(
        f"<tr class='{e(r.verdict)}'><td>{r.row}</td><td>{e(r.student)}</td><td><code>{e(r.answer)}</code></td>"
        f"<td>{e(r.verdict)}</td><td>{e(r.mistake)}</td><td>{e(r.message)}</td></tr>" for r in report.rows)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(report.question)}: marks</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;margin-bottom:1.5em}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}}
tr.correct td{{background:#eef8ee}} tr.incorrect td{{background:#fdf3e7}}
tr.invalid td,tr.malformed td{{background:#f8eaea}} code{{white-space:pre-wrap;word-break:break-all}}</style>
</head><body>
<h1>{e(question.title)} <small>({e(report.question)})</small></h1>
<p>{e(question.statement)}</p>
<p>{len(report.rows)} answers marked in {report.seconds:.2f} s ({report.rate:.0f} answers/s).</p>
<h2>Summary</h2><table><tr><th>verdict</th><th>answers</th></tr>{counts}</table>
<table><tr><th>mistake</th><th>answers</th></tr>{mistakes}</table>
<h2>Answers</h2><table><tr><th>row</th><th>student</th><th>answer</th><th>verdict</th><th>mistake</th><th>feedback</th></tr>
{rows}</table></body></html>
"""
    Path(path).write_text(page, encoding="utf-8")
