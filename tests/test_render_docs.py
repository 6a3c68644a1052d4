"""docs/rendering.md cannot rot: each shell command and Python block in it runs as written,
and `gradbook graph` behaves as documented.

Commands run through the `graph` subcommand's own parser and `run`, exactly what
`autodiff.cli.main` dispatches to, so a half-finished sibling command elsewhere in the CLI
cannot break these tests.
"""
import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autodiff import cli_draw
from autodiff.cli import COMMANDS
from autodiff.errors import RendererMissing

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "rendering.md"


def gradbook(argv):
    """Run ``gradbook graph ...`` (argv without the program name)."""
    assert argv[0] == "graph"
    parser = argparse.ArgumentParser(prog="gradbook graph")
    cli_draw.add_arguments(parser)
    return cli_draw.run(parser.parse_args(argv[1:]))


def blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def shell_commands():
    return [line for block in blocks("sh") for line in block.splitlines() if line.strip()]


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("command", shell_commands())
def test_documented_command_writes_its_file(command, tmp_path, monkeypatch, capsys):
    argv = command.split()
    assert argv[0] == "gradbook"
    monkeypatch.chdir(tmp_path)
    assert gradbook(argv[1:]) == 0
    written = Path(capsys.readouterr().out.strip())
    out = argv[argv.index("-o") + 1]
    assert written.exists() and (written.name == out or written.parent.name == out)


@pytest.mark.needs_graphviz
@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_documented_python_block_runs(index, tmp_path):
    script = tmp_path / "block.py"
    script.write_text(blocks("python")[index], encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


def test_documented_label_output_is_what_the_converter_prints():
    from autodiff.render import html_label
    for source, shown in re.findall(r'print\(html_label\((r"[^"]+")\)\)\s+# (\S+)', DOC.read_text(encoding="utf-8")):
        assert html_label(source[2:-1]) == shown


def test_graph_command_writes_only_dot_for_a_dot_path(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert gradbook(["graph", "--example", "square", "-o", "square.dot"]) == 0
    assert (tmp_path / "square.dot").read_text(encoding="utf-8").startswith("digraph gradbook {")


def test_graph_command_is_registered_with_the_cli():
    assert COMMANDS["graph"][0] == "autodiff.cli_draw"


def test_graph_command_without_renderer_gives_the_hint_and_the_dot(tmp_path, monkeypatch):
    from autodiff import renderers
    monkeypatch.setattr(renderers, "find_renderer", lambda: None)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(RendererMissing, match="pip install pygraphviz"):
        gradbook(["graph", "--example", "square", "-o", "square.svg"])
    assert (tmp_path / "square.dot").exists()


@pytest.mark.parametrize("example", ["tanh-neuron", "square", "mlp", "softmax-ce"])
def test_every_example_has_gradients_on_its_parameters(example):
    from autodiff.cli_draw import build_example
    from autodiff.graph import Graph
    graph = Graph(build_example(example))
    params = [n for n in graph.nodes if n.requires_grad and n.prim is None]
    assert params and all(n.grad is not None for n in params)


def test_square_example_gradient_is_two_x():
    """y = x * x: the two edges from x each contribute x, so dy/dx = 2x = 6."""
    from autodiff.cli_draw import build_example
    y = build_example("square")
    assert y.inputs[0] is y.inputs[1] and float(y.inputs[0].grad) == 6.0
