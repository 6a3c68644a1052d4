"""The matrix-expression language shared by the derivation (`rnn.derive`) and the exam (`rnn.exam`).

`functions` is the one table of the functions an expression may apply (tanh, sigma, ReLU,
step, diag, softmax ...): every parser, printer, evaluator and the symbolic check read it.
`time` is the one time-index type (t-1, tau, 3) both trees name a step with.
`printers` holds the one printer per output (text, LaTeX, MathML) both sides print with,
each in its own `Style`.
"""
