"""What the exam commands share: the question argument and the lecturer's question file.

The commands themselves are `rnn.exam.cli_check`, `cli_grade`, `cli_solve`, `cli_practice`
and `cli_questions`, each with ``add_arguments(parser)`` and ``run(args) -> exit code``.
"""
from __future__ import annotations

import sys

from .questions import QuestionError, get_question

BAD_QUESTION = 2


def add_question_arguments(parser, positional=True):
    """QUESTION (a built-in id or one from --questions FILE) and --questions."""
    if positional:
        parser.add_argument("question", metavar="QUESTION",
                            help="question id, e.g. rnn/grad_W (`gradbook questions` lists them)")
    parser.add_argument("--questions", metavar="FILE", default=None,
                        help="a lecturer's TOML file of extra questions (docs/exam.md)")


def resolve_question(args, command):
    """The Question named on the command line, or None after printing why (exit code 2)."""
    try:
        return get_question(args.question, args.questions)
    except QuestionError as exc:
        print(f"gradbook {command}: {exc}", file=sys.stderr)
        return None
