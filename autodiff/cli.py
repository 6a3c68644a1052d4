"""The `gradbook` command (also `python -m autodiff`).

Each subcommand lives in the module that does the work and exposes two functions,
``add_arguments(parser)`` and ``run(args) -> int``; this file only lists them, so adding a
command never touches another command's code. Only the chosen command's module is imported
(the others are listed from the table), so ``gradbook check ...`` starts without SymPy,
networkx or Graphviz, and ``gradbook --help`` imports none of them.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from .errors import GradbookError

# name -> (module, one-line help); in the order `gradbook --help` lists them.
COMMANDS = {
    "gradcheck": ("autodiff.cli_gradcheck", "check an expression's gradients against finite differences"),
    "derive": ("rnn.derive.cli", "derive closed-form gradients (BPTT) in book notation"),
    "graph": ("autodiff.cli_draw", "draw the graph of a small example expression with values and gradients"),
    "vanishing": ("rnn.vanishing.cli", "vanishing and exploding gradients lab (book 8.2.5, 10.7)"),
    "train": ("rnn.train", "train an RNN, LSTM or GRU on a built-in task"),
    "draw": ("rnn.draw_cli", "draw one lecture figure (book or d2l style)"),
    "lecture": ("rnn.lecture", "render every lecture figure and derivation into a folder (the main job)"),
    "questions": ("rnn.exam.cli_questions", "list the exam questions, their statements and allowed symbols"),
    "check": ("rnn.exam.cli_check", "check one hand-derived exam answer: correct, incorrect (which mistake) or unreadable"),
    "grade": ("rnn.exam.cli_grade", "mark a CSV of students' answers to one question (CSV and HTML report)"),
    "solve": ("rnn.exam.cli_solve", "a worked solution with numbers: forward values, BPTT step by step, the answer"),
}


def build_parser(command=None):
    """The `gradbook` parser: every command listed with its help line, and the options of
    `command` alone (its module imported to add them)."""
    parser = argparse.ArgumentParser(
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
    parser = build_parser(chosen_command(argv))
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
