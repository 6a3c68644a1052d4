"""The `gradbook` command: every subcommand listed, and only the chosen one imported (issue 8:
a student's `gradbook check` must start in well under half a second)."""
import subprocess
import sys

import pytest

from autodiff.cli import COMMANDS, main

HEAVY = ("sympy", "networkx", "matplotlib", "tqdm", "graphviz", "pygraphviz")


def test_top_level_help_lists_every_command_with_its_help_line(capsys):
    """`gradbook --help` names each command of the table with the start of its help line."""
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name, (_, summary) in COMMANDS.items():
        assert name in text
        assert " ".join(summary.split()[:3]) in text


def test_command_help_shows_its_own_options(capsys):
    """`gradbook check --help` shows the options that `rnn.exam.cli_check` adds."""
    with pytest.raises(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "--answer" in out and "--syntax" in out


def test_check_imports_neither_other_commands_nor_heavy_libraries():
    """Checking one answer loads `rnn.exam` only: no other command's module, no SymPy,
    networkx, Matplotlib, tqdm or Graphviz."""
    others = [module for name, (module, _) in COMMANDS.items() if name != "check"]
    probe = ("import sys\n"
             "from autodiff.cli import main\n"
             "main(['check', 'rnn/grad_W', '--answer', 'sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T'])\n"
             f"print(sorted(m for m in {[*HEAVY, *others]!r} if m in sys.modules))\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1] == "[]"
