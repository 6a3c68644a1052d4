"""Evaluation points for a question: random parameters, inputs, a nonzero h^(0), and every
forward value and gradient of the unrolled graph, read from the engine.

A `Point` unrolls the question's model with `rnn.unroll`, runs the engine's reverse mode
(``backward``) and records each named node's value and ``.grad`` under the answer syntax's
keys: ``('h', 3)`` is h^(3), ``('grad_h', 3)`` is grad_{h^(3)} L, ``('W', None)`` is W.
The truth a question asks for is one of those gradients, so it never comes from a formula.
Sizes differ (n_in != H != K) so that a missing transpose changes a shape or a value.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .evaluate import AnswerValues, environment_key

SQUARE = 4                      # n_in = H = K of the diagnostic point (see `square_point`)
_SCALAR_ALIASES = {"W": "w", "U": "u"}
_CONSTRUCTORS = {"rnn": "SimpleRNN", "output_rnn": "OutputRNN", "lstm": "LSTM", "gru": "GRU"}


@dataclass
class Point:
    """One evaluation point: values by answer key, sizes, and the truth at each checked step.

    `env` maps (name, step or None) to arrays; `truth` maps each step t of `steps` to the
    asked gradient there; `dims` names the sizes ({'n_in': 2, 'H': 4, 'K': 6}); `unrolled`
    is the engine's graph after backward.
    """

    env: dict
    tau: int
    dims: dict
    steps: tuple
    truth: dict
    unrolled: object
    kind: str = "random"

    @property
    def n_classes(self):
        return self.dims.get("K")

    @property
    def values(self):
        """The point's values for `rnn.expr.evaluate.evaluate`."""
        return AnswerValues(self.env, self.tau, self.n_classes)


def random_points(question, seed=0, count=3):
    """`count` points with random sizes (unless the question fixes them), values and tau."""
    rng = np.random.default_rng([seed, 5])
    return [make_point(question, rng) for _ in range(count)]


def square_point(question, seed=0):
    """A point where n_in = H = K (batch 1): shape-wrong answers such as V @ grad_o[t] can be
    evaluated there and compared with the anticipated mistakes. None for fixed-size questions."""
    if question.sizes is not None or question.model == "scalar_rnn":
        return None
    rng = np.random.default_rng([seed, 7])
    return make_point(question, rng, sizes=(SQUARE, SQUARE, SQUARE), kind="square")


def given_point(question, seed=0):
    """The point of the question's given numbers (others drawn with `seed`), or None."""
    if not question.given:
        return None
    rng = np.random.default_rng([seed, 11])
    return make_point(question, rng, given=question.given, kind="given")


def make_point(question, rng, sizes=None, given=None, kind="random"):
    """Unroll the question's model at random values (and the `given` ones), run backward, record."""
    n_in, hidden, classes = sizes or _sizes(question, rng)
    tau = question.tau or int(rng.integers(3, 5))
    model = _model(question, n_in, hidden, classes)
    _randomize(model, question, rng)
    x = rng.normal(0.0, 1.0, size=(tau, n_in, 1))
    y = _targets(model, question, rng, tau, classes)
    state = {kind_: rng.normal(0.0, 0.5, size=(model.state_size(kind_), 1)) for kind_ in model.carry}
    if given:
        x, y = _apply_given(model, question, given, x, y, state)
    import rnn
    unrolled = rnn.unroll(model, x, y, h0=state, loss=question.loss)
    root = unrolled.loss if question.of is None else unrolled.node(
        question.of.name, question.of.index.resolve(None, tau) if question.of.index else None)
    root.backward()
    env = _environment(unrolled, question, tau)
    steps = question.step_range(tau)
    truth = {t: env[environment_key(question.asked, t, tau)] for t in steps}
    dims = {"n_in": n_in, "H": hidden, "K": classes}
    return Point(env, tau, dims, steps, truth, unrolled, kind)


def _sizes(question, rng):
    if question.model == "scalar_rnn":
        return 1, 1, 1
    if question.sizes is not None:
        s = question.sizes
        return s["n_in"], s["hidden"], s["classes"]
    # n_in < H < K, all different, so a missing transpose or reversed product shows in a shape
    return int(rng.integers(2, 4)), int(rng.integers(4, 6)), int(rng.integers(6, 8))


def _model(question, n_in, hidden, classes):
    import rnn
    if question.model == "scalar_rnn":
        # h_t = tanh(w h_{t-1} + u x_t), read once at tau = 2 with L = 1/2 (h_2 - y)^2
        return rnn.SeqToOne(1, 1, 1, head="linear")
    if question.cell is not None:
        return question.cell.model(n_in, hidden, classes)
    return getattr(rnn, _CONSTRUCTORS[question.model])(n_in, hidden, classes, **question.options)


def _randomize(model, question, rng):
    """Draw parameters large enough that tanh and sigma are far from linear (1 - h^2 != 1)."""
    values = {}
    for name, p in model.params.items():
        if question.model == "scalar_rnn":
            values[name] = _scalar_parameter(name, rng)
        elif name.startswith(("b", "c")):
            values[name] = rng.normal(0.0, 0.5, size=p.shape)
        else:
            values[name] = rng.normal(0.0, 1.2 / np.sqrt(p.shape[1]), size=p.shape)
    model.load(values)


def _scalar_parameter(name, rng):
    if name in ("W", "U"):
        return np.full((1, 1), rng.choice([-1.0, 1.0]) * rng.uniform(0.4, 1.2))
    return np.full((1, 1), 1.0 if name == "V" else 0.0)


def _targets(model, question, rng, tau, classes):
    if question.model == "scalar_rnn":
        return rng.uniform(-0.8, 0.8, size=(1, 1))
    if question.cell is not None:
        return question.cell.sample_targets(rng, tau, classes)
    return rng.integers(0, classes, size=(tau, 1))


def _apply_given(model, question, given, x, y, state):
    """Put the given numbers ({'w': 0.5, 'x[1]': 1.0, 'h[0]': 0.2, 'y': 0.1}) into the model."""
    from .cell_questions import cell_names
    from .custom import KNOWN_NAMES
    from .parse_text import parse_text
    names = KNOWN_NAMES if question.cell is None else cell_names(question.cell)
    aliases = {alias: name for name, alias in _SCALAR_ALIASES.items()} if question.model == "scalar_rnn" else {}
    x, y = x.copy(), y.copy()
    for key, value in given.items():
        symbol = parse_text(key, names)
        name = aliases.get(symbol.name, symbol.name)
        step = symbol.index.resolve(None, x.shape[0]) if symbol.index else None
        if step is None and name in model.params:
            model.load({name: np.reshape(value, model.params[name].shape)})
        elif name == "x" and step is not None and 1 <= step <= x.shape[0]:
            x[step - 1] = np.reshape(value, x[step - 1].shape)
        elif name in state and step == 0:
            state[name] = np.reshape(np.asarray(value, dtype=float), state[name].shape)
        elif name == "y":
            target = y if step is None or y.ndim < 2 or question.model == "scalar_rnn" else y[step - 1]
            target[...] = np.reshape(value, target.shape)
        else:
            from .questions import QuestionError
            raise QuestionError(f"{question.id}: cannot set the given {key}; give parameters, x[t], "
                                f"the initial state ({', '.join(f'{k}[0]' for k in state)}) or y")
    return x, y


def _environment(unrolled, question, tau):
    """{(name, step): value} of every named node and its gradient, parameters, and tau."""
    env = {("tau", None): np.float64(tau)}
    for node in unrolled.nodes.values():
        meta = node.meta
        kind = meta.get("kind")
        if kind is None or "copy_for" in meta or meta.get("cut"):
            continue
        step = meta.get("t")
        env[(kind, step)] = node.value
        if node.grad is not None:
            env[(f"grad_{kind}", step)] = node.grad
    for name, p in unrolled.params.items():
        names = [name]
        if question.model == "scalar_rnn" and name in _SCALAR_ALIASES:
            names.append(_SCALAR_ALIASES[name])
        for alias in names:
            env[(alias, None)] = p.value
            if p.grad is not None:
                env[(f"grad_{alias}", None)] = p.grad
    if question.model == "scalar_rnn":
        env[("y", None)] = env[("y", tau)]
    return env
