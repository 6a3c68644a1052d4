"""The built-in training tasks, as endless seeded streams of batches (data from `rnn.data`).

* ``chars``: next-character prediction on the shipped corpus; a per-character loss below
  the uniform baseline log(V) means the model has learnt something. `TextChars` is the same
  on a lecturer's own file, with a held-out part to evaluate on.
* ``adding``: the adding problem, a regression read at tau (half squared error).
* ``copy``: reproduce symbols seen ``seq_len`` steps earlier (long dependencies).
* ``classify``: positive or negative sentences, one label read at tau (Fig. 10.5).
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from . import data
from .errors import RNNError

TASKS = ("chars", "adding", "copy", "classify")


class Task:
    """What a model needs to know about a task, and its batches.

    ``n_in``/``n_out`` size the model; ``outputs`` is 'every' or 'last'; ``head`` 'softmax'
    or 'linear'; ``baseline`` the per-token loss of a model that learnt nothing (described by
    ``baseline_name``);
    ``tokens(y)`` how many loss terms a batch has (the loss is reported per token).
    """

    name = ""
    baseline_name = "uniform prediction, log K"
    outputs = "every"
    head = "softmax"
    vocab = None

    def batches(self, seed):
        raise NotImplementedError

    def held_out(self):
        """Fixed batches the model never trains on, evaluated during training; None for the
        built-in tasks (their evaluation batches are drawn from the training stream)."""
        return None

    def tokens(self, y):
        return int(np.asarray(y).size) if self.outputs == "every" else int(np.asarray(y).shape[-1])


class Chars(Task):
    name = "chars"
    baseline_name = "uniform prediction, log V"

    def __init__(self, seq_len=25, batch=16):
        self.text = data.load_corpus()
        self.vocab = data.CharVocab.from_text(self.text)
        self.n_in = self.n_out = len(self.vocab)
        self.seq_len, self.batch = seq_len, batch
        self.baseline = math.log(self.n_out)

    def batches(self, seed):
        for round_ in itertools.count():
            yield from data.char_lm_batches(self.seq_len, self.batch, seed=seed * 7919 + round_,
                                            text=self.text, vocab=self.vocab)


class TextChars(Chars):
    """Next-character prediction on a lecturer's own text file (``gradbook train --text``).

    The last `eval_fraction` of the characters is held out (`rnn.data.split_text`) and only
    evaluated; the vocabulary is built from the whole file, so the held-out characters have ids.
    """

    name = "text"

    def __init__(self, path, seq_len=25, batch=16, eval_fraction=0.1):
        whole = data.read_text(path)
        self.path, self.eval_fraction = str(path), eval_fraction
        self.text, self.eval_text = data.split_text(whole, eval_fraction)
        for part, what in ((self.text, "training"), (self.eval_text, "held-out")):
            if len(part) <= seq_len:
                raise RNNError(f"--text {path} is too short: its {what} part has {len(part)} characters, "
                               f"--seq-len {seq_len} needs more than {seq_len}; give a longer text, a lower "
                               f"--seq-len or another --eval-fraction")
        self.vocab = data.CharVocab.from_text(whole)
        self.n_in = self.n_out = len(self.vocab)
        self.seq_len, self.batch = seq_len, batch
        self.baseline = math.log(self.n_out)

    def held_out(self):
        return data.held_out_batches(self.eval_text, self.vocab, self.seq_len, self.batch)


class Adding(Task):
    name = "adding"
    outputs, head = "last", "linear"
    baseline = 1.0 / 12.0  # predicting the mean 1: half the variance 1/6 of a sum of two U(0, 1)
    baseline_name = "always predicting the mean sum 1"

    def __init__(self, seq_len=20, batch=16):
        self.n_in, self.n_out = 2, 1
        self.seq_len, self.batch = seq_len, batch

    def batches(self, seed):
        for k in itertools.count():
            yield data.adding_problem(self.seq_len, self.batch, seed=seed * 7919 + k)


class Copy(Task):
    name = "copy"
    symbols, length = 4, 5

    def __init__(self, seq_len=5, batch=16):
        self.n_in, self.n_out = self.symbols + 2, self.symbols + 1
        self.gap, self.batch = seq_len, batch
        self.baseline = math.log(self.n_out)

    def batches(self, seed):
        for k in itertools.count():
            yield data.copy_task(self.gap, self.symbols, self.batch, seed=seed * 7919 + k, length=self.length)


class Classify(Task):
    name = "classify"
    outputs = "last"

    def __init__(self, seq_len=None, batch=8):
        self.dataset = data.sentence_classification(seed=0)
        self.vocab = self.dataset.vocab
        self.n_in, self.n_out = len(self.vocab), 2
        self.batch = min(batch, len(self.dataset))
        self.baseline = math.log(2.0)

    def batches(self, seed):
        rng = np.random.default_rng(seed)
        while True:
            yield self.dataset.batch(rng.choice(len(self.dataset), size=self.batch, replace=False))


class Toy(Task):
    """A few small random steps (x^(t) of `n_in` numbers, K = `n_out` classes): the sequence a
    model's graph is unrolled on to be listed or drawn (`rnn.train.example_graph`)."""

    name = "toy"

    def __init__(self, seq_len=3, batch=1, n_in=2, n_out=2, outputs="every"):
        self.seq_len, self.batch, self.n_in, self.n_out, self.outputs = seq_len, batch, n_in, n_out, outputs
        self.baseline = math.log(n_out)

    def batches(self, seed):
        rng = np.random.default_rng(seed)
        targets = (self.seq_len, self.batch) if self.outputs == "every" else (self.batch,)
        while True:
            yield (rng.normal(size=(self.seq_len, self.n_in, self.batch)).round(2),
                   rng.integers(0, self.n_out, size=targets))


def make_task(name, seq_len=None, batch=None):
    """The task called `name` ('chars', 'adding', 'copy' or 'classify')."""
    classes = {"chars": Chars, "adding": Adding, "copy": Copy, "classify": Classify}
    if name not in classes:
        raise RNNError(f"task {name!r} is unknown; use one of {', '.join(TASKS)}")
    options = {key: value for key, value in (("seq_len", seq_len), ("batch", batch)) if value is not None}
    return classes[name](**options)
