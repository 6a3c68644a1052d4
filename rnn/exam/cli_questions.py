"""``gradbook questions``: the question ids, their statements and the symbols answers may use."""
from __future__ import annotations

import json
import sys

from .cli import add_question_arguments
from .questions import QuestionError, all_questions


def add_arguments(parser):
    add_question_arguments(parser, positional=False)
    parser.add_argument("--json", action="store_true", help="print the list as JSON")


def run(args):
    try:
        questions = all_questions(args.questions)
    except QuestionError as exc:
        print(f"gradbook questions: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps([{"id": q.id, "title": q.title, "equation": q.equation, "model": q.model,
                           "asked": q.asked_text, "statement": q.statement, "symbols": list(q.symbols),
                           "given": q.given} for q in questions.values()], indent=1))
        return 0
    for q in questions.values():
        print(f"{q.id}  --  {q.title}" + (f" (eq. {q.equation})" if q.equation else ""))
        for line in q.statement.splitlines():
            print(f"    {line}")
        print(f"    symbols: {', '.join(q.symbols)}")
        print()
    return 0
