"""The matrix-expression language shared by the derivation (`rnn.derive`) and the exam (`rnn.exam`).

`tree` is the one expression tree both build: the derivation through its algebra
(`rnn.derive.algebra`), the answers through the text and LaTeX parsers.
`functions` is the one table of the functions an expression may apply (tanh, sigma, ReLU,
step, diag, softmax ...): every parser, printer, the evaluator and the symbolic check read it.
`time` is the one time-index type (t-1, tau, 3) a tree names a step with.
`printers` holds the one printer per output (text, LaTeX, MathML) both sides print with,
each in its own `Style`; `evaluate` the one NumPy evaluator, with each side's `Values`;
`shapes` the rules by which operands' shapes combine (the evaluator's and the exam's shape check).
"""
