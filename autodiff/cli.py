"""The `gradbook` command (also `python -m autodiff`).

Each subcommand lives in the module that does the work and exposes two functions,
``add_arguments(parser)`` and ``run(args) -> int``; this file only lists them, so adding a
command never touches another command's code. Only the chosen command's module is imported
(the others are listed from the table), so ``gradbook check ...`` starts without SymPy,
networkx or Graphviz, and ``gradbook --help`` imports none of them.

`main` is also the guard every command runs under: a mistake the user can make (a bad
option, a GradbookError, an OSError such as a full disk) ends in one line on stderr and exit
status 2, Ctrl-C in ``gradbook: interrupted`` and status 130, never a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .errors import GradbookError

INTERRUPTED = 130
"""Exit status after Ctrl-C: 128 + SIGINT, what shells report for an interrupted program."""

# name -> (module, one-line help); in the order `gradbook --help` lists them.
COMMANDS = {
    "gradcheck": ("autodiff.cli_gradcheck", "check an expression's gradients against finite differences"),
    "derive": ("rnn.derive.cli", "derive closed-form gradients (BPTT) in book notation"),
    "graph": ("autodiff.cli_draw", "draw or list (--listing) the graph of an example expression or a small RNN"),
    "vanishing": ("rnn.vanishing.cli", "vanishing and exploding gradients lab (book 8.2.5, 10.7)"),
    "train": ("rnn.train", "train an RNN, LSTM or GRU on a built-in task"),
    "draw": ("rnn.draw_cli", "draw one lecture figure (book or d2l style)"),
    "lecture": ("rnn.lecture", "render every lecture figure and derivation into a folder (the main job)"),
    "questions": ("rnn.exam.cli_questions", "list the exam questions, their statements and allowed symbols"),
    "check": ("rnn.exam.cli_check", "check one hand-derived exam answer: correct, incorrect (which mistake) or unreadable"),
    "grade": ("rnn.exam.cli_grade", "mark a CSV of students' answers to one question (CSV and HTML report)"),
    "practice": ("rnn.exam.cli_practice", "a page where a student types an answer and sees the verdict (local checker)"),
    "solve": ("rnn.exam.cli_solve", "a worked solution with numbers: forward values, BPTT step by step, the answer"),
    "variant": ("rnn.exam.variant_cli", "an exam variant per seed: cell, question file, statement, derived key, worked solution"),
}


class UsageError(GradbookError):
    """A command line argparse cannot read: an unknown option, a value of the wrong kind."""


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error: the usage block it normally prints first would bury
    the line that says what is wrong (``--help`` still shows the usage)."""

    def error(self, message):
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser(command=None):
    """The `gradbook` parser: every command listed with its help line, and the options of
    `command` alone (its module imported to add them)."""
    parser = Parser(
        prog="gradbook",
        description="Explicit computational graphs, BPTT derivations, lecture figures and exam checking.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        p = sub.add_parser(name, help=summary, description=summary)
        p.set_defaults(_module=module)
        if name == command:
            importlib.import_module(module).add_arguments(p)
    return parser


def chosen_command(argv):
    """The command named in `argv`, or None: the top-level parser has no options of its own
    but --help, so the command is the first argument when it is one."""
    return argv[0] if argv and argv[0] in COMMANDS else None


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        return _run(argv)
    except KeyboardInterrupt:
        # Writes go through autodiff.files, so what is on disk is whole: no traceback needed.
        from .workers import stop_workers
        stop_workers()
        print("gradbook: interrupted", file=sys.stderr)
        return INTERRUPTED


def _run(argv):
    parser = build_parser(chosen_command(argv))
    try:
        args, unknown = parser.parse_known_args(argv)
        if unknown:
            prog = f"gradbook {args.command}" if getattr(args, "command", None) else "gradbook"
            raise UsageError(f"{prog}: unrecognized arguments: {' '.join(unknown)} (see {prog} --help)")
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 2
    if not getattr(args, "_module", None):
        parser.print_help()
        return 0
    try:
        return importlib.import_module(args._module).run(args) or 0
    except GradbookError as exc:
        print(f"gradbook {args.command}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `gradbook derive ... | head`: the reader left; not an error worth a traceback.
        sys.stderr.close()
        return 0
    except OSError as exc:
        # a path the user gave: a folder under a file, /dev/full, a read-only place
        from .outputs import os_error_message
        print(f"gradbook {args.command}: {os_error_message(exc)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
