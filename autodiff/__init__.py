"""autodiff: a reverse-mode automatic differentiation engine with explicit, drawable graphs.

One graph, three readings: NumPy (values and gradients), SymPy (formulas, `autodiff.symbolic`)
and Graphviz (figures, `autodiff.render`). See docs/architecture.md.
"""
from .tensor import Tensor, constant
from .primitive import Primitive, REGISTRY, register
from .ops import (add, sub, mul, div, neg, power, matmul, transpose, reshape, broadcast_to, sum, mean,
                  getitem, scatter, concatenate, stack, exp, log, tanh, sigmoid, step, relu, softmax,
                  log_softmax, nll, cross_entropy, one_hot, expand_dims, sum_to)
from .backward import backward, backprop, toposort
from .graph import Graph, trace
from .functional import grad, value_and_grad, gradients, jacobian
from .forward import jvp, jacobian_forward
from .gradcheck import gradcheck, GradcheckReport
from .mode import detect_anomaly
from .errors import GradbookError, ShapeError, ExponentError, AnomalyError, BackwardError, RendererMissing

__all__ = [
    "Tensor", "constant", "Primitive", "REGISTRY", "register",
    "add", "sub", "mul", "div", "neg", "power", "matmul", "transpose", "reshape", "broadcast_to", "sum",
    "mean", "getitem", "scatter", "concatenate", "stack", "exp", "log", "tanh", "sigmoid", "step", "relu",
    "softmax", "log_softmax", "nll", "cross_entropy", "one_hot", "expand_dims", "sum_to",
    "backward", "backprop", "toposort", "Graph", "trace", "grad", "value_and_grad", "gradients",
    "jacobian", "jvp", "jacobian_forward", "gradcheck", "GradcheckReport", "detect_anomaly",
    "GradbookError", "ShapeError", "ExponentError", "AnomalyError", "BackwardError", "RendererMissing",
]
__version__ = "0.1.0"
