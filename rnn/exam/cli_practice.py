"""``gradbook practice QUESTION``: a page where a student types an answer and sees the verdict.

``--serve`` runs the checker on 127.0.0.1 and serves the page (`rnn.exam.practice`); ``-o
page.html`` writes the same page to open from the disk, checking through that server.
"""
from __future__ import annotations

import sys
from pathlib import Path

from autodiff.arguments import count
from autodiff.files import write_text
from autodiff.outputs import output_files, replacing_note

from .cli import BAD_QUESTION, add_question_arguments, resolve_question
from .practice import DEFAULT_PORT, HOST, make_server, practice_page


def add_arguments(parser):
    add_question_arguments(parser)
    parser.add_argument("-o", "--output", metavar="PAGE.html", default=None,
                        help="write the practice page; it checks through `--serve` on the same --port")
    parser.add_argument("--serve", action="store_true",
                        help=f"run the checker on {HOST} (loopback only) and serve the page; Ctrl-C stops")
    parser.add_argument("--port", type=count(0, 65535, "a TCP port"), default=DEFAULT_PORT,
                        help=f"port on {HOST} (default {DEFAULT_PORT}; 0: any free port)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random evaluation points")
    parser.add_argument("--force", action="store_true", help="replace PAGE.html if it exists")


def run(args):
    if not args.output and not args.serve:
        print("gradbook practice: give -o PAGE.html to write the page, --serve to run the checker, or both",
              file=sys.stderr)
        return BAD_QUESTION
    if args.output and args.port == 0:
        print("gradbook practice: the page needs a fixed port to reach the checker; give --port 1024-65535",
              file=sys.stderr)
        return BAD_QUESTION
    question = resolve_question(args, "practice")
    if question is None:
        return BAD_QUESTION
    if args.output:
        replaced = output_files((args.output,), force=args.force)
        if replaced:
            print(replacing_note("practice", replaced), file=sys.stderr)
        write_text(Path(args.output), practice_page(question, f"http://{HOST}:{args.port}/check"))
        print(f"wrote {args.output}; it checks answers through `gradbook practice {question.id} --serve"
              f"{'' if args.port == DEFAULT_PORT else f' --port {args.port}'}`")
    if args.serve:
        server = make_server(question, args.port, seed=args.seed)
        print(f"practising {question.id} at http://{HOST}:{server.server_port}/ (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print("stopped")
        finally:
            server.server_close()
    return 0
