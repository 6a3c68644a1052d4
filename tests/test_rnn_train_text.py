"""Training on a lecturer's own text (issue 17): ``gradbook train --text FILE``.

A held-out split at one character position, its loss drawn beside the training loss in a
slide-sized loss.png (opened, measured, and placed on a Beamer slide by pdflatex), both curves
in metrics.json, the sample taken from the best held-out checkpoint, and one-line errors for a
file that cannot be trained on.
"""
import json

import numpy as np
import pytest

import pixels
from autodiff.cli import main
from rnn import data
from rnn.sample import sample
from rnn.tasks import TextChars
from rnn.train import SLIDE_FONT, train
from tests import consumers

TINY = ["--steps", "6", "--hidden", "8", "--seq-len", "8", "--batch", "4", "--eval-every", "2"]


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text(data.load_corpus(), encoding="utf-8")
    return path


def test_the_split_is_at_one_character_position():
    assert data.split_text("abcdefghij", 0.1) == ("abcdefghi", "j")
    assert data.split_text("abcdefghij", 0.25) == ("abcdefgh", "ij")
    assert data.split_text("ab", 0.01) == ("a", "b")  # at least one character is held out
    with pytest.raises(data.DataError, match="between 0 and 1"):
        data.split_text("abc", 1.0)


def test_held_out_batches_are_consecutive_windows_with_next_characters():
    vocab = data.CharVocab.from_text("abcdefghij")
    batches = data.held_out_batches("abcdefghij", vocab, seq_len=3, batch=2)
    assert [x.shape for x, _ in batches] == [(3, 10, 2), (3, 10, 1)]
    (x, y), (x2, y2) = batches
    assert vocab.decode(np.argmax(x[:, :, 0], axis=1)) == "abc" and vocab.decode(y[:, 0]) == "bcd"
    assert vocab.decode(np.argmax(x2[:, :, 0], axis=1)) == "ghi" and vocab.decode(y2[:, 0]) == "hij"


def test_train_text_writes_both_curves_and_samples_the_best_checkpoint(tmp_path, notes, capsys):
    out = tmp_path / "run"
    assert main(["train", "--text", str(notes), *TINY, "--sample", "12", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "SimpleRNN on" in printed and "held-out loss" in printed
    metrics = json.loads((out / "metrics.json").read_text(),
                         parse_constant=lambda name: pytest.fail(f"metrics.json holds {name}"))
    assert len(metrics["losses"]) == 6 and metrics["eval_steps"] == [0, 2, 4, 6]
    assert len(metrics["eval_losses"]) == 4 and all(np.isfinite(metrics["eval_losses"]))
    assert metrics["best_eval_loss"] == min(metrics["eval_losses"])
    assert metrics["eval_losses"][metrics["eval_steps"].index(metrics["best_step"])] == metrics["best_eval_loss"]
    text = data.load_corpus()
    cut = len(text) - round(len(text) * 0.1)
    assert (metrics["train_chars"], metrics["eval_chars"], metrics["eval_fraction"]) == (cut, len(text) - cut, 0.1)
    assert (out / "sample.txt").read_text() == expected_sample(notes) + "\n"


def expected_sample(notes):
    """The sample of the CLI's run above, recomputed from the best parameters by hand."""
    task = TextChars(notes, seq_len=8, batch=4)
    result = train(cell="rnn", task=task, steps=6, hidden=8, eval_every=2, progress=False)
    for name, value in result.best_params.items():
        result.model.params[name].value = value
    return sample(result.model, task.vocab, length=12, prime=task.text[:4], seed=0)


def test_best_parameters_are_the_checkpoint_of_the_best_step(notes):
    """Training again for exactly best_step steps (same seed, same batches) ends at the kept
    parameters; inside `best_parameters` the model holds them, after it the last step's again."""
    task = TextChars(notes, seq_len=8, batch=4)
    result = train(cell="rnn", task=task, steps=30, hidden=8, lr=0.2, eval_every=3, progress=False)
    best = result.best_step
    assert result.eval_losses[result.eval_steps.index(best)] == min(result.eval_losses)
    assert 0 < best  # the untrained model is not the best one
    last = {name: p.value.copy() for name, p in result.model.params.items()}
    again = train(cell="rnn", task=task, steps=best, hidden=8, lr=0.2, eval_every=3, progress=False)
    with result.best_parameters() as model:
        for name, p in model.params.items():
            assert np.array_equal(p.value, again.model.params[name].value), name
    for name, p in result.model.params.items():
        assert np.array_equal(p.value, last[name]), name


def test_loss_png_is_slide_sized_and_drawn(tmp_path, notes):
    out = tmp_path / "run"
    assert main(["train", "--text", str(notes), *TINY, "-o", str(out)]) == 0
    png = out / "loss.png"
    assert pixels.image_size(png) == (1600, 900)  # 16:9, the shape of a slide
    assert 0.02 < pixels.ink_fraction(png) < 0.5
    left, top, right, bottom = pixels.ink_bounds(png)
    assert right - left > 1200 and bottom - top > 700  # the plot fills the picture


@pytest.mark.needs_tex
def test_loss_png_on_a_beamer_slide_is_readable(tmp_path, notes):
    """pdflatex places loss.png at 0.9 of a 16:9 frame's text width, under a frame title,
    without an overfull box; its smallest text (SLIDE_FONT - 2 at the figure's 10 inch width)
    then stands at least 7.5 pt high, beside Beamer's 11 pt body text."""
    out = tmp_path / "run"
    assert main(["train", "--text", str(notes), *TINY, "-o", str(out)]) == 0
    frame = ("\\frametitle{Training on my notes}\n\\centering\\includegraphics[width=0.9\\textwidth]{"
             + str(out / "loss.png") + "}")
    pdf, errors = consumers.compile_beamer([frame], tmp_path / "tex", options="aspectratio=169")
    assert pdf is not None, errors
    assert consumers.overfull_boxes(tmp_path / "tex") == []
    width_pt, _ = consumers.pdf_page_size(pdf)
    shown_in = 0.9 * (width_pt - 2 * 28.45) / 72.27  # Beamer's 1 cm side margins
    assert (SLIDE_FONT - 2) * shown_in / 10 >= 7.5
    if consumers.have_poppler():
        page = consumers.pdf_to_png(pdf, tmp_path / "slide.png", dpi=60)
        left, top, right, bottom = pixels.ink_bounds(page)
        assert right - left > 0.8 * pixels.image_size(page)[0] and pixels.ink_fraction(page) > 0.02


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"", "is empty"),
    (b"  \n\n", "is empty"),
    (b"short text", "too short"),
    (b"GIF89a\x00\x01\x02" * 50, "NUL byte"),
    ("caf\u00e9 ".encode("latin-1") * 50, "not UTF-8"),
])
def test_a_file_that_cannot_be_trained_on_is_one_line_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "mine.txt"
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "run"
    assert main(["train", "--text", str(path), "--steps", "2", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "mine.txt" in err
    assert not out.exists()  # the file is read before anything is written


def test_a_folder_and_a_task_beside_text_are_one_line_errors(tmp_path, notes, capsys):
    assert main(["train", "--text", str(tmp_path), "--steps", "2", "-o", str(tmp_path / "a")]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert main(["train", "--text", str(notes), "--task", "adding", "-o", str(tmp_path / "b")]) == 2
    assert "replaces --task" in capsys.readouterr().err
    assert main(["train", "--text", str(notes), "--eval-fraction", "1.5", "-o", str(tmp_path / "c")]) == 2
    assert "--eval-fraction" in capsys.readouterr().err
    assert main(["train", "--task", "chars", "--eval-every", "5", "-o", str(tmp_path / "d")]) == 2
    assert "give --text too" in capsys.readouterr().err
