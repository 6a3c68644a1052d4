"""Training the RNN family on the built-in tasks, and the ``gradbook train`` command.

One step: unroll the model on a batch (`rnn.unroll`, at cell level where it exists), run
BPTT with the engine (``loss.backward()``), divide the gradient by the number of loss terms
so the loss and the learning rate are per token, optionally clip its norm (book 10.11.1),
and update with SGD or Adam. Everything is seeded: the same arguments give the same numbers.

On a lecturer's own text (``gradbook train --text FILE``, `rnn.tasks.TextChars`) the last part
of the file is held out: its loss is measured every few steps, drawn beside the training loss,
and the parameters of the best held-out loss are kept in memory, so the sample comes from that
checkpoint rather than from the last step (early stopping, book 7.8).
"""
from __future__ import annotations

import contextlib
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
    eval_steps: list = field(default_factory=list)
    eval_losses: list = field(default_factory=list)
    best_step: int | None = None
    best_params: dict | None = None

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
        if self.eval_steps:
            numbers.update(text=self.task.path, eval_fraction=self.task.eval_fraction,
                           train_chars=len(self.task.text), eval_chars=len(self.task.eval_text),
                           best_step=self.best_step, best_eval_loss=min(self.eval_losses))
        return {key: _finite(value) for key, value in numbers.items()}

    def curves(self):
        """The loss curves for metrics.json: training loss per step, and the held-out loss at
        `eval_steps` (after that many updates; step 0 is before training) when there is one."""
        curves = {"losses": [_finite(loss) for loss in self.losses]}
        if self.eval_steps:
            curves.update(eval_steps=self.eval_steps, eval_losses=[_finite(loss) for loss in self.eval_losses])
        return curves

    @contextlib.contextmanager
    def best_parameters(self):
        """The model with the parameters of the best held-out loss inside the block (those of
        the last step again after it); the last step's where nothing was held out."""
        params = self.model.params
        last = {name: p.value for name, p in params.items()}
        try:
            for name, value in (self.best_params or {}).items():
                params[name].value = value.copy()
            yield self.model
        finally:
            for name, p in params.items():
                p.value = last[name]


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


def example_graph(cell="rnn", steps=3, hidden=3, seed=0):
    """The op-level graph of `cell` unrolled on `steps` small random steps (2 inputs, 2 classes,
    H = `hidden`), to list or draw: ``gradbook graph --rnn CELL --steps N --listing``."""
    from .tasks import Toy
    from .unrolling import unroll
    task = Toy(seq_len=steps, outputs="last" if cell == "seq2one" else "every")
    model = build_model(cell, task, hidden, seed=seed)
    x, y = next(task.batches(seed))
    u = unroll(model, x, y)
    u.loss.backward()  # so a drawing can show the gradients (--grads)
    return u.graph


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
          optim="adam", clip=None, seed=0, progress=None, candidate="sigmoid", form="printed", eval_every=None):
    """Train `cell` on `task` for `steps` steps; returns a `TrainResult`.

    A task with held-out batches (`rnn.tasks.TextChars`) is evaluated on them before training,
    every `eval_every` steps (default: about 25 times a run) and after the last step; the
    parameters of the lowest held-out loss are kept (`TrainResult.best_parameters`).

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
    held = task.held_out()
    fixed = held or [b for _, b in zip(range(4), task.batches(seed + 1_000_003))]
    result = TrainResult(model=model, task=task)
    result.eval_initial = evaluate(model, task, fixed)
    every = max(1, steps // 25) if eval_every is None else eval_every
    if held:
        _checkpoint(result, 0, result.eval_initial)
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
            done = len(result.losses)
            if held and (done % every == 0 or done == steps):
                _checkpoint(result, done, evaluate(model, task, held))
            if show:
                bar.set_postfix(loss=f"{result.losses[-1]:.3f}")
    result.seconds = time.perf_counter() - start
    fresh = held and result.diverged_at is None and result.eval_steps[-1] == len(result.losses)
    result.eval_final = result.eval_losses[-1] if fresh else evaluate(model, task, fixed)
    return result


def _checkpoint(result, step, loss):
    """Record the held-out `loss` after `step` updates; keep a copy of the parameters if it is
    the lowest so far."""
    result.eval_steps.append(step)
    result.eval_losses.append(loss)
    if result.best_step is None or loss < min(result.eval_losses[:-1]):
        result.best_step = step
        result.best_params = {name: p.value.copy() for name, p in result.model.params.items()}


SLIDE_FONT = 18
"""Point size of the loss figure's labels: 1600 x 900 pixels, read at the back of a lecture room."""


def plot_losses(result, path):
    """Save the per-token training loss curve, the held-out loss beside it when there is one,
    and the task's baseline, as a 16:9 PNG readable on a slide."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    steps = range(1, len(result.losses) + 1)
    figure = Figure(figsize=(10, 5.625), dpi=160)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(steps, result.losses, lw=1.5, color="tab:blue", label="training loss")
    if result.eval_steps:
        axes.plot(result.eval_steps, result.eval_losses, "o-", lw=2.5, ms=6, color="tab:orange",
                  label="held-out loss")
        best = result.eval_steps.index(result.best_step)
        axes.plot([result.best_step], [result.eval_losses[best]], "*", ms=20, color="tab:red",
                  label=f"best checkpoint (step {result.best_step}): sampled")
    axes.axhline(result.task.baseline, color="0.4", ls="--", lw=1.5, label=f"baseline: {result.task.baseline_name}")
    axes.set_xlabel("training step", fontsize=SLIDE_FONT)
    axes.set_ylabel("loss per character (nats)" if result.task.vocab is not None and result.task.outputs == "every"
                    else "loss per token (nats)", fontsize=SLIDE_FONT)
    source = Path(result.task.path).name if result.eval_steps else result.task.name
    axes.set_title(f"{type(result.model).__name__} on {source}", fontsize=SLIDE_FONT + 4)
    axes.tick_params(labelsize=SLIDE_FONT - 2)
    axes.grid(alpha=0.3)
    axes.legend(frameon=False, fontsize=SLIDE_FONT - 2)
    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png")
    return Path(path)


# ----- the command ------------------------------------------------------------------------------

def add_arguments(parser):
    parser.add_argument("--cell", choices=CELLS, default="rnn", help="model to train (default rnn)")
    parser.add_argument("--task", choices=("chars", "adding", "copy", "classify"), default=None,
                        help="built-in task (default chars)")
    parser.add_argument("--text", default=None, metavar="FILE",
                        help="train on your own UTF-8 text file instead of a built-in task (next character)")
    parser.add_argument("--eval-fraction", type=arguments.number(positive=True), default=None, metavar="F",
                        help="with --text: the last fraction F of the file is held out for evaluation (default 0.1)")
    parser.add_argument("--eval-every", type=arguments.count(1), default=None, metavar="N",
                        help="with --text: evaluate the held-out part every N steps (default: about 25 times a run)")
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
    parser.add_argument("--gru-form", choices=("printed", "cho", "reset-after"), default="printed",
                        help="GRU as printed (10.45-10.47), Cho et al., or reset-after (torch.nn.GRU)")
    parser.add_argument("--sample", type=arguments.count(0, 100_000), default=0, metavar="N",
                        help="after training on chars, sample N characters")
    parser.add_argument("--prime", default=None,
                        help="text the sample starts from (default: the first 4 characters of the training text)")
    parser.add_argument("--temperature", type=arguments.number(positive=True), default=1.0,
                        help="sampling temperature (default 1)")
    parser.add_argument("-o", "--output", default="train-output", metavar="DIR",
                        help="directory for loss.png, metrics.json, sample.txt (default train-output)")
    parser.add_argument("--force", action="store_true", help="replace the files of an earlier run in DIR")


def run(args):
    from autodiff.outputs import output_folder, replacing_note

    from .errors import RNNError
    from .sample import sample
    from .tasks import TextChars
    if args.text and args.task:
        raise RNNError(f"--text {args.text} replaces --task {args.task}; give one of them")
    if args.sample and (args.task or "chars") != "chars":
        raise RNNError("--sample needs a character model; train it with --task chars or --text FILE")
    if not args.text and (args.eval_fraction is not None or args.eval_every is not None):
        raise RNNError("--eval-fraction and --eval-every choose the held-out part of --text FILE; give --text too")
    args.eval_fraction = 0.1 if args.eval_fraction is None else args.eval_fraction
    if not args.eval_fraction < 1:
        raise RNNError(f"--eval-fraction {args.eval_fraction:g} must be below 1: the rest of the text is trained on")
    if args.steps > MAX_STEPS and not args.no_step_cap:
        raise RNNError(f"--steps {args.steps} is above the cap of {MAX_STEPS} steps (about 5 minutes at the "
                       f"defaults); add --no-step-cap to train that long")
    # the file is read (and its errors reported) before the output folder is made
    task = args.task or "chars"
    if args.text:
        sizes = {key: value for key, value in (("seq_len", args.seq_len), ("batch", args.batch)) if value}
        task = TextChars(args.text, eval_fraction=args.eval_fraction, **sizes)
    out = Path(args.output)
    names = ("loss.png", "metrics.json") + (("sample.txt",) if args.sample else ())
    replaced = output_folder(out, names, force=args.force)
    if replaced:
        print(replacing_note("train", replaced, out), file=sys.stderr)
    result = train(cell=args.cell, task=task, steps=args.steps, hidden=args.hidden,
                   seq_len=args.seq_len, batch=args.batch, lr=args.lr, optim=args.optim, clip=args.clip,
                   seed=args.seed, candidate=args.candidate, form=args.gru_form, eval_every=args.eval_every)
    plot_losses(result, out / "loss.png")
    summary = result.summary()
    metrics = json.dumps({**summary, **result.curves()}, indent=1, allow_nan=False)
    write_text(out / "metrics.json", metrics + "\n")
    if result.diverged_at is not None:
        lr = DEFAULT_LR[args.optim] if args.lr is None else args.lr
        print(f"{summary['cell']} on {summary.get('text') or summary['task']}: diverged at step {summary['diverged_at']} (the loss "
              f"reached {result.losses[-1]:.3g}); lower --lr (it was {lr:g}) or clip the gradient with --clip 5")
    else:
        print(f"{summary['cell']} on {summary.get('text') or summary['task']}: loss per token {result.initial:.3f} -> {result.final:.3f} "
              f"(eval batches {result.eval_initial:.3f} -> {result.eval_final:.3f}; "
              f"baseline {result.task.baseline:.3f}) in {result.seconds:.1f} s")
    if result.eval_steps:
        print(f"held-out loss {min(result.eval_losses):.3f} at step {result.best_step} (the best of "
              f"{len(result.eval_steps)} evaluations on the last {args.eval_fraction:g} of {args.text})")
    if args.sample and result.diverged_at is None:
        prime = result.task.text[:4] if args.prime is None else args.prime
        with result.best_parameters() as model:
            text = sample(model, result.task.vocab, length=args.sample, prime=prime,
                          seed=args.seed, temperature=args.temperature)
        write_text(out / "sample.txt", text + "\n")
        print(text)
    print(f"wrote {out / 'loss.png'} and {out / 'metrics.json'}")
    return 0
