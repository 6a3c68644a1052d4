"""The checker: is a hand-derived answer correct, incorrect (and why), or unreadable?

Order of the checks (issue 5):

1. read the answer with the safe parser, allowing only the question's symbols (else *invalid*,
   with the column and the reason);
2. shapes: an impossible product, or a result shaped unlike the quantity asked, is
   *incorrect*; the book's printed eq. 10.21 is caught here. If the answer is really a named
   mistake (V @ grad_o[t] is a missing transpose), the square point (n_in = H = K) or the tree
   structure tells which;
3. numbers: the answer and the engine's gradient at several random points (random sizes, nonzero
   h^(0), every t checked); equal everywhere means *correct*. A pure number is compared at the
   question's given numbers, to hand-calculation precision;
4. otherwise the anticipated mistakes (`rnn.exam.mistakes`) are evaluated at the same points and
   the one the answer equals is named, alone or as a pair;
5. symbolic confirmation where cheap (`rnn.exam.symbolic`): a scalar-exam answer minus the
   engine's derivation is reduced with SymPy, giving `confirmed` True, False or None. The
   numeric check keeps the verdict.
"""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace

import numpy as np

from rnn.expr.evaluate import evaluate
from rnn.expr.shapes import Dim
from rnn.expr.time import FIRST_STEP, LAST_STEP, TimeIndex
from rnn.expr.tree import Symbol, SumOverTime, children, walk

from .base_case import wrong_base_case
from .context import given_point, random_points, square_point
from .errors import EvaluationError, ParseError, ShapeMismatch, UnknownSymbol
from .evaluate import environment_key
from .locate import Locator
from .mistakes import MISTAKES, canonical, feedback, mutants, replace_at, with_step
from .parse import read_answer
from .parse_text import parse_text
from .printers import to_latex, to_text
from .questions import QuestionError
from . import symbolic
from .shapes import infer_shape, shape_text

VERDICTS = ("correct", "incorrect", "invalid")
EXIT_CODES = {"correct": 0, "incorrect": 1, "invalid": 2}
RTOL = 1e-6               # symbolic answers: the same function up to rounding
NUMERIC_RTOL = 5e-3       # a number worked out by hand: 3 significant digits
NUMERIC_ATOL = 1e-3


@dataclass
class Result:
    """The verdict on one answer, with the evidence; `to_dict()` is the JSON of `gradbook check`."""

    verdict: str
    mistake: str | None
    message: str
    question: str
    answer: str
    parsed: str | None = None
    latex: str | None = None
    mistakes: list = field(default_factory=list)
    position: int | None = None
    shape: str | None = None
    expected_shape: str | None = None
    error: float | None = None
    confirmed: bool | None = None
    seconds: float = 0.0

    @property
    def exit_code(self):
        return EXIT_CODES[self.verdict]

    def to_dict(self):
        return asdict(self)


class Checker:
    """Checks answers to one question; points, answer key and mutants are computed once.

    `seed` fixes the random points; `count` is how many random points (plus the square point
    and the point of the given numbers, when the question has them).
    """

    def __init__(self, question, seed=0, count=3, confirm_budget=symbolic.BUDGET):
        self.question = question
        self.seed = seed
        self.count = count
        self.confirm_budget = confirm_budget  # seconds for the symbolic confirmation; None: no limit
        # The asked quantity itself is readable, so that restating it is marked 'circular', not unreadable.
        self.names = frozenset(question.symbols) | {question.asked.name}
        self._points = None
        self._square = False
        self._reference = None
        self._mutants = None
        self._pairs = None
        self._cache = {}
        self._marked = {}
        self._symbolic_key = None
        self._locator = None
        self._derived = False

    # ----- lazily built pieces ---------------------------------------------------------------
    @property
    def points(self):
        if self._points is None:
            given = given_point(self.question, self.seed)
            self._points = random_points(self.question, self.seed, self.count) + ([given] if given else [])
            self._verify_reference()
        return self._points

    @property
    def square(self):
        if self._square is False:
            self._square = square_point(self.question, self.seed)
        return self._square

    @property
    def reference(self):
        """The answer key as a tree (None when the question has none)."""
        if self._reference is None and self.question.reference:
            self._reference = parse_text(self.question.reference, self.names)
        return self._reference

    @property
    def key(self):
        """The tree the anticipated mistakes are made from: the question's answer key, or where it
        gives none (a question on a lecturer's cell) the derived one (`derived`)."""
        return self.reference if self.reference is not None else self.derived

    @property
    def mutants(self):
        if self._mutants is None:
            self._mutants = mutants(self.key, self.question) if self.key is not None else []
        return self._mutants

    def _verify_reference(self):
        """A wrong answer key would hide behind its own mutants: check it against the engine."""
        if self.reference is None:
            return
        for point in self._points:
            values = self._values(self.reference, point)
            if not all(_close(values[t], point.truth[t], RTOL) for t in point.steps):
                raise QuestionError(f"{self.question.id}: the reference answer {self.question.reference!r} "
                                    "disagrees with the engine's gradient; fix the answer key")

    @property
    def pairs(self):
        """(first, second) mutants: the key with two mistakes at once, second of a new kind."""
        if self._pairs is None:
            self._pairs = [(first, second) for first in self.mutants
                           for second in mutants(first.node, self.question) if second.name != first.name]
        return self._pairs

    def _values(self, node, point):
        """{t: value} of the key or a mutant at every checked step of `point`, computed once.

        Errors are cached too (as the exception), so a mutant that cannot be evaluated at a
        point is not retried for every answer. Keys are ids: the trees live in this checker.
        """
        key = (id(point), id(node))
        if key not in self._cache:
            try:
                self._cache[key] = _evaluate_steps(node, point)
            except (ShapeMismatch, UnknownSymbol, EvaluationError) as exc:
                self._cache[key] = exc
        values = self._cache[key]
        if isinstance(values, Exception):
            raise values
        return values

    # ----- the check -------------------------------------------------------------------------
    def check(self, source, syntax="auto"):
        """The Result for the answer `source` typed in `syntax` ('text', 'latex' or 'auto')."""
        start = time.perf_counter()
        # a class types the same answer many times: mark each distinct text once
        key = (source, syntax) if isinstance(source, str) else None
        if key in self._marked:
            result = replace(self._marked[key], mistakes=list(self._marked[key].mistakes))
        else:
            result = self._check(source, syntax)
            if key is not None:
                self._marked[key] = result
        result = replace(result, seconds=time.perf_counter() - start)
        return result

    def _check(self, source, syntax):
        try:
            node, notes = read_answer(source, syntax, names=self.names)
        except ParseError as exc:
            base = {"question": self.question.id, "answer": source if isinstance(source, str) else repr(source)}
            return Result("invalid", None, f"cannot read the answer: {exc}", position=exc.position, **base)
        result = self._check_tree(source, node)
        if notes:
            result = replace(result, message=f"{result.message} (Before reading it: {'; '.join(notes)}.)")
        return result

    def _check_tree(self, source, node):
        q = self.question
        base = {"question": q.id, "answer": source if isinstance(source, str) else repr(source)}
        base.update(parsed=to_text(node), latex=to_latex(node))
        point = self.points[0]
        circular = self._circular(node, point)
        if circular:
            return Result("incorrect", "circular", feedback("circular", circular), mistakes=["circular"], **base)
        try:
            shape_problem, shapes = self._shape_problem(node, point)
        except UnknownSymbol as exc:
            return Result("invalid", None, f"{exc} (this model has no such quantity)", **base)
        base.update(shapes)
        if shape_problem:
            return self._diagnose_shape(node, shape_problem, base)
        numeric = not any(isinstance(n, Symbol) for n in walk(node))
        points = [p for p in self.points if p.kind == "given"] if numeric and q.given else self.points
        values = {}
        for p in points:
            try:
                values[id(p)] = _evaluate_steps(node, p)
            except UnknownSymbol as exc:
                return self._base_case(node, base) or Result(
                    "incorrect", "wrong-time-index", _missing_step(exc, p.tau), mistakes=["wrong-time-index"], **base)
            except ShapeMismatch as exc:
                return self._diagnose_shape(node, str(exc), base)
            except EvaluationError as exc:
                return Result("incorrect", None, f"the answer cannot be evaluated: {exc}", **base)
        tolerance = NUMERIC_RTOL if numeric else RTOL
        error = max(_relative_error(values[id(p)][t], p.truth[t]) for p in points for t in p.steps)
        if all(_close(values[id(p)][t], p.truth[t], tolerance, numeric) for p in points for t in p.steps):
            note = ("The number matches the engine's value at the given numbers" if numeric
                    else "The answer equals the engine's gradient at every point checked")
            result = Result("correct", None, f"{note}.", error=error, **base)
        else:
            result = (self._outside_sum(node, base, error) or self._sum_range(node, points, base, error)
                      or self._diagnose_values(values, points, base, error, tolerance, numeric, node))
        return result if numeric else self._confirm(node, result)

    def _base_case(self, node, base):
        """The recursion written at its boundary step (`rnn.exam.base_case`), or None."""
        found = wrong_base_case(self.question, node, self.points, lambda a, b: _close(a, b, RTOL))
        if found is None:
            return None
        return Result("incorrect", "wrong-base-case", feedback("wrong-base-case", *found),
                      mistakes=["wrong-base-case"], **base)

    def _outside_sum(self, node, base, error):
        """A step t left outside the sum of an answer whose quantity has no t (a parameter's gradient):
        the sum stops at the next + or -, so `sum_t yhat[t] - onehot(y[t])` leaves y[t] outside."""
        if self.question.asked.index is not None or not _has_free_t(node):
            return None
        if not any(isinstance(n, SumOverTime) for n in walk(node)):
            return None
        inside = {id(n) for s in walk(node) if isinstance(s, SumOverTime) for n in walk(s.body)}
        outside = [to_text(n) for n in walk(node) if isinstance(n, Symbol) and n.index is not None
                   and n.index.base == "t" and id(n) not in inside]
        whole = SumOverTime(_without_sums(node))
        fixed = ""
        try:
            if all(_close(v, p.truth[t], RTOL) for p in self.points
                   for t, v in _evaluate_steps(whole, p).items()):
                fixed = f" With the sum around the whole answer, {to_text(whole)}, it is correct."
        except (ShapeMismatch, UnknownSymbol, EvaluationError):
            pass
        message = feedback("t-outside-sum", ", ".join(dict.fromkeys(outside))) + fixed
        return Result("incorrect", "t-outside-sum", message, mistakes=["t-outside-sum"], error=error, **base)

    def _sum_range(self, node, points, base, error):
        """A sum over t that starts or ends at the wrong step: wrong, naming the steps it leaves out."""
        ranged = [(path, n) for path, n in _sums(node) if not n.full_range]
        if not ranged:
            return None
        fixed = node
        for path, n in ranged:
            fixed = replace_at(fixed, path, replace(n, first=FIRST_STEP, last=LAST_STEP))
        try:
            if not all(_close(v, p.truth[t], RTOL) for p in points for t, v in _evaluate_steps(fixed, p).items()):
                return None
        except (ShapeMismatch, UnknownSymbol, EvaluationError):
            return None
        parts = []
        for _path, n in ranged:
            missing, extra = [], []
            if n.first.base is None:
                missing += [TimeIndex(None, k) for k in range(1, n.first.offset)]
                extra += [TimeIndex(None, k) for k in range(n.first.offset, 1)]
            if n.last.base == "tau":
                missing += [TimeIndex("tau", k) for k in range(n.last.offset + 1, 1)]
                extra += [TimeIndex("tau", k) for k in range(1, n.last.offset + 1)]
            said = f"yours runs over {n.range_text()}"
            for steps, verb in ((missing, "lacks"), (extra, "adds")):
                if steps:
                    terms = ", ".join(f"the t = {s.text()} term {to_text(with_step(n.body, s))}" for s in steps)
                    said += f", so it {verb} {terms}"
            parts.append(said)
        return Result("incorrect", "wrong-sum-range", feedback("wrong-sum-range", "; ".join(parts)),
                      mistakes=["wrong-sum-range"], error=error, **base)

    def _confirm(self, node, result):
        """`result` with the symbolic confirmation of a scalar-exam answer (others unchanged)."""
        if not symbolic.applies(self.question):
            return result
        if self._symbolic_key is None:
            try:
                self._symbolic_key = symbolic.scalar_key(self.question)
            except symbolic.Unsupported as exc:
                self._symbolic_key = exc
        if isinstance(self._symbolic_key, Exception):
            found = symbolic.Confirmation(None, f"Not confirmed symbolically: {self._symbolic_key}.")
        else:
            found = symbolic.confirm(node, self.question, self._symbolic_key, self.confirm_budget)
        message = f"{result.message} {found.note}"
        if found.confirmed is False and result.verdict == "correct":
            message += " The verdict is the numeric check's, at the points above."
        return replace(result, confirmed=found.confirmed, message=message)

    def _circular(self, node, point):
        """The text of a symbol that is the asked quantity itself (outside any sum), or None."""
        asked = self.question.asked
        inside_sums = {id(n) for s in walk(node) if isinstance(s, SumOverTime) for n in walk(s.body)}
        for symbol in walk(node):
            if isinstance(symbol, Symbol) and symbol.name == asked.name and id(symbol) not in inside_sums:
                for t in point.steps:
                    try:
                        if environment_key(symbol, t, point.tau) == environment_key(asked, t, point.tau):
                            return to_text(symbol)
                    except EvaluationError:
                        continue
        return None

    def _shape_problem(self, node, point):
        """(problem text or None, {'shape', 'expected_shape'}) from the static shape check."""
        labels = _dimension_labels(point.dims)
        shapes = {}
        for name, step in point.env:
            shapes.setdefault(name, tuple(labels.get(d, d) for d in np.shape(point.env[(name, step)])))
        dims = {label: size for size, label in labels.items()}
        expected = np.shape(point.truth[point.steps[0]])
        expected_text = shape_text(tuple(_dim(labels, d) for d in expected))
        try:
            shape = infer_shape(node, shapes, dims, point.n_classes)
        except ShapeMismatch as exc:
            return str(exc), {"expected_shape": expected_text}
        sizes = tuple(dims.get(d, d) for d in shape)
        shown = shape_text(tuple(_dim(labels, d) for d in sizes))
        info = {"shape": shown, "expected_shape": expected_text}
        if sizes != expected and not (np.prod(sizes, dtype=int) == np.prod(expected, dtype=int) == 1):
            asked = to_text(self.question.asked)
            return (f"the answer is {shown} but {asked} is {expected_text}", info)
        return None, info

    # ----- naming the mistake ----------------------------------------------------------------
    def _diagnose_shape(self, node, problem, base):
        """Shape-wrong: a named mistake if the answer equals one at the square point, else shape-mismatch."""
        found = self._square_match(node) or self._structural_match(node)
        if found:
            name, message = found
            return Result("incorrect", name, f"{message} (The shapes do not fit: {problem}.)",
                          mistakes=[name, "shape-mismatch"], **base)
        return Result("incorrect", "shape-mismatch", feedback("shape-mismatch", problem) + ".",
                      mistakes=["shape-mismatch"], **base)

    def _square_match(self, node):
        point = self.square
        if point is None:
            return None
        try:
            values = _evaluate_steps(node, point)
        except (ShapeMismatch, UnknownSymbol, EvaluationError):
            return None
        for mutant in self.mutants:
            try:
                expected = self._values(mutant.node, point)
            except (ShapeMismatch, UnknownSymbol, EvaluationError):
                continue
            for transposed in (False, True):
                if all(_close(_t(values[t], transposed), expected[t], RTOL) for t in point.steps):
                    extra = " The result is also transposed." if transposed else ""
                    return mutant.name, mutant.message() + extra
        if self.key is not None:
            expected = self._values(self.key, point)
            if all(_close(values[t].T, expected[t], RTOL) for t in point.steps):
                name = "reversed-outer-product" if "reversed-outer-product" in {m.name for m in self.mutants} \
                    else "missing-transpose"
                return name, feedback(name, to_text(node), to_text(self.key))
        return None

    def _structural_match(self, node):
        shape = canonical(node)
        for mutant in self.mutants:
            if canonical(mutant.node) == shape:
                return mutant.name, mutant.message()
        return None

    def _diagnose_values(self, values, points, base, error, tolerance=RTOL, numeric=False, node=None):
        """Name the mutant (or pair of mutants) the answer equals at every point (a number: to the
        precision of a hand calculation, so a lost minus sign is named)."""
        def matches(node, quick=False):
            for p in points[:1] if quick else points:
                try:
                    expected = self._values(node, p)
                except (ShapeMismatch, UnknownSymbol, EvaluationError):
                    return False
                steps = p.steps[:1] if quick else p.steps
                if not all(_close(values[id(p)][t], expected[t], tolerance, numeric) for t in steps):
                    return False
            return True

        for mutant in self.mutants:
            if matches(mutant.node):
                message = mutant.message()
                if numeric and mutant.name == "sign-flip" and mutant.site == "the answer":
                    message = (f"The sign is wrong: your number {base['answer'].strip()} has the size of the "
                               "right value but the opposite sign.")
                return Result("incorrect", mutant.name, message, mistakes=[mutant.name],
                              error=error, **base)
        for first, second in self.pairs:
            if matches(second.node, quick=True) and matches(second.node):
                names = [first.name, second.name]
                message = f"Two mistakes. {first.message()} Also: {second.message()}"
                return Result("incorrect", first.name, message, mistakes=names, error=error, **base)
        where = _first_difference(values, points)
        message = (f"The answer differs from the engine's gradient {where} (largest relative error "
                   f"{error:.3g}); no anticipated mistake matches.")
        located = self._locate(node) if node is not None and not numeric else None
        if located:
            message = f"{located} {message}"
        return Result("incorrect", None, message, error=error, **base)

    @property
    def derived(self):
        """The derivation's key tree (`rnn.exam.derived`) when it equals the engine's gradient at
        every point, else None (the question's loss or model is not the derived one)."""
        if self._derived is False:
            # imported here: rnn.derive loads SymPy, which a correct answer never needs
            from .derived import derived_key
            self._derived = None
            key = derived_key(self.question)
            if key is not None:
                try:
                    if all(_close(v, p.truth[t], RTOL) for p in self.points
                           for t, v in _evaluate_steps(key, p).items()):
                        self._derived = key
                except (ShapeMismatch, UnknownSymbol, EvaluationError):
                    pass
        return self._derived

    def _locate(self, node):
        """The wrong sub-term of `node`, found by comparing it with the key's tree (`rnn.exam.locate`):
        the derivation's equation, or the question's answer key where there is none."""
        key = self.derived or self.reference
        if key is None:
            return None
        if self._locator is None:
            self._locator = Locator(self.points, lambda a, b: _close(a, b, RTOL))
        return self._locator.locate(node, key, to_text(self.question.asked))


# ----- helpers -------------------------------------------------------------------------------

def _evaluate_steps(node, point):
    """{t: value} at each checked step; an answer with no free t is evaluated once."""
    free = _has_free_t(node)
    values, once = {}, None
    for t in point.steps:
        if free or once is None:
            value = evaluate(node, point.values, t)
            if not free:
                once = value
        values[t] = value if free else once
    return values


def _sums(node):
    """(path, SumOverTime) for every sum in the tree."""
    stack = [((), node)]
    while stack:
        path, current = stack.pop()
        if isinstance(current, SumOverTime):
            yield path, current
        for i, child in enumerate(children(current)):
            stack.append((path + (i,), child))


def _without_sums(node):
    """`node` with every sum replaced by its body (the sum is then put around the whole)."""
    for path, current in sorted(_sums(node), key=lambda item: -len(item[0])):
        node = replace_at(node, path, current.body)
    return node


def _has_free_t(node):
    inside = {id(n) for s in walk(node) if isinstance(s, SumOverTime) for n in walk(s.body)}
    return any(isinstance(n, Symbol) and n.index is not None and n.index.base == "t" and id(n) not in inside
               for n in walk(node))


def _missing_step(exc, tau):
    """The wrong-time-index message for a step that does not exist, with the steps that do."""
    base = exc.symbol.split("[")[0]
    steps = [s for s in exc.allowed if s.startswith(f"{base}[")]
    where = f"; {base} has the steps {', '.join(s[len(base):] for s in steps)}" if steps else ""
    return f"A time index is off: {exc.symbol} does not exist when tau = {tau}{where}."


def _t(value, transposed):
    return np.transpose(value) if transposed else value


def _as_pair(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape and a.size == b.size == 1:
        a, b = a.reshape(()), b.reshape(())
    return a, b


def _close(a, b, rtol, numeric=False):
    """a equals b up to `rtol` relative to b's largest entry (a hand-worked number: looser)."""
    a, b = _as_pair(a, b)
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    gap = np.max(np.abs(a - b), initial=0.0)
    scale = np.max(np.abs(b), initial=0.0)
    if numeric:
        return gap <= max(rtol * scale, NUMERIC_ATOL)
    return gap <= rtol * scale + 1e-12


def _relative_error(a, b):
    a, b = _as_pair(a, b)
    if a.shape != b.shape:
        return float("inf")
    gap = np.max(np.abs(a - b), initial=0.0)
    return float(gap / max(np.max(np.abs(b), initial=0.0), 1e-12))


def _first_difference(values, points):
    for p in points:
        for t in p.steps:
            if not _close(values[id(p)][t], p.truth[t], RTOL):
                step = "" if len(p.steps) == 1 or p.kind == "given" else f" at t = {t}"
                return f"{step} (tau = {p.tau})".strip() if step else f"(tau = {p.tau})"
    return ""


def _dimension_labels(dims):
    """{size: name} when the sizes differ ({2: 'n_in', 4: 'H', 6: 'K'}), else {}."""
    sizes = [size for size in dims.values() if size != 1]
    if len(set(sizes)) != len(sizes):
        return {}
    return {size: name for name, size in dims.items() if size != 1}


def _dim(labels, size):
    return Dim(size, labels.get(size))


def check_answer(question, source, syntax="auto", seed=0):
    """One-off check of `source` against `question` (see `Checker` to mark many answers)."""
    return Checker(question, seed=seed).check(source, syntax)


__all__ = ["Checker", "Result", "check_answer", "MISTAKES", "VERDICTS", "EXIT_CODES"]
