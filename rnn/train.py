"""Training the RNN family on the built-in tasks, and the ``gradbook train`` command.

One step: unroll the model on a batch (`rnn.unroll`, at cell level where it exists), run
BPTT with the engine (``loss.backward()``), divide the gradient by the number of loss terms
so the loss and the learning rate are per token, optionally clip its norm (book 10.11.1),
and update with SGD or Adam. Everything is seeded: the same arguments give the same numbers.
"""
from __future__ import annotations

import json
import math
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from autodiff import arguments
from autodiff.files import atomic_path, write_text

CELLS = ("rnn", "lstm", "gru", "output", "seq2one", "window")
DEFAULT_LR = {"adam": 0.01, "sgd": 0.5}
MAX_STEPS = 10_000
"""`gradbook train --steps` above this needs --no-step-cap: about 5 minutes at the defaults,
so a mistyped 100000 does not quietly take an afternoon."""
DIVERGED = 100.0
"""A loss per token above this many times the first step's counts as diverged: the
parameters have left every useful region and the next steps overflow to NaN."""


@dataclass
class TrainResult:
    """Per-token losses of every step, the loss on fixed evaluation batches before and after
    (windows drawn with another seed: the corpus is small, so they overlap the training text),
    and the training time."""

    model: object
    task: object
    losses: list = field(default_factory=list)
    eval_initial: float = float("nan")
    eval_final: float = float("nan")
    seconds: float = 0.0
    clipped: int = 0
    diverged_at: int | None = None

    @property
    def initial(self):
        """Training loss per token at the first step."""
        return self.losses[0]

    @property
    def final(self):
        """Mean training loss per token over the last tenth of the steps (nan once diverged)."""
        tail = self.losses[-max(1, len(self.losses) // 10):]
        return statistics.fmean(tail)

    def summary(self):
        """The run's numbers for metrics.json; a loss that is not finite (a diverged run) is
        None, since JSON has no NaN, and `diverged_at` names the step (1-based) where it went."""
        numbers = {"cell": type(self.model).__name__, "task": self.task.name, "steps": len(self.losses),
                   "initial_loss": self.initial, "final_loss": self.final,
                   "eval_initial_loss": self.eval_initial, "eval_final_loss": self.eval_final,
                   "baseline": self.task.baseline, "seconds": self.seconds, "clipped_steps": self.clipped,
                   "diverged_at": None if self.diverged_at is None else self.diverged_at + 1}
        return {key: _finite(value) for key, value in numbers.items()}


def _finite(value):
    """`value`, or None for a float that is nan or infinite."""
    return None if isinstance(value, float) and not math.isfinite(value) else value


def build_model(cell, task, hidden, seed=0, candidate="sigmoid", form="printed"):
    """The model called `cell`, sized and shaped for `task` (outputs every step or at tau)."""
    from . import cells, gru, lstm, window
    from .errors import RNNError
    if hasattr(cell, "model_for"):  # a lecturer's own cell (rnn.custom)
        return cell.model_for(task, hidden, seed)
    shape = dict(outputs=task.outputs, head=task.head)
    n_in, n_out = task.n_in, task.n_out
    if cell == "rnn":
        return cells.SimpleRNN(n_in, hidden, n_out, seed=seed, **shape)
    if cell == "lstm":
        return lstm.LSTM(n_in, hidden, n_out, seed=seed, candidate=candidate, **shape)
    if cell == "gru":
        return gru.GRU(n_in, hidden, n_out, seed=seed, form=form, **shape)
    if cell == "window":
        return window.WindowDNN(n_in, hidden, n_out, seed=seed, **shape)
    if cell == "seq2one":
        if task.outputs != "last":
            raise RNNError(f"--cell seq2one reads one output at tau; use it with --task adding or classify, "
                           f"not {task.name}")
        return cells.SeqToOne(n_in, hidden, n_out, seed=seed, head=task.head)
    if cell == "output":
        if task.outputs != "every":
            raise RNNError(f"--cell output feeds o^(t-1) back at every step; use --task chars or copy, not {task.name}")
        return cells.OutputRNN(n_in, hidden, n_out, seed=seed)
    raise RNNError(f"cell {cell!r} is unknown; use one of {', '.join(CELLS)}")


def _level(model):
    """Cell level (one node per step, faster) wherever it exists, else op level."""
    from .cell_unroll import _STEPS
    return "cell" if type(model) in _STEPS and model.head == "softmax" else "op"


def evaluate(model, task, batches):
    """Loss per token over fixed batches (no gradient)."""
    from .unrolling import unroll
    total = tokens = 0
    for x, y in batches:
        total += float(unroll(model, x, y, level=_level(model)).loss.value)
        tokens += task.tokens(y)
    return total / tokens


def train(cell="rnn", task="chars", steps=300, hidden=64, seq_len=None, batch=None, lr=None,
          optim="adam", clip=None, seed=0, progress=None, candidate="sigmoid", form="printed"):
    """Train `cell` on `task` for `steps` steps; returns a `TrainResult`.

    lr defaults to 0.01 for Adam and 0.5 for SGD (per-token loss); `clip` is the threshold v
    of gradient-norm clipping (None: no clipping); `progress` shows a tqdm bar (default: only
    when stderr is a terminal). Training stops at the first step whose loss is not finite or
    above `DIVERGED` times the first (`TrainResult.diverged_at`): later steps would be NaN.
    """
    from tqdm import tqdm

    from .errors import RNNError
    from .optim import OPTIMIZERS, clip_grad_norm
    from .tasks import make_task
    from .unrolling import unroll
    if optim not in OPTIMIZERS:
        raise RNNError(f"optimiser {optim!r} is unknown; use one of {', '.join(OPTIMIZERS)}")
    if not isinstance(steps, int) or steps < 1:
        raise RNNError(f"steps={steps!r} must be a positive integer")
    task = make_task(task, seq_len=seq_len, batch=batch) if isinstance(task, str) else task
    model = build_model(cell, task, hidden, seed=seed, candidate=candidate, form=form)
    params = list(model.params.values())
    optimizer = OPTIMIZERS[optim](params, lr=DEFAULT_LR[optim] if lr is None else lr)
    fixed = [b for _, b in zip(range(4), task.batches(seed + 1_000_003))]
    result = TrainResult(model=model, task=task)
    result.eval_initial = evaluate(model, task, fixed)
    level = _level(model)
    start = time.perf_counter()
    show = sys.stderr.isatty() if progress is None else progress
    # closed on Ctrl-C too, so `gradbook: interrupted` starts a line of its own
    with tqdm(zip(range(steps), task.batches(seed)), total=steps, disable=not show,
              desc=f"{cell} on {task.name}", unit="step") as bar:
        for _, (x, y) in bar:
            optimizer.zero_grad()
            u = unroll(model, x, y, level=level)
            u.loss.backward()
            count = task.tokens(y)
            for p in params:
                p.grad /= count
            if clip is not None and clip_grad_norm(params, clip) > clip:
                result.clipped += 1
            optimizer.step()
            result.losses.append(float(u.loss.value) / count)
            if not result.losses[-1] <= DIVERGED * result.losses[0]:
                result.diverged_at = len(result.losses) - 1
                break
            if show:
                bar.set_postfix(loss=f"{result.losses[-1]:.3f}")
    result.seconds = time.perf_counter() - start
    result.eval_final = evaluate(model, task, fixed)
    return result


def plot_losses(result, path):
    """Save the per-token training loss curve, with the task's baseline, as a PNG."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    steps = range(1, len(result.losses) + 1)
    figure = Figure(figsize=(6, 3.6), dpi=120)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(steps, result.losses, lw=1, label="training loss per token")
    axes.axhline(result.task.baseline, color="0.5", ls="--", lw=1, label=f"baseline: {result.task.baseline_name}")
    axes.set_xlabel("step")
    axes.set_ylabel("loss per token (nats)")
    axes.set_title(f"{type(result.model).__name__} on {result.task.name}")
    axes.legend(frameon=False)
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png")
    return Path(path)


# ----- the command ------------------------------------------------------------------------------

def add_arguments(parser):
    parser.add_argument("--cell", choices=CELLS, default="rnn", help="model to train (default rnn)")
    parser.add_argument("--task", choices=("chars", "adding", "copy", "classify"), default="chars",
                        help="built-in task (default chars)")
    parser.add_argument("--steps", type=arguments.count(1), default=300,
                        help=f"training steps (default 300; above {MAX_STEPS} add --no-step-cap)")
    parser.add_argument("--no-step-cap", action="store_true",
                        help=f"allow --steps above {MAX_STEPS} (a long run: about 30 ms per step at the defaults)")
    parser.add_argument("--hidden", type=arguments.count(1, 1024), default=64, help="hidden units H (default 64)")
    parser.add_argument("--seq-len", type=arguments.count(1, 1000), default=None,
                        help="tau for chars/adding, the delay for copy (task defaults 25, 20, 5)")
    parser.add_argument("--batch", type=arguments.count(1, 4096), default=None,
                        help="sequences per batch (task default)")
    parser.add_argument("--lr", type=arguments.number(positive=True), default=None,
                        help="learning rate (default 0.01 Adam, 0.5 SGD)")
    parser.add_argument("--optim", choices=("sgd", "adam"), default="adam", help="optimiser (default adam)")
    parser.add_argument("--clip", type=arguments.number(positive=True), default=None,
                        help="gradient-norm clipping threshold v (10.11.1)")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights and batches (default 0)")
    parser.add_argument("--candidate", choices=("sigmoid", "tanh"), default="sigmoid",
                        help="LSTM candidate nonlinearity: the book's sigmoid or tanh")
    parser.add_argument("--gru-form", choices=("printed", "cho"), default="printed",
                        help="GRU as printed (10.45-10.47) or Cho et al.")
    parser.add_argument("--sample", type=arguments.count(0, 100_000), default=0, metavar="N",
                        help="after training on chars, sample N characters")
    parser.add_argument("--prime", default="the ", help="text the sample starts from (default 'the ')")
    parser.add_argument("--temperature", type=arguments.number(positive=True), default=1.0,
                        help="sampling temperature (default 1)")
    parser.add_argument("-o", "--output", default="train-output", metavar="DIR",
                        help="directory for loss.png, metrics.json, sample.txt (default train-output)")
    parser.add_argument("--force", action="store_true", help="replace the files of an earlier run in DIR")


def run(args):
    from autodiff.outputs import output_folder, replacing_note

    from .errors import RNNError
    from .sample import sample
    if args.sample and args.task != "chars":
        raise RNNError("--sample needs a character model; train it with --task chars")
    if args.steps > MAX_STEPS and not args.no_step_cap:
        raise RNNError(f"--steps {args.steps} is above the cap of {MAX_STEPS} steps (about 5 minutes at the "
                       f"defaults); add --no-step-cap to train that long")
    out = Path(args.output)
    names = ("loss.png", "metrics.json") + (("sample.txt",) if args.sample else ())
    replaced = output_folder(out, names, force=args.force)
    if replaced:
        print(replacing_note("train", replaced, out), file=sys.stderr)
    result = train(cell=args.cell, task=args.task, steps=args.steps, hidden=args.hidden,
                   seq_len=args.seq_len, batch=args.batch, lr=args.lr, optim=args.optim, clip=args.clip,
                   seed=args.seed, candidate=args.candidate, form=args.gru_form)
    plot_losses(result, out / "loss.png")
    summary = result.summary()
    metrics = json.dumps({**summary, "losses": [_finite(loss) for loss in result.losses]}, indent=1,
                         allow_nan=False)
    write_text(out / "metrics.json", metrics + "\n")
    if result.diverged_at is not None:
        lr = DEFAULT_LR[args.optim] if args.lr is None else args.lr
        print(f"{summary['cell']} on {summary['task']}: diverged at step {summary['diverged_at']} (the loss "
              f"reached {result.losses[-1]:.3g}); lower --lr (it was {lr:g}) or clip the gradient with --clip 5")
    else:
        print(f"{summary['cell']} on {summary['task']}: loss per token {result.initial:.3f} -> {result.final:.3f} "
              f"(eval batches {result.eval_initial:.3f} -> {result.eval_final:.3f}; "
              f"baseline {result.task.baseline:.3f}) in {result.seconds:.1f} s")
    if args.sample and result.diverged_at is None:
        text = sample(result.model, result.task.vocab, length=args.sample, prime=args.prime,
                      seed=args.seed, temperature=args.temperature)
        write_text(out / "sample.txt", text + "\n")
        print(text)
    print(f"wrote {out / 'loss.png'} and {out / 'metrics.json'}")
    return 0
