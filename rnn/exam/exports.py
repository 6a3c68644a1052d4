"""What a lecturer hands back: gradebook CSVs for Moodle and Canvas, and one feedback text per student.

Moodle's CSV grade import (docs.moodle.org, "Grade import") maps columns at upload: an
identifier column to a user field ("Email address" to the user's email, "ID number" to the
user's ID number), a column of grades to a grade item and a column of feedback to that
item's feedback; Moodle asks for grades and feedback together. The identifier column is
named "Email address" when every student id is an e-mail address, "ID number" otherwise.

Canvas's gradebook import (Instructure's "How do I import grades in the Gradebook?", as
summarised in Ohio State's guide "Import a CSV File to Carmen Grades") reads the columns of
its own export: Student, ID, SIS User ID, SIS Login ID, Section, then one column per
assignment named by its title; a student is matched by ID, SIS User ID or SIS Login ID.
The student id of the answers file goes in Student and SIS Login ID, the points under the
question's title (a title Canvas does not have yet makes a new assignment).

Every cell goes through `rnn.exam.grade.spreadsheet_cell` (formula injection) and every file
through `autodiff.files`, like the report itself.
"""
from __future__ import annotations

import re

from .grade import points_text, spreadsheet_cell, write_records

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
_UNSAFE_NAME = re.compile(r"[^\w.@+-]+")
_NAME_LIMIT = 80


def _safe(cells):
    return [spreadsheet_cell(str(c))[0] for c in cells]


def _graded(report):
    """The rows an LMS can take: those naming a student."""
    return [r for r in report.rows if r.student.strip()]


def moodle_records(report, question):
    """Header and rows for Moodle's CSV grade import: identifier, grade, feedback."""
    rows = _graded(report)
    ident = "Email address" if rows and all("@" in r.student for r in rows) else "ID number"
    yield _safe((ident, question.title, f"{question.title} (feedback)"))
    for r in rows:
        yield _safe((r.student.strip(), points_text(r.points), feedback_line(r)))


def canvas_records(report, question):
    """Header and rows for Canvas's gradebook import: its student columns, then the assignment."""
    yield _safe((*CANVAS_COLUMNS, question.title))
    for r in _graded(report):
        student = r.student.strip()
        yield _safe((student, "", "", student, "", points_text(r.points)))


def feedback_line(row):
    """The verdict, the named mistake and the checker's message in one line."""
    mistake = f" ({row.mistake})" if row.mistake else ""
    return f"{row.verdict}{mistake}: {row.message}" if row.message else f"{row.verdict}{mistake}"


def feedback_text(row, question, rubric):
    """The plain-text feedback handed to one student."""
    lines = [f"{question.title} ({question.id})", "", question.statement, "",
             f"Your answer (line {row.line} of the answers file):", f"    {row.answer}" if row.answer else "    (none)"]
    if row.parsed and row.parsed != row.answer.strip():
        lines += ["Read as:", f"    {row.parsed}"]
    lines += ["", f"Verdict: {row.verdict}"]
    if row.mistakes:
        lines.append(f"Mistake{'s' if len(row.mistakes) > 1 else ''}: {', '.join(row.mistakes)}")
    if row.message:
        lines += ["", row.message]
    if rubric is not None:
        lines += ["", f"Points: {points_text(row.points)} of {points_text(rubric.points)}"]
    return "\n".join(lines) + "\n"


def feedback_names(report):
    """{row line: file name} of each student's feedback: the id made safe for a file name,
    with the line added when two rows would share a name (a duplicated or unnamed id)."""
    stems = {r.line: (_UNSAFE_NAME.sub("_", r.student.strip()).strip("._")[:_NAME_LIMIT] or "no-id")
             for r in report.rows}
    taken = {}
    for stem in stems.values():
        taken[stem.casefold()] = taken.get(stem.casefold(), 0) + 1
    return {line: f"{stem}-line{line}.txt" if taken[stem.casefold()] > 1 else f"{stem}.txt"
            for line, stem in stems.items()}


def write_moodle(report, question, path):
    write_records(moodle_records(report, question), path)


def write_canvas(report, question, path):
    write_records(canvas_records(report, question), path)


def write_feedback(report, question, paths):
    """Each row's feedback text to `paths[row.line]` (UTF-8).

    The paths are the temp files of `autodiff.files.atomic_paths`, which renames them all into
    place together, so each is written plainly here: a second atomic write per file would add
    a rename and an fsync per student (4 s for 500 students on the development machine).
    """
    for r in report.rows:
        with open(paths[r.line], "w", encoding="utf-8") as handle:
            handle.write(feedback_text(r, question, report.rubric))
