"""Small built-in sequence tasks that need no download, seeded and reproducible.

Shapes follow the project's column convention: one-hot inputs are (tau, V, B) and integer
targets (tau, B), so they feed :func:`rnn.bptt.bptt` directly.

The character corpus ``rnn/data/corpus.txt`` holds the lecture's sliding-window sentence
("... in the ground there") followed by the opening paragraphs of Lewis Carroll's
*Alice's Adventures in Wonderland* (1865, chapter 1), which is in the public domain.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Iterator, Sequence

import numpy as np
from autodiff.errors import GradbookError

LECTURE_SENTENCE = "the dog buried the bone in the ground there."
"""The sliding-window sentence: its 3-word windows include "in the ground" and "the ground there"."""

EXAMPLE_SENTENCE = ("dogs", "dig", "in", "the", "ground", "<eos>")
"""The tau = 6 token sentence fed to the RNN one token per step in the lecture's
"example sentence" figure. The figure's words are not given in the lecture text, so this
sentence is our choice; it ends in the end-of-sentence token x^(6), as the lecture describes."""

PAD = "<pad>"


class DataError(GradbookError):
    """A data-set argument is out of range or inconsistent."""


class Vocab:
    """A bijection between tokens and integer ids 0..len-1, in the given token order."""

    def __init__(self, tokens: Sequence[str]):
        self.tokens = tuple(tokens)
        if len(set(self.tokens)) != len(self.tokens):
            raise DataError("vocabulary tokens repeat; give each token once")
        self.ids = {token: i for i, token in enumerate(self.tokens)}

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        """The integer ids of ``tokens``, shape (len(tokens),)."""
        try:
            return np.array([self.ids[token] for token in tokens], dtype=np.int64)
        except KeyError as missing:
            raise DataError(f"token {missing.args[0]!r} is not in the vocabulary; "
                            "build the vocabulary from text that contains it") from None

    def decode(self, ids: Sequence[int]) -> list[str]:
        """The tokens with the given ids."""
        return [self.tokens[int(i)] for i in ids]


class CharVocab(Vocab):
    """Character vocabulary: characters sorted by code point."""

    @classmethod
    def from_text(cls, text: str) -> "CharVocab":
        return cls(sorted(set(text)))

    def decode(self, ids: Sequence[int]) -> str:
        """The string with the given character ids."""
        return "".join(super().decode(ids))


class WordVocab(Vocab):
    """Word vocabulary: ``<pad>`` is id 0, then words in order of first appearance."""

    @classmethod
    def from_sentences(cls, sentences: Sequence[Sequence[str]]) -> "WordVocab":
        words = dict.fromkeys(word for sentence in sentences for word in sentence)
        words.pop(PAD, None)
        return cls([PAD, *words])


def one_hot(ids: np.ndarray, n: int) -> np.ndarray:
    """One-hot columns for integer ids of shape (tau, B): the (tau, n, B) input array x."""
    ids = np.asarray(ids)
    if ids.ndim != 2:
        raise DataError(f"ids have shape {ids.shape}; expected (tau, B)")
    if ids.size and (ids.min() < 0 or ids.max() >= n):
        raise DataError(f"ids must lie in 0..{n - 1}; got {ids.min()}..{ids.max()}")
    tau, B = ids.shape
    x = np.zeros((tau, n, B))
    x[np.arange(tau)[:, None], ids, np.arange(B)[None, :]] = 1.0
    return x


def tokenize(text: str) -> list[str]:
    """Lower-cased words, with each punctuation mark as a token of its own."""
    return re.findall(r"[a-z0-9'-]+|[^\sa-z0-9'-]", text.lower())


# ---------------------------------------------------------------------------------------------
# character-level language modelling

def load_corpus() -> str:
    """The shipped character corpus (lecture sentence plus a public-domain paragraph)."""
    return resources.files("rnn").joinpath("data/corpus.txt").read_text(encoding="utf-8")


def read_text(path) -> str:
    """A lecturer's own corpus: the UTF-8 text of `path`, with one-line errors for a file that
    is missing, a folder, empty, or binary (a NUL byte, or bytes that are not UTF-8)."""
    from pathlib import Path
    path = Path(path)
    if not path.exists():
        raise DataError(f"--text {path}: no such file; give the path of a UTF-8 text file")
    if path.is_dir():
        raise DataError(f"--text {path} is a folder; give one UTF-8 text file")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(f"--text {path} is empty; give a text file with at least a few sentences")
    nul = raw.find(b"\0")
    if nul >= 0:
        raise DataError(f"--text {path} is not a text file (a NUL byte at byte {nul}: binary data); "
                        f"give a UTF-8 text file")
    try:
        return raw.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise DataError(f"--text {path} is not UTF-8 (byte {exc.start} cannot be read as UTF-8); "
                        f"save it as UTF-8 text") from None


def split_text(text: str, eval_fraction: float) -> tuple[str, str]:
    """(training text, held-out text): the last `eval_fraction` of the characters are held
    out, cut at one character position, so the split is the same on every run."""
    if not 0 < eval_fraction < 1:
        raise DataError(f"eval_fraction={eval_fraction} must lie strictly between 0 and 1")
    cut = len(text) - max(1, round(len(text) * eval_fraction))
    return text[:cut], text[cut:]


def held_out_batches(text: str, vocab: CharVocab, seq_len: int, batch: int,
                     max_windows: int = 64) -> list[tuple[np.ndarray, np.ndarray]]:
    """Fixed next-character batches over `text` for evaluation: consecutive windows of
    `seq_len` characters from the start (at most `max_windows`), each with its next characters
    as targets, `batch` windows to a batch (the last may hold fewer)."""
    ids = vocab.encode(text)
    starts = np.arange(0, len(ids) - seq_len, seq_len)[:max_windows]
    offsets = np.arange(seq_len)[:, None]
    return [(one_hot(ids[chunk[None, :] + offsets], len(vocab)), ids[chunk[None, :] + offsets + 1])
            for chunk in (starts[k:k + batch] for k in range(0, len(starts), batch))]


def char_lm_batches(seq_len: int, batch: int, seed: int = 0, n_batches: int | None = None,
                    text: str | None = None,
                    vocab: CharVocab | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Random windows of the corpus for next-character prediction.

    Yields (x, y): x is the one-hot characters c_1..c_tau, shape (seq_len, V, batch), and
    y (seq_len, batch) the ids of the next characters c_2..c_{tau+1}, so y^(t) is the target
    for yhat^(t). Window starts are drawn with ``numpy.random.default_rng(seed)``.
    ``n_batches`` defaults to about one pass over the text. The vocabulary defaults to
    ``CharVocab.from_text(text)``; the text defaults to :func:`load_corpus`.
    """
    text = load_corpus() if text is None else text
    vocab = CharVocab.from_text(text) if vocab is None else vocab
    if seq_len < 1 or batch < 1:
        raise DataError(f"seq_len={seq_len} and batch={batch} must both be at least 1")
    if seq_len >= len(text):
        raise DataError(f"seq_len={seq_len} needs a text longer than its {len(text)} characters")
    ids = vocab.encode(text)
    if n_batches is None:
        n_batches = max(1, len(text) // (seq_len * batch))
    rng = np.random.default_rng(seed)
    offsets = np.arange(seq_len)[:, None]
    for _ in range(n_batches):
        starts = rng.integers(0, len(ids) - seq_len, size=batch)
        windows = ids[starts[None, :] + offsets]
        targets = ids[starts[None, :] + offsets + 1]
        yield one_hot(windows, len(vocab)), targets


# ---------------------------------------------------------------------------------------------
# long-range dependency tasks

def adding_problem(tau: int, batch: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter and Schmidhuber 1997): sum the two marked values.

    x is (tau, 2, batch): row 0 holds values drawn from U(0, 1), row 1 is the marker, 1 at
    exactly two steps (one in each half of the sequence) and 0 elsewhere. The regression
    target is the sum of the two marked values, shape (1, batch).
    """
    if tau < 2 or batch < 1:
        raise DataError(f"adding problem needs tau >= 2 and batch >= 1; got tau={tau}, batch={batch}")
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, size=(tau, batch))
    half = tau // 2
    first = rng.integers(0, half, size=batch)
    second = rng.integers(half, tau, size=batch)
    markers = np.zeros((tau, batch))
    columns = np.arange(batch)
    markers[first, columns] = 1.0
    markers[second, columns] = 1.0
    x = np.stack([values, markers], axis=1)
    target = (values[first, columns] + values[second, columns])[None, :]
    return x, target


def copy_task(gap: int, n_symbols: int = 8, batch: int = 1, seed: int = 0,
              length: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """The copy task with a delay (Hochreiter and Schmidhuber 1997; Arjovsky et al. 2016).

    Alphabet: 0 is blank, 1..n_symbols are data, n_symbols + 1 is the delimiter. The input is
    ``length`` random data symbols, then gap - 1 blanks, the delimiter, and ``length`` blanks
    (tau = gap + 2 length). The target is blank for the first gap + length steps and then
    repeats the data symbols. Returns x one-hot (tau, n_symbols + 2, batch) and integer
    targets (tau, batch) with values in 0..n_symbols.
    """
    if gap < 1 or n_symbols < 1 or batch < 1 or length < 1:
        raise DataError("copy task needs gap, n_symbols, batch and length all >= 1; "
                        f"got {gap}, {n_symbols}, {batch}, {length}")
    rng = np.random.default_rng(seed)
    tau = gap + 2 * length
    data = rng.integers(1, n_symbols + 1, size=(length, batch))
    inputs = np.zeros((tau, batch), dtype=np.int64)
    inputs[:length] = data
    inputs[length + gap - 1] = n_symbols + 1
    targets = np.zeros((tau, batch), dtype=np.int64)
    targets[gap + length:] = data
    return one_hot(inputs, n_symbols + 2), targets


# ---------------------------------------------------------------------------------------------
# sequence-to-one classification

_POSITIVE = (
    "i loved this film", "what a wonderful day", "the food was great",
    "she gave a brilliant talk", "this book is a joy", "the team played really well",
    "our trip was lovely", "the new phone works perfectly", "he is a kind teacher",
    "the music made me happy", "a fun and clever story", "the garden looks beautiful",
    "the staff were friendly and helpful", "i enjoyed every minute", "the lecture was clear",
    "this is the best coffee in town", "the kids had a great time", "an excellent result",
    "the hotel was clean and quiet", "i would happily watch it again",
)
_NEGATIVE = (
    "i hated this film", "what a terrible day", "the food was awful",
    "she gave a boring talk", "this book is a chore", "the team played really badly",
    "our trip was a disaster", "the new phone keeps crashing", "he is a rude teacher",
    "the music made me sad", "a dull and silly story", "the garden looks neglected",
    "the staff were rude and unhelpful", "i regretted every minute", "the lecture was confusing",
    "this is the worst coffee in town", "the kids were bored the whole time", "a poor result",
    "the hotel was dirty and noisy", "i would never watch it again",
)


@dataclass
class SentenceDataset:
    """Tokenised sentences with labels (0 negative, 1 positive) and their word vocabulary."""

    sentences: list[list[str]]
    token_ids: list[np.ndarray]
    labels: np.ndarray
    vocab: WordVocab
    label_names: tuple[str, str] = ("negative", "positive")

    def __len__(self) -> int:
        return len(self.sentences)

    def batch(self, indices: Sequence[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """One-hot inputs (tau, V, B) and labels (B,) for the chosen sentences (default: all).

        Shorter sentences are padded with ``<pad>`` at the front, so that the last step
        tau, where the sequence-to-one network reads its output (Fig. 10.5), is a real word.
        """
        indices = range(len(self)) if indices is None else indices
        chosen = [self.token_ids[i] for i in indices]
        tau = max(len(ids) for ids in chosen)
        padded = np.zeros((tau, len(chosen)), dtype=np.int64)
        for column, ids in enumerate(chosen):
            padded[tau - len(ids):, column] = ids
        return one_hot(padded, len(self.vocab)), self.labels[list(indices)]


def sentence_classification(seed: int = 0) -> SentenceDataset:
    """40 short sentences labelled positive (1) or negative (0), in a seeded random order."""
    rng = np.random.default_rng(seed)
    texts = [*_POSITIVE, *_NEGATIVE]
    labels = np.array([1] * len(_POSITIVE) + [0] * len(_NEGATIVE), dtype=np.int64)
    order = rng.permutation(len(texts))
    sentences = [texts[i].split() for i in order]
    vocab = WordVocab.from_sentences(sentences)
    return SentenceDataset(sentences=sentences,
                           token_ids=[vocab.encode(sentence) for sentence in sentences],
                           labels=labels[order], vocab=vocab)


# ---------------------------------------------------------------------------------------------
# the sliding-window baseline

def sliding_windows(tokens: Sequence, width: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Every window of ``width`` consecutive tokens and the token that follows it.

    Returns (windows (N, width), next (N,)) with N = len(tokens) - width: the training pairs
    of the lecture's sliding-window DNN, which has a fixed memory of ``width`` tokens.
    """
    tokens = np.asarray(tokens)
    if width < 1 or len(tokens) <= width:
        raise DataError(f"width={width} needs 1 <= width < number of tokens ({len(tokens)})")
    n = len(tokens) - width
    windows = tokens[np.arange(n)[:, None] + np.arange(width)[None, :]]
    return windows, tokens[width:]


def window_features(windows: np.ndarray, embedding: np.ndarray) -> np.ndarray:
    """Concatenated embeddings of each window, as columns: shape (width * d, N).

    ``embedding`` is (d, V), one column per token id, so column j of the result stacks the
    embeddings of the ``width`` ids of window j, the input of the sliding-window DNN.
    """
    windows = np.asarray(windows)
    if windows.ndim != 2:
        raise DataError(f"windows have shape {windows.shape}; expected (N, width) integer ids")
    d = embedding.shape[0]
    n, width = windows.shape
    # embedding[:, windows] is (d, N, width); the word slot must be the slower axis of a column.
    return embedding[:, windows].transpose(2, 0, 1).reshape(width * d, n)
