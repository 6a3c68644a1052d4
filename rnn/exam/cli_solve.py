"""``gradbook solve QUESTION [--seed N] [--format markdown|latex] [--latex-env document|beamer]``:
a worked solution with numbers (an answer key)."""
from __future__ import annotations

import sys

from autodiff.files import write_text

from .cli import BAD_QUESTION, add_question_arguments, resolve_question
from .questions import QuestionError
from .solve import LATEX_ENVS, solution


def add_arguments(parser):
    add_question_arguments(parser)
    parser.add_argument("--seed", type=int, default=0, help="exam variant: another seed, other numbers")
    parser.add_argument("--format", choices=("markdown", "latex"), default="markdown",
                        help="Markdown tables (default) or LaTeX tabulars")
    parser.add_argument("--latex-env", choices=LATEX_ENVS, default="document",
                        help="with --format latex: a document body (default) or Beamer frames, "
                             "tables shrunk to the frame and split over frames")
    parser.add_argument("-o", "--output", default=None, help="write to this file instead of printing")


def run(args):
    question = resolve_question(args, "solve")
    if question is None:
        return BAD_QUESTION
    try:
        text = solution(question, seed=args.seed, fmt=args.format, env=args.latex_env)
    except QuestionError as exc:
        print(f"gradbook solve: {exc}", file=sys.stderr)
        return BAD_QUESTION
    if args.output:
        print(write_text(args.output, text).resolve())
    else:
        print(text, end="")
    return 0
