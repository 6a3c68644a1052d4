"""Specification of training: optimisers, clipping (book 10.11.1), tasks, sampling, the command."""
import json

import numpy as np
import pytest

import autodiff as ad
import rnn
from autodiff.cli import main
from rnn.optim import SGD, Adam, clip_grad_norm, global_norm
from rnn.sample import sample
from rnn.train import build_model, train
from rnn.tasks import make_task


def quadratic(values):
    """Parameters with gradients of L = 1/2 sum (p - 3)^2."""
    params = [ad.Tensor(np.array(v, dtype=float), name=f"p{k}", requires_grad=True) for k, v in enumerate(values)]
    for p in params:
        p.grad = p.value - 3.0
    return params


@pytest.mark.parametrize("optimizer, lr", [(SGD, 0.5), (Adam, 0.1)])
def test_optimiser_step_moves_parameters_downhill(optimizer, lr):
    """One step of SGD or Adam lowers a convex loss."""
    params = quadratic([[0.0, 1.0], [5.0]])
    before = sum(float(np.sum((p.value - 3.0) ** 2)) for p in params)
    optimizer(params, lr=lr).step()
    assert sum(float(np.sum((p.value - 3.0) ** 2)) for p in params) < before


def test_clipping_rescales_the_gradient_to_the_threshold_keeping_its_direction():
    """If ||g|| > v then g <- g v / ||g|| (section 10.11.1)."""
    params = quadratic([[0.0, 0.0], [0.0]])
    direction = np.concatenate([p.grad.ravel() for p in params])
    norm = clip_grad_norm(params, 1.0)
    clipped = np.concatenate([p.grad.ravel() for p in params])
    assert norm == pytest.approx(np.linalg.norm(direction))
    assert global_norm(params) == pytest.approx(1.0)
    assert np.allclose(clipped, direction / np.linalg.norm(direction))


def test_clipping_leaves_small_gradients_alone():
    """Below the threshold v the gradient is unchanged."""
    params = quadratic([[2.5]])
    clip_grad_norm(params, 10.0)
    assert params[0].grad == pytest.approx(np.array([-0.5]))


def test_stepping_without_a_gradient_says_to_call_backward():
    """The error names the parameter and the fix."""
    with pytest.raises(rnn.RNNError, match="backward"):
        SGD([ad.Tensor(np.zeros(2), name="W", requires_grad=True)]).step()


def test_short_character_training_run_lowers_the_loss_below_the_uniform_baseline():
    """Next-character prediction: the per-character loss drops well under log(V)."""
    result = train(cell="rnn", task="chars", steps=60, hidden=32, seq_len=16, batch=8, seed=0, progress=False)
    assert result.initial == pytest.approx(result.task.baseline, abs=0.1)
    assert result.final < result.task.baseline - 0.8
    assert result.eval_final < result.eval_initial - 0.8


def test_training_is_reproducible_with_a_seed():
    """Same seed, same numbers."""
    runs = [train(cell="gru", task="copy", steps=5, hidden=8, seed=3, progress=False).losses for _ in range(2)]
    assert runs[0] == runs[1]


@pytest.mark.parametrize("cell, task", [("lstm", "classify"), ("seq2one", "adding"), ("window", "chars"),
                                        ("output", "copy")])
def test_every_cell_trains_on_a_matching_task(cell, task):
    """A few steps of each cell lower the loss on its task."""
    result = train(cell=cell, task=task, steps=25, hidden=8, seq_len=8 if task != "classify" else None,
                   lr=0.03, seed=1, progress=False)
    assert np.mean(result.losses[-5:]) < np.mean(result.losses[:5])


def test_sequence_to_one_cell_refuses_a_per_step_task():
    """Fig. 10.5 has one output at tau: it cannot predict every next character."""
    with pytest.raises(rnn.RNNError, match="adding or classify"):
        build_model("seq2one", make_task("chars"), hidden=4)


def test_sampling_continues_the_prime_with_characters_of_the_vocabulary():
    """Each next character is drawn from yhat^(t) and fed back as x^(t+1); seeded."""
    task = make_task("chars")
    model = build_model("lstm", task, hidden=6)
    text = sample(model, task.vocab, length=30, prime="the ", seed=2)
    assert text.startswith("the ") and len(text) == 34
    assert set(text) <= set(task.vocab.tokens)
    assert text == sample(model, task.vocab, length=30, prime="the ", seed=2)


def test_sampling_steps_match_the_unrolled_outputs():
    """Feeding characters one at a time gives the same yhat^(t) as unrolling the whole sequence."""
    task = make_task("chars")
    model = build_model("gru", task, hidden=5, form="cho")
    text = sample(model, task.vocab, length=6, prime="alice", seed=0, temperature=1e-3)
    ids = task.vocab.encode(text)
    x = np.eye(len(task.vocab))[ids[:-1]][:, :, None]
    u = rnn.unroll(model, x)
    assert ids[-1] == int(np.argmax(u.o[len(ids) - 1].value))


def test_train_command_writes_the_loss_curve_metrics_and_sample(tmp_path, capsys):
    """gradbook train with tiny settings: loss.png, metrics.json, sample.txt."""
    code = main(["train", "--cell", "rnn", "--task", "chars", "--steps", "8", "--hidden", "8",
                 "--seq-len", "10", "--clip", "5", "--sample", "20", "-o", str(tmp_path)])
    assert code == 0
    assert (tmp_path / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["steps"] == 8 and len(metrics["losses"]) == 8
    assert len((tmp_path / "sample.txt").read_text().strip()) == len("the ") + 20
    assert "loss per token" in capsys.readouterr().out


def test_train_command_reports_bad_combinations_as_one_line_errors(tmp_path, capsys):
    """Exit code 2 and a one-line message saying which tasks fit."""
    code = main(["train", "--cell", "seq2one", "--task", "chars", "--steps", "1", "-o", str(tmp_path)])
    assert code == 2
    assert "adding or classify" in capsys.readouterr().err


def test_a_diverged_run_writes_valid_json_with_null_and_says_diverged(tmp_path, capsys):
    """JSON has no NaN: the losses that blew up are null, the run stops where it diverged,
    and the summary line says so and what to change."""
    code = main(["train", "--steps", "20", "--hidden", "8", "--optim", "sgd", "--lr", "1e300", "-o", str(tmp_path)])
    assert code == 0
    text = (tmp_path / "metrics.json").read_text()
    metrics = json.loads(text, parse_constant=lambda name: pytest.fail(f"metrics.json holds {name}"))
    assert metrics["diverged_at"] == metrics["steps"] < 20
    assert all(v is None or np.isfinite(v) for v in metrics["losses"])
    out = capsys.readouterr().out
    assert f"diverged at step {metrics['diverged_at']}" in out and "--lr" in out


def test_an_earlier_run_is_kept_unless_force(tmp_path, capsys):
    args = ["train", "--steps", "2", "--hidden", "4", "--seq-len", "5", "-o", str(tmp_path)]
    (tmp_path / "metrics.json").write_text("my notes\n")
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "metrics.json" in err and "--force" in err and err.count("\n") == 1
    assert (tmp_path / "metrics.json").read_text() == "my notes\n" and not (tmp_path / "loss.png").exists()
    assert main(args + ["--force"]) == 0
    assert "replacing metrics.json" in capsys.readouterr().err
    assert json.loads((tmp_path / "metrics.json").read_text())["steps"] == 2
