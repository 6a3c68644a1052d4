"""What a student and a lecturer read of a variant: the statement and the worked solution,
as Markdown (``$...$`` math, also the question file's statement) and as Beamer frames.

Notation is the book's, spelled by `rnn.names`: bold vectors with the step as superscript
(t), U V W b c, \\operatorname{diag}, ^\\top, tau. The solution is the derivation's own chain of
adjoints (`rnn.derive`'s matrix form of the variant's cell) from L to the asked gradient, in
the order of eqs 10.18-10.28, each equation with one line saying where it comes from.
"""
from __future__ import annotations

from rnn.names import SYMBOLS, bold, param_latex, tex_text, with_superscript

from .variant_cell import title

FUNCTION_LATEX = {"tanh": r"\tanh\left({}\right)", "sigmoid": r"\sigma\left({}\right)",
                  "relu": r"\max\left(0, {}\right)"}
"""eq. 10.9's activation applied to a^(t); ReLU's max is taken elementwise."""
TOP = r"\top"


def vec(kind, step="t"):
    r"""``\boldsymbol{h}^{(t)}``: a node of step `step` in book notation (y bold: a target vector)."""
    symbol = bold("y") if kind == "y" else SYMBOLS[kind]
    return f"{symbol}^{{({step})}}"


def grad(kind, step="t"):
    return rf"\nabla_{{{vec(kind, step)}}} L"


def model_equations(variant):
    """The variant's forward pass and loss, one LaTeX line each (eqs 10.8-10.14)."""
    W, U, V, b, c = (param_latex(n) for n in "WUVbc")
    act = FUNCTION_LATEX[variant.activation].format(vec("a"))
    lines = [f"{vec('a')} &= {b} + {W} {vec('h', 't-1')} + {U} {vec('x')}",
             f"{vec('h')} &= {act}",
             f"{vec('o')} &= {c} + {V} {vec('h')}"]
    if variant.loss == "nll":
        lines += [rf"{vec('yhat')} &= \operatorname{{softmax}}\left({vec('o')}\right)",
                  rf"L^{{(t)}} &= -\log \hat{{y}}^{{(t)}}_{{y^{{(t)}}}}"]
    else:
        lines += [rf"L^{{(t)}} &= \frac{{1}}{{2}} \left\lVert {vec('o')} - {vec('y')} \right\rVert^{{2}}"]
    lines.append(r"L &= \sum_{t=1}^{\tau} L^{(t)}")
    return lines


def param_grad(name):
    r"""``\nabla_{\boldsymbol{W}} L``: the gradient of L with respect to a parameter."""
    return rf"\nabla_{{{param_latex(name)}}} L"


def _in_terms_of(variant):
    """What to derive, and what the answer is written with: a ReLU variant's gradients at the
    pre-activations a^(t), the others' at the hidden states with the states themselves."""
    relu = variant.activation == "relu"
    grads = f"the gradients ${grad('a' if relu else 'h')}$"
    states = "" if relu else "the hidden states and "
    tau = r"\tau"
    return {
        "W": f"Give ${param_grad('W')}$ in terms of the hidden states and {grads}.",
        "U": f"Give ${param_grad('U')}$ in terms of the inputs{'' if relu else ', the hidden states'} and {grads}.",
        "b": f"Give ${param_grad('b')}$ in terms of {states}{grads}.",
        "V": f"Give ${param_grad('V')}$ in terms of the hidden states and the gradients ${grad('o')}$.",
        "c": f"Give ${param_grad('c')}$ in terms of the gradients ${grad('o')}$.",
        "h[t]": (f"Give the recursion for ${grad('h')}$ when $t < {tau}$, in terms of "
                 + (f"${grad('a', 't+1')}$" if relu else f"${vec('h', 't+1')}$ and ${grad('h', 't+1')}$")
                 + f" and ${grad('o')}$."),
        "h[tau]": f"Give ${grad('h', tau)}$ at the last step ${tau}$, in terms of ${grad('o', tau)}$.",
        "o[t]": f"Give ${grad('o')}$ at any step $t$.",
    }[variant.asked.wrt]


def _sizes(variant):
    return (f"${vec('x')} \\in \\mathbb{{R}}^{{{variant.n_in}}}$, ${vec('h')} \\in \\mathbb{{R}}^{{{variant.hidden}}}$, "
            f"${vec('o')} \\in \\mathbb{{R}}^{{{variant.classes}}}$, $\\tau = {variant.tau}$")


def _intro(variant):
    act = {"tanh": "tanh", "relu": "ReLU, applied elementwise",
           "sigmoid": "the logistic sigmoid $\\sigma(z) = 1/(1 + e^{-z})$, applied elementwise"}[variant.activation]
    loss = ("the negative log-likelihood of a softmax output, $y^{(t)}$ the target class"
            if variant.loss == "nll" else f"the squared error, ${vec('y')}$ the target vector")
    return (f"An RNN (Fig. 10.3) whose hidden units use {act} (eq. 10.9), with {loss}, "
            f"for $t = 1, \\dots, \\tau$ from a given ${vec('h', '0')}$:")


def statement_markdown(variant, symbols):
    math = " \\\\\n".join(model_equations(variant))
    return (f"{_intro(variant)}\n\n$$\n\\begin{{aligned}}\n{math}\n\\end{{aligned}}\n$$\n\n"
            f"Sizes: {_sizes(variant)}.\n\n{_in_terms_of(variant)}\n\n"
            f"Type the answer in plain text or LaTeX (gradbook's answer syntax); it may use "
            f"{', '.join(f'`{s}`' for s in symbols)}.\n")


def _tex_prose(text):
    """Markdown prose in LaTeX: outside ``$...$`` TeX's special characters escaped, `code` typewriter."""
    parts = text.split("$")
    out = []
    for k, part in enumerate(parts):
        if k % 2:
            out.append(f"${part}$")
            continue
        pieces = part.split("`")
        out.append("".join(rf"\texttt{{{tex_text(p)}}}" if j % 2 else tex_text(p) for j, p in enumerate(pieces)))
    return "".join(out)


def statement_latex(variant, symbols):
    """One Beamer frame: the model, the sizes, what to derive."""
    math = " \\\\\n".join(model_equations(variant))
    names = ", ".join(rf"\texttt{{{tex_text(s)}}}" for s in symbols)
    return (f"\\begin{{frame}}{{{_tex_prose(math_heading(variant))}}}\n\\small\n{_tex_prose(_intro(variant))}\n"
            f"\\begin{{align*}}\n{math}\n\\end{{align*}}\n"
            f"Sizes: {_tex_prose(_sizes(variant))}.\n\n{_tex_prose(_in_terms_of(variant))}\n"
            f"The answer may use {names}.\n\\end{{frame}}\n")


def heading(variant):
    """The variant's name in plain text (the question file's title)."""
    return f"Exam variant {variant.seed}: {variant.asked.symbol}"


def math_heading(variant):
    """The variant's name with the asked gradient in book notation (headings and frame titles)."""
    return f"Exam variant {variant.seed}: ${_asked_latex(variant)}$"


# ----- the worked solution -------------------------------------------------------------------

def _derivative(activation):
    """The activation's derivative at a^(t), and the diagonal factor it puts in eq. 10.21."""
    h, a = vec("h"), vec("a")
    return {
        "tanh": rf"$\tanh'(z) = 1 - \tanh^{{2}}(z)$, so the factor is "
                rf"$\operatorname{{diag}}\left(1 - \left({h}\right)^{{2}}\right)$ (eq. 10.21)",
        "sigmoid": rf"$\sigma'(z) = \sigma(z)\left(1 - \sigma(z)\right)$, so the factor is "
                   rf"$\operatorname{{diag}}\left({h} \odot \left(1 - {h}\right)\right)$ in place of eq. 10.21's "
                   rf"$\operatorname{{diag}}\left(1 - \left({h}\right)^{{2}}\right)$",
        "relu": rf"ReLU's derivative is the step function: 1 where ${a} > 0$, 0 elsewhere",
    }[activation]


def explanation(key, variant):
    """One line, in book notation: where the derived equation `key` comes from, and its book equation."""
    W, U, V, b, c = (param_latex(n) for n in "WUVbc")
    h, o, a = vec("h"), vec("o"), vec("a")
    h_tau, o_tau = vec("h", r"\tau"), vec("o", r"\tau")
    relu = variant.activation == "relu"
    through = (f"the adjoint of ${vec('a', 't+1')}$" if relu else
               f"${vec('a', 't+1')} = {b} + {W} {h} + {U} {vec('x', 't+1')}$")
    line = {
        "o": ("Softmax with the negative log-likelihood: the gradient at the output units is the prediction "
              f"minus the one-hot target (eq. 10.18)." if variant.loss == "nll" else
              rf"Squared error: the gradient of $\frac{{1}}{{2}}\left\lVert {o} - {vec('y')} \right\rVert^{{2}}$ "
              f"at ${o}$ is the residual ${o} - {vec('y')}$ (in place of eq. 10.18)."),
        "h@tau": rf"At the last step ${h_tau}$ feeds only ${o_tau}$, so only the output "
                 "path remains (eq. 10.19).",
        "h": rf"For $t < \tau$, ${h}$ feeds ${o}$ and the next step through {through}: the two paths add "
             "(eqs. 10.20-10.21).",
        "a": f"Through ${h} = \\max\\left(0, {a}\\right)$: {_derivative('relu')}, a diagonal Jacobian.",
        "c": f"${c}$ is used at every step: its gradient sums the gradients at ${o}$ (eq. 10.22).",
        "b": f"${b}$ is used at every step: its gradient sums the gradients at ${a}$ (eq. 10.23).",
        "V": f"${V}$ is used at every step: the gradient at ${o}$ times ${with_superscript(h, TOP)}$, summed "
             "over $t$ (eq. 10.24).",
        "W": f"${W}$ is used at every step (its copies ${W}^{{(t)}}$): the gradient at ${a}$ times "
             f"${with_superscript(vec('h', 't-1'), TOP)}$, summed over $t$ (eqs. 10.25-10.26).",
        "U": f"${U}$ is used at every step: the gradient at ${a}$ times ${with_superscript(vec('x'), TOP)}$, "
             "summed over $t$ "
             "(eqs. 10.27-10.28).",
    }[key]
    if key in ("h", "W", "U", "b") and not relu:
        line += f" Here {_derivative(variant.activation)}."
    return line


def chain(derivation, variant):
    """The derivation's equations from L to the asked gradient, in the order of eqs 10.18-10.28,
    the asked one last."""
    order = ("o", "h@tau", "h", "a", "c", "b", "V", "W", "U")
    wanted = set(variant.asked.chain) | {variant.asked.key}
    found = {eq.key: eq for eq in derivation.equations if eq.key in wanted}
    asked = variant.asked.key
    return [found[k] for k in order if k in found and k != asked] + [found[asked]]


def solution_markdown(variant, equations, reference):
    parts = [f"# Worked solution, {math_heading(variant)}", _solution_intro(variant)]
    for k, eq in enumerate(equations, start=1):
        parts.append(f"**Step {k}.** {explanation(eq.key, variant)}\n\n$$\n{eq.latex('aligned')}\n$$")
    parts.append(f"## Answer\n\n$$\n{equations[-1].latex('aligned')}\n$$\n\n"
                 f"As typed for `gradbook check`: `{reference}`")
    return "\n\n".join(parts) + "\n"


def _solution_intro(variant):
    return (f"{title(variant)}: {_sizes(variant)}. The chain of adjoints from $L$ to "
            f"${_asked_latex(variant)}$, in the order of eqs 10.18-10.28: each equation is the matrix-form "
            f"derivation of this variant's cell (`gradbook derive cell.py`), checked against the engine's "
            f"gradients and finite differences.")


def _asked_latex(variant):
    wrt = variant.asked.wrt
    if wrt in ("h[t]", "o[t]", "h[tau]"):
        return grad(wrt[0], r"\tau" if wrt == "h[tau]" else "t")
    return param_grad(wrt)


STEPS_PER_FRAME = 2


def solution_latex(variant, equations, reference):
    """Beamer frames: the introduction, two steps a frame, and the answer."""
    title_text = tex_text(f"Worked solution, variant {variant.seed}")
    frames = [f"\\begin{{frame}}{{{title_text}}}\n\\small\n{_tex_prose(_solution_intro(variant))}\n\\end{{frame}}"]
    for start in range(0, len(equations), STEPS_PER_FRAME):
        body = [f"\\textbf{{Step {k}.}} {_tex_prose(explanation(eq.key, variant))}\n{eq.latex('align')}"
                for k, eq in enumerate(equations[start:start + STEPS_PER_FRAME], start=start + 1)]
        frames.append(f"\\begin{{frame}}{{{title_text}}}\n\\small\n" + "\n".join(body) + "\n\\end{frame}")
    frames.append(f"\\begin{{frame}}{{{title_text}: the answer}}\n\\small\n{equations[-1].latex('align')}\n"
                  f"As typed for \\texttt{{gradbook check}}: \\texttt{{{tex_text(reference)}}}\n\\end{{frame}}")
    return "\n".join(frames) + "\n"
