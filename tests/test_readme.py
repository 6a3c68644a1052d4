"""The README's examples work as written (so the first thing a lecturer tries cannot rot)."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _renderer_available():
    from autodiff.renderers import find_renderer
    return find_renderer() is not None


@pytest.mark.needs_graphviz
def test_readme_python_example_runs_and_renders_svg(tmp_path):
    if not _renderer_available():
        pytest.skip("no Graphviz renderer: pip install pygraphviz (or apt-get install graphviz)")
    block = re.findall(r"```python\n(.*?)```", README, re.S)[0]
    run = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "neuron.svg").read_text().lstrip().startswith("<?xml")
    assert "tanh" in run.stdout and "[[" in run.stdout


def test_readme_quick_start_is_exactly_two_commands():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    (block,) = re.findall(r"```bash\n(.*?)```", quick, re.S)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make lecture", "make test"]


def test_every_gradbook_command_in_the_readme_is_a_real_subcommand():
    from autodiff.cli import COMMANDS
    used = set(re.findall(r"`gradbook ([a-z]+)", README))
    assert used <= set(COMMANDS), used - set(COMMANDS)


def test_readme_rnn_example_unrolls_trains_and_samples(tmp_path):
    block = re.findall(r"```python\n(.*?)```", README, re.S)[1]
    run = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("\\boldsymbol{h}^{(3)}")
    initial, final = map(float, next(l for l in lines if l.startswith("loss per character")).split()[3::2])
    assert final < initial
