"""The commands and code blocks the docs show, read the way a reader reads them.

One set of rules for every test that runs the docs (tests/test_docs_commands.py,
test_figures_docs.py, test_lecture.py ...):

* A fenced block's language is the first word of its info string.
* ```bash, ```sh and ```shell blocks hold one command per line; a trailing backslash
  continues a command on the next line.
* ```console blocks hold commands after a ``$ `` prompt, each followed by the output it
  prints; a line ``...`` stands for any number of lines left out.
* ``file=NAME`` after the language makes the block an example file that the page's
  commands read (```toml file=mine.toml).
* ``excerpt=PATH`` after ```python marks a quotation of the project's own source, which
  must appear in PATH verbatim, rather than a program to run; ``needs=graphviz`` marks a
  block that draws a figure.
* A command's trailing comment may state the exit status it documents: ``# ... exit 1``
  (otherwise 0).
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = ROOT / "README.md"
SHELLS = ("bash", "sh", "shell")
PROGRAMS = (("gradbook",), ("python", "-m", "autodiff"), ("python3", "-m", "autodiff"))

FENCE = re.compile(r"^```([\w-]*)[ \t]*([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
EXIT = re.compile(r"\bexit (\d+)\b")


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, its ``key=value`` options and its text."""
    page: Path
    language: str
    options: dict
    text: str


@dataclass(frozen=True)
class Command:
    """One documented command: what the reader types, split as the shell splits it."""
    page: Path
    text: str
    argv: tuple
    exit_code: int = 0
    output: tuple | None = None

    @property
    def program(self):
        """The program's own words (``('gradbook',)``), or None for another program."""
        return next((p for p in PROGRAMS if self.argv[:len(p)] == p), None)

    @property
    def args(self):
        """The arguments after the program: ``('draw', 'rnn', ...)`` for ``gradbook draw rnn ...``."""
        return self.argv[len(self.program or ()):]

    @property
    def where(self):
        return f"{self.page.relative_to(ROOT)}: {self.text}"


def pages():
    """README.md and every page of docs/."""
    return [README, *sorted(DOCS.glob("*.md"))]


def blocks(page, language=None):
    """The fenced blocks of `page` (of one `language`, or all), in order."""
    found = []
    for lang, info, body in FENCE.findall(Path(page).read_text(encoding="utf-8")):
        options = dict(word.split("=", 1) for word in info.split() if "=" in word)
        found.append(Block(Path(page), lang, options, body))
    return [b for b in found if language is None or b.language == language]


def example_files(page_list=None):
    """{name: text} of every ``file=NAME`` block of the pages."""
    files = {}
    for page in page_list or pages():
        for block in blocks(page):
            if "file" in block.options:
                files[block.options["file"]] = block.text
    return files


def split_comment(line):
    """(command, comment): the line cut at its first ``#`` outside quotes that starts a word."""
    quote, escaped = None, False
    for i, ch in enumerate(line):
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
            escaped = True
        elif quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip(), line[i + 1:].strip()
    return line.rstrip(), ""


def _command(page, line, output=None):
    text, comment = split_comment(line.strip())
    if not text:
        return None
    expected = EXIT.search(comment)
    return Command(page, text, tuple(shlex.split(text)), int(expected.group(1)) if expected else 0,
                   None if output is None else tuple(output))


def _joined(lines):
    """Lines with backslash continuations joined into one."""
    out, pending = [], ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1].rstrip() + " "
            continue
        out.append(pending + line.strip() if pending else line)
        pending = ""
    return out + ([pending.strip()] if pending else [])


def _console(page, text):
    commands, current, output, continued = [], None, [], False
    for line in text.splitlines():
        if continued:
            current += " " + line.strip()
        elif line.startswith("$ "):
            if current:
                commands.append(_command(page, current, output))
            current, output = line[2:], []
        elif current is not None:
            output.append(line.rstrip())
        continued = current is not None and not output and current.endswith("\\")
        if continued:
            current = current[:-1].rstrip()
    if current:
        commands.append(_command(page, current, output))
    return commands


def commands(page, programs=PROGRAMS, languages=SHELLS + ("console",)):
    """The commands of `page`'s blocks in `languages` that run one of `programs` (every
    program when `programs` is None), in page order."""
    found = []
    for block in blocks(page):
        if block.language not in languages:
            continue
        if block.language == "console":
            found += _console(page, block.text)
        else:
            found += [_command(page, line) for line in _joined(block.text.splitlines())]
    return [c for c in found if c and (programs is None or c.program in programs)]


def inline_commands(page, programs=PROGRAMS):
    """Commands written as inline code (`gradbook ...` in a table or a sentence), outside
    fenced blocks."""
    prose = FENCE.sub("", Path(page).read_text(encoding="utf-8"))
    found = [_command(page, span) for span in CODE_SPAN.findall(prose)]
    return [c for c in found if c and c.program in programs]


def output_matches(shown, printed):
    """Whether `printed` reads as the `shown` lines (``...`` for any lines left out)."""
    shown = list(shown)
    while shown and not shown[-1].strip():
        shown.pop()
    pattern = "".join("(?:.*\n)*?" if line.strip() == "..." else re.escape(line.rstrip()) + "\n"
                      for line in shown)
    text = "".join(line.rstrip() + "\n" for line in printed.rstrip("\n").splitlines())
    return re.fullmatch(pattern, text) is not None


def gradbook_executable():
    """The argv prefix of the installed `gradbook` beside this interpreter, or `python -m autodiff`."""
    exe = Path(sys.executable).parent / "gradbook"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "autodiff"]


def program_argv(command):
    """What to execute for a documented command: the installed `gradbook`, or this
    interpreter for ``python -m autodiff``."""
    if command.program[0] == "gradbook":
        return gradbook_executable() + list(command.args)
    return [sys.executable, "-m", "autodiff", *command.args]


def run(command, cwd, timeout=180):
    """Run a documented command as the reader would, in `cwd`; the CompletedProcess."""
    return subprocess.run(program_argv(command), cwd=cwd, capture_output=True, text=True, timeout=timeout)
