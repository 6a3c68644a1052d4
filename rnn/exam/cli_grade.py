"""``gradbook grade QUESTION ANSWERS.csv -o REPORT``: mark a class and write what a lecturer hands back.

REPORT.csv and REPORT.html (the marks), REPORT-moodle.csv and REPORT-canvas.csv (gradebook
imports, `rnn.exam.exports`) and REPORT-feedback/ (one text per student), all replaced together.

An answers file whose name starts with '-' is named after ``--`` (``-o marks -- -late.csv``)
or as ``./-late.csv``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from autodiff.files import atomic_paths
from autodiff.outputs import output_files, output_folder, replacing_note

from .cli import BAD_QUESTION, add_question_arguments, resolve_question
from .exports import feedback_names, write_canvas, write_feedback, write_moodle
from .grade import grade, read_text, summary_lines, write_csv, write_html
from .questions import QuestionError, all_questions
from .rubric import load_rubrics


def add_arguments(parser):
    add_question_arguments(parser)
    parser.add_argument("answers", metavar="ANSWERS.csv", help="CSV with columns student, answer[, syntax]")
    parser.add_argument("-o", "--output", required=True, metavar="REPORT",
                        help="report path; REPORT.csv, REPORT.html, REPORT-moodle.csv, REPORT-canvas.csv "
                             "and REPORT-feedback/ are written")
    parser.add_argument("--rubric", metavar="R.toml", default=None,
                        help="partial credit per question (docs/exam.md); default: the built-in rubric")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random evaluation points")
    parser.add_argument("--force", action="store_true", help="replace the report's files if they exist")


def run(args):
    question = resolve_question(args, "grade")
    if question is None:
        return BAD_QUESTION
    try:
        rubrics = (load_rubrics(args.rubric, set(all_questions(args.questions)))
                   if args.rubric else None)
    except QuestionError as exc:
        print(f"gradbook grade: {exc}", file=sys.stderr)
        return BAD_QUESTION
    try:
        text, encoding = read_text(args.answers)
    except OSError as exc:
        print(f"gradbook grade: cannot read {args.answers}: {exc.strerror}", file=sys.stderr)
        return BAD_QUESTION
    out = Path(args.output)
    stem = out.with_suffix("") if out.suffix.lower() in (".csv", ".html") else out
    csv_path, html_path = Path(f"{stem}.csv"), Path(f"{stem}.html")
    lms = Path(f"{stem}-moodle.csv"), Path(f"{stem}-canvas.csv")
    folder = Path(f"{stem}-feedback")
    if Path(args.answers).resolve() in {p.resolve() for p in (csv_path, *lms)}:
        print(f"gradbook grade: the report {csv_path} would overwrite the answers; choose another -o",
              file=sys.stderr)
        return BAD_QUESTION
    replaced = output_files((csv_path, html_path, *lms), force=args.force)
    replaced += output_folder(folder, produces=("*.txt",), force=args.force)
    if replaced:
        print(replacing_note("grade", replaced), file=sys.stderr)
    try:
        report = grade(question, text, seed=args.seed, encoding=encoding, rubrics=rubrics)
    except QuestionError as exc:
        print(f"gradbook grade: {exc}", file=sys.stderr)
        return BAD_QUESTION
    feedback = {line: folder / name for line, name in feedback_names(report).items()}
    # all written to temp files first: an interrupt never leaves a new CSV beside an old HTML
    with atomic_paths(csv_path, html_path, *lms, *feedback.values()) as (csv_tmp, html_tmp, moodle, canvas, *texts):
        write_csv(report, csv_tmp)
        write_html(report, html_tmp, question)
        write_moodle(report, question, moodle)
        write_canvas(report, question, canvas)
        write_feedback(report, question, dict(zip(feedback, texts)))
    kept = set(feedback.values())
    for old in replaced:   # feedback of an earlier run (--force) for students not in this one
        if old.parent == folder and old not in kept:
            old.unlink(missing_ok=True)
    print("\n".join(summary_lines(report)))
    print(f"wrote {csv_path}, {html_path}, {lms[0]}, {lms[1]} and {len(feedback)} feedback "
          f"file{'s' if len(feedback) != 1 else ''} in {folder}")
    return 0
