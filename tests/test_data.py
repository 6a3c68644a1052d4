"""Specification of the built-in sequence tasks in rnn.data."""
import numpy as np
import pytest

from rnn.data import (
    EXAMPLE_SENTENCE,
    LECTURE_SENTENCE,
    CharVocab,
    WordVocab,
    adding_problem,
    char_lm_batches,
    copy_task,
    load_corpus,
    one_hot,
    sentence_classification,
    sliding_windows,
    tokenize,
    window_features,
)


def test_corpus_starts_with_the_lecture_sentence():
    corpus = load_corpus()
    assert corpus.startswith(LECTURE_SENTENCE)
    assert 500 < len(corpus) < 4000


def test_char_vocab_encode_decode_round_trip():
    text = load_corpus()
    vocab = CharVocab.from_text(text)
    assert vocab.decode(vocab.encode(text)) == text


def test_word_vocab_reserves_id_zero_for_padding():
    vocab = WordVocab.from_sentences([["a", "b"], ["b", "c"]])
    assert vocab.tokens == ("<pad>", "a", "b", "c")
    assert vocab.decode(vocab.encode(["c", "a"])) == ["c", "a"]


def test_unknown_token_is_rejected_by_name():
    with pytest.raises(ValueError, match="'z'"):
        CharVocab.from_text("abc").encode("abz")


def test_one_hot_puts_a_single_one_per_column():
    x = one_hot(np.array([[0, 2], [1, 1]]), 3)
    assert x.shape == (2, 3, 2)
    assert np.array_equal(x.sum(axis=1), np.ones((2, 2)))
    assert x[0, 2, 1] == 1.0 and x[1, 1, 0] == 1.0


def test_char_lm_batches_have_column_shapes():
    """x is one-hot (tau, V, B) and y is (tau, B), as rnn.bptt expects."""
    vocab = CharVocab.from_text(load_corpus())
    x, y = next(char_lm_batches(seq_len=12, batch=5, seed=0))
    assert x.shape == (12, len(vocab), 5)
    assert y.shape == (12, 5)
    assert np.issubdtype(y.dtype, np.integer)


def test_char_lm_targets_are_the_next_characters():
    """y^(t) is the character after x^(t): the windows overlap by all but one step."""
    text = load_corpus()
    vocab = CharVocab.from_text(text)
    x, y = next(char_lm_batches(seq_len=10, batch=3, seed=4))
    inputs = x.argmax(axis=1)
    assert np.array_equal(inputs[1:], y[:-1])
    for column in range(3):
        window = vocab.decode(inputs[:, column]) + vocab.decode(y[-1:, column])
        assert window in text


def test_char_lm_batches_are_reproducible_by_seed():
    first = list(char_lm_batches(8, 4, seed=3, n_batches=3))
    again = list(char_lm_batches(8, 4, seed=3, n_batches=3))
    other = list(char_lm_batches(8, 4, seed=4, n_batches=3))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(first, again))
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(first, other))


def test_adding_problem_shapes_and_two_markers_per_sequence():
    x, target = adding_problem(tau=20, batch=6, seed=0)
    assert x.shape == (20, 2, 6)
    assert target.shape == (1, 6)
    assert np.array_equal(x[:, 1].sum(axis=0), np.full(6, 2.0))


def test_adding_problem_target_is_sum_of_marked_values():
    x, target = adding_problem(tau=15, batch=8, seed=1)
    values, markers = x[:, 0], x[:, 1]
    assert np.allclose(target[0], (values * markers).sum(axis=0))


def test_adding_problem_is_reproducible_by_seed():
    assert np.array_equal(adding_problem(10, 3, seed=2)[0], adding_problem(10, 3, seed=2)[0])
    assert not np.array_equal(adding_problem(10, 3, seed=2)[0], adding_problem(10, 3, seed=5)[0])


def test_copy_task_target_repeats_the_data_after_the_delay():
    gap, length = 7, 4
    x, y = copy_task(gap=gap, n_symbols=5, batch=3, seed=0, length=length)
    tau = gap + 2 * length
    assert x.shape == (tau, 7, 3)
    assert y.shape == (tau, 3)
    symbols = x.argmax(axis=1)
    assert np.array_equal(y[gap + length:], symbols[:length])
    assert np.all(y[:gap + length] == 0)
    assert np.all(symbols[length + gap - 1] == 6)


def test_copy_task_is_reproducible_by_seed():
    assert np.array_equal(copy_task(5, 4, 2, seed=1)[1], copy_task(5, 4, 2, seed=1)[1])


def test_sentence_classification_has_balanced_labels():
    data = sentence_classification(seed=0)
    assert len(data) == 40
    assert data.labels.sum() == 20
    for sentence, ids in zip(data.sentences, data.token_ids):
        assert data.vocab.decode(ids) == sentence


def test_sentence_batch_pads_at_the_front_for_seq_to_one():
    """The last step tau carries a real word for every sentence (Fig. 10.5 reads o^(tau))."""
    data = sentence_classification(seed=0)
    x, labels = data.batch([0, 1, 2])
    assert x.shape[1:] == (len(data.vocab), 3)
    assert np.array_equal(labels, data.labels[:3])
    assert np.all(x[-1, 0] == 0.0), "no sentence may end in <pad>"
    tau = x.shape[0]
    for column in range(3):
        ids = x[:, :, column].argmax(axis=1)
        assert np.array_equal(ids[tau - len(data.token_ids[column]):], data.token_ids[column])


def test_sentence_classification_order_depends_on_seed():
    assert sentence_classification(1).sentences == sentence_classification(1).sentences
    assert sentence_classification(1).sentences != sentence_classification(2).sentences


def test_example_sentence_has_six_tokens_ending_with_end_of_sentence():
    assert len(EXAMPLE_SENTENCE) == 6
    assert EXAMPLE_SENTENCE[-1] == "<eos>"


def test_sliding_windows_repeat_the_ground_in_two_windows():
    """The lecture's point: "the ground" appears in "in the ground" and "the ground there"."""
    windows, following = sliding_windows(tokenize(LECTURE_SENTENCE), width=3)
    as_text = [" ".join(window) for window in windows]
    assert "in the ground" in as_text and "the ground there" in as_text
    assert following[as_text.index("in the ground")] == "there"


def test_sliding_windows_shapes():
    windows, following = sliding_windows(np.arange(10), width=3)
    assert windows.shape == (7, 3)
    assert np.array_equal(windows[2], [2, 3, 4])
    assert following[2] == 5


def test_window_features_concatenate_embeddings_as_columns():
    embedding = np.arange(8.0).reshape(2, 4)
    features = window_features(np.array([[0, 3, 1]]), embedding)
    assert features.shape == (6, 1)
    assert np.array_equal(features[:, 0], np.concatenate([embedding[:, 0], embedding[:, 3], embedding[:, 1]]))
