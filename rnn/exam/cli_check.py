"""``gradbook check QUESTION --answer TEXT``: is one hand-derived answer correct?

Exit code 0 correct, 1 incorrect, 2 unreadable answer or bad question; ``--json`` prints
verdict, mistake, message and the evidence (docs/exam.md). An answer may start with a minus
sign: ``--answer "-V.T @ grad_o[tau]"`` and ``--answer=-V.T@grad_o[tau]`` both read it.
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
    _read_values_verbatim(parser, ("--answer",))


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


def _read_values_verbatim(parser, options):
    """Let `parser` take ``--answer -h[t] @ ...`` as the answer ``-h[t] @ ...``.

    argparse reads an argument starting with '-' as an option, so a negated answer would stop
    the command with "expected one argument" and no JSON. The value after one of `options` is
    glued to it (``--answer=-h[t]``), which argparse always reads as the value, unless it is one
    of the parser's own options or an abbreviation of one (``--answer --json``, a forgotten
    answer, still gets argparse's error) or ``--``.
    """
    parse = parser.parse_known_args

    def own_option(arg):
        return arg == "--" or arg in parser._option_string_actions or (
            arg.startswith("--") and any(o.startswith(arg) for o in parser._option_string_actions))

    def parse_known_args(args=None, namespace=None):
        if args is not None:
            args, glued = list(args), []
            while args:
                arg = args.pop(0)
                if arg == "--":
                    glued += [arg, *args]
                    break
                if arg in options and args and args[0].startswith("-") and not own_option(args[0]):
                    arg = f"{arg}={args.pop(0)}"
                glued.append(arg)
            args = glued
        return parse(args, namespace)

    parser.parse_known_args = parse_known_args


def _bad_question(args, message):
    if args.json:
        print(json.dumps({"verdict": "invalid", "mistake": None, "message": message,
                          "question": args.question, "answer": args.answer}))
    return BAD_QUESTION
