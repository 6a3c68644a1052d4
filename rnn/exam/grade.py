"""Marking a class: one CSV of answers in, one row out per record in, a CSV and an HTML report.

The answers are read by `rnn.exam.answer_rows` (columns by header name, quoted answers over
several lines, a stray quote reported as ``malformed`` without swallowing the rows after it);
no row is ever lost.
"""
from __future__ import annotations

import csv
import html
import io
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from autodiff.files import write_text

from .answer_rows import read_rows
from .check import Checker

COLUMNS = ("row", "student", "syntax", "answer", "verdict", "mistake", "message", "seconds")


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
    write_text(path, buffer.getvalue())


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
    write_text(path, page)
