"""``gradbook graph``: draw the graph of a built-in example, with values and gradients.

The examples are fixed expressions built in code (never parsed from what a user typed),
with fixed numbers, so the same command always draws the same figure:

* ``tanh-neuron``: y = tanh(w x + b), one neuron (eq. 6.8's unit, with tanh);
* ``square``: y = x * x, one input used twice (two edges, gradients summed: 2x);
* ``mlp``: a two-layer network h = tanh(W₁ x + b₁), o = W₂ h + b₂, L = ½‖o − t‖²;
* ``softmax-ce``: L = −log softmax(o)[y], the output loss of eqs. 10.11-10.14.

``--rnn CELL --steps N`` takes a recurrent model unrolled on N small steps instead, and
``--listing`` prints the graph and its backward pass as text (`autodiff.listing`) rather
than drawing it.
"""
from __future__ import annotations

import argparse

import numpy as np

from . import ops
from .arguments import count
from .errors import GradbookError
from .render import add_export_arguments, announce_font, render
from .tensor import Tensor


def tanh_neuron():
    """y = tanh(w x + b) for one input vector; backward run from y."""
    w = Tensor([[0.5, -1.0]], name="w", label=r"\mathbf{w}", requires_grad=True)
    x = Tensor([[1.0], [2.0]], name="x", label=r"\mathbf{x}")
    b = Tensor([[0.25]], name="b", label="b", requires_grad=True)
    z = (w @ x + b).tag(name="z", label="z")
    y = ops.tanh(z).tag(name="y", label="y", role="loss")
    return y


def square():
    """y = x * x at x = 3: the input has two out-edges, so dy/dx = x + x = 6."""
    x = Tensor(3.0, name="x", label="x", requires_grad=True)
    return (x * x).tag(name="y", label="y", role="loss")


def mlp():
    """A two-layer perceptron with tanh hidden units and squared error L = ½‖o − t‖²."""
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(3, 1)).round(2), name="x", label=r"\mathbf{x}")
    W1 = Tensor(rng.normal(size=(4, 3)).round(2), name="W1", label=r"\mathbf{W}^{(1)}", requires_grad=True)
    b1 = Tensor(np.zeros((4, 1)), name="b1", label=r"\mathbf{b}^{(1)}", requires_grad=True)
    W2 = Tensor(rng.normal(size=(2, 4)).round(2), name="W2", label=r"\mathbf{W}^{(2)}", requires_grad=True)
    b2 = Tensor(np.zeros((2, 1)), name="b2", label=r"\mathbf{b}^{(2)}", requires_grad=True)
    t = Tensor([[1.0], [0.0]], name="t", label=r"\mathbf{t}", role="constant")
    h = ops.tanh(W1 @ x + b1).tag(name="h", label=r"\mathbf{h}")
    o = (W2 @ h + b2).tag(name="o", label=r"\mathbf{o}")
    err = (o - t).tag(name="e", label=r"\mathbf{e}")
    return (0.5 * ops.sum(err * err)).tag(name="L", label="L", role="loss")


def softmax_ce():
    """L = −log ŷ[y] with ŷ = softmax(o), for logits o of 3 classes and target class 2."""
    o = Tensor([[1.0], [-0.5], [0.25]], name="o", label=r"\mathbf{o}", requires_grad=True)
    return ops.cross_entropy(o, np.array([2])).tag(name="L", label="L", role="loss")


EXAMPLES = {"tanh-neuron": tanh_neuron, "square": square, "mlp": mlp, "softmax-ce": softmax_ce}


def build_example(name):
    """The root of example `name`, after its backward pass."""
    try:
        root = EXAMPLES[name]()
    except KeyError:
        raise ExampleError(f"unknown example {name!r}; use one of {', '.join(EXAMPLES)}") from None
    root.backward()
    return root


class ExampleError(GradbookError):
    """An example name that does not exist."""


def add_arguments(parser):
    parser.add_argument("--example", default="tanh-neuron", choices=sorted(EXAMPLES),
                        help="which built-in expression to draw (default: tanh-neuron)")
    parser.add_argument("-o", "--output", default="graph.svg",
                        help="figure to write (.svg .pdf .png .dot; the .dot is always written too); "
                             "with --step-through, a directory")
    parser.add_argument("--view", choices=("variable", "op"), default="variable",
                        help="variable: ops written on the nodes (the book); op: separate op nodes (micrograd)")
    parser.add_argument("--theme", choices=("screen", "print", "dark"), default="screen",
                        help="screen (colour, default), print (black and white) or dark, as in gradbook draw")
    # gradbook draw's --style names the drawing convention (book, d2l); the engine graph has one
    parser.add_argument("--style", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--rankdir", choices=("BT", "TB", "LR", "RL"), default="BT")
    parser.add_argument("--values", action="store_true", help="print each node's value")
    parser.add_argument("--grads", action="store_true", help="print each node's gradient")
    parser.add_argument("--no-legend", action="store_true", help="leave out the role legend")
    parser.add_argument("--title", default=None)
    parser.add_argument("--step-through", action="store_true",
                        help="write one frame per backward step and an index.html into --output")
    parser.add_argument("--rnn", type=_cell, default=None, metavar="CELL",
                        help=f"instead of --example, a recurrent model unrolled on --steps steps: {', '.join(_cells())}, "
                             "or a cell of your own as path/to/cell.py:NAME (docs/custom-cells.md)")
    parser.add_argument("--steps", type=count(1, 20, "a longer listing cannot be read"), default=3,
                        help="with --rnn: the sequence length tau (default 3)")
    parser.add_argument("--listing", action="store_true",
                        help="print the graph, one line per node, and its backward pass, one line per adjoint")
    add_export_arguments(parser)


def _cells():
    from rnn.train import CELLS
    return CELLS


def _cell(text):
    from rnn.custom_figure import is_cell_file
    if text in _cells() or is_cell_file(text):
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is neither a built-in cell ({', '.join(_cells())}) nor a cell "
                                     f"file such as relu_rnn.py:relu_rnn")


def run(args):
    from .graph import Graph
    from .stepthrough import write_stepthrough
    if args.style is not None:
        raise GradbookError(f"gradbook graph has no --style {args.style}; the colours are --theme "
                            f"(screen, print, dark), as in gradbook draw, where --style is book or d2l")
    if args.rnn and args.rnn not in _cells():
        from rnn.custom import load_cell
        graph = load_cell(args.rnn).example_graph(args.steps)
    elif args.rnn:
        from rnn.train import example_graph
        graph = example_graph(args.rnn, args.steps)
    else:
        graph = Graph(build_example(args.example))
    if args.listing:
        print(graph.listing())
        print("# reverse mode: one line per adjoint")
        print(graph.listing(backward=True))
        return 0
    options = dict(view=args.view, style=args.theme, rankdir=args.rankdir, legend=not args.no_legend,
                   title=args.title, font=args.font)
    announce_font(args.font)
    if args.step_through:
        path = write_stepthrough(graph, args.output, **options)
    else:
        path = render(graph, args.output, values=args.values, grads=args.grads, dpi=args.dpi, **options)
    print(path)
    return 0
