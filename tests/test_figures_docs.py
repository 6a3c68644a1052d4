"""Every `gradbook ...` command in docs/gallery.md runs, so the gallery cannot rot
(docs/user-guide.md's commands run in tests/test_lecture.py, which reuses its lecture folder).

Commands run in-process through the console script's entry point (`autodiff.cli.main`, what
the venv's `gradbook` calls) in a scratch folder. `gradbook draw` hands its figure to the
renderer chain; here those figures are collected and rendered in one `render_many` batch
(one renderer process instead of one per command), then checked on disk.
"""
import contextlib
import io
import shlex
from pathlib import Path

import pytest

import doccommands
from autodiff.cli import main
import rnn.draw_cli
from autodiff.render import render_many

DOCS = Path(__file__).resolve().parent.parent / "docs"


def commands(name):
    return [c.text for c in doccommands.commands(DOCS / name, programs=[("gradbook",)], languages=("bash",))]


def test_the_docs_show_commands():
    assert len(commands("gallery.md")) >= 14 and len(commands("user-guide.md")) >= 5


def test_the_gallery_shows_every_figure_kind():
    from rnn.figures import KINDS
    drawn = {shlex.split(c)[2] for c in commands("gallery.md") if c.startswith("gradbook draw ")}
    assert drawn == set(KINDS)


@pytest.mark.needs_graphviz
def test_every_gallery_command_runs(tmp_path, monkeypatch):
    doc = "gallery.md"
    monkeypatch.chdir(tmp_path)
    jobs = []
    monkeypatch.setattr(rnn.draw_cli, "render_source", lambda source, path, **_: jobs.append((source, path)) or Path(path))
    for command in commands(doc):
        argv = shlex.split(command)[1:]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            try:
                code = main(argv)
            except SystemExit as exc:  # --help exits through argparse
                code = exc.code
        assert code == 0, command
    render_many(jobs)
    for command in commands(doc):
        argv = shlex.split(command)[1:]
        out = [a for k, a in enumerate(argv) if k and argv[k - 1] in ("-o", "--output")]
        assert all(Path(o).exists() and Path(o).stat().st_size for o in out), command


def test_gallery_pictures_are_what_the_engine_draws():
    """Every committed gallery picture's DOT is exactly the engine's, and the gallery and the
    README show them (the SVGs are Graphviz's drawings of those DOTs)."""
    import xml.etree.ElementTree as ET

    from rnn.figures.gallery import sources
    folder = Path(__file__).resolve().parents[1] / "docs" / "figures" / "gallery"
    gallery = (folder.parents[1] / "gallery.md").read_text(encoding="utf-8")
    for stem, source in sources().items():
        assert (folder / f"{stem}.dot").read_text(encoding="utf-8") == source, stem
        ET.parse(folder / f"{stem}.svg")
        assert f"(figures/gallery/{stem}.svg)" in gallery, stem
    readme = (folder.parents[2] / "README.md").read_text(encoding="utf-8")
    assert "](docs/figures/gallery/fig10_3_rnn.svg)" in readme


def test_graph_names_its_colours_theme_like_draw(capsys):
    """One flag name for the colours in `draw` and `graph` (--theme); --style is draw's book/d2l."""
    from autodiff.cli import main
    assert main(["graph", "--style", "print", "-o", "unused.svg"]) == 2
    assert "--theme" in capsys.readouterr().err
