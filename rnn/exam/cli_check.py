"""``gradbook check QUESTION --answer TEXT``: is one hand-derived answer correct?

Exit code 0 correct, 1 incorrect, 2 unreadable answer or bad question; ``--json`` prints
verdict, mistake, message and the evidence (docs/exam.md).
"""
from __future__ import annotations

import json
import sys

from .check import Checker
from .cli import BAD_QUESTION, add_question_arguments, resolve_question
from .questions import QuestionError


def add_arguments(parser):
    add_question_arguments(parser)
    parser.add_argument("--answer", required=True, metavar="TEXT", help="the answer as typed")
    parser.add_argument("--syntax", choices=("auto", "text", "latex"), default="auto",
                        help="plain text (NumPy style), LaTeX, or auto (LaTeX if it has \\ { })")
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random evaluation points")


def run(args):
    question = resolve_question(args, "check")
    if question is None:
        return _bad_question(args, "unknown question")
    try:
        result = Checker(question, seed=args.seed).check(args.answer, args.syntax)
    except QuestionError as exc:
        print(f"gradbook check: {exc}", file=sys.stderr)
        return _bad_question(args, str(exc))
    if args.json:
        print(json.dumps(result.to_dict(), ensure_ascii=False))
    else:
        label = {"correct": "CORRECT", "incorrect": "INCORRECT", "invalid": "CANNOT READ"}[result.verdict]
        mistake = f" [{result.mistake}]" if result.mistake else ""
        print(f"{label}{mistake}: {result.message}")
    return result.exit_code


def _bad_question(args, message):
    if args.json:
        print(json.dumps({"verdict": "invalid", "mistake": None, "message": message,
                          "question": args.question, "answer": args.answer}))
    return BAD_QUESTION
