"""Parse, print, evaluate and shape-check students' hand-derived gradient answers (issue 5).

Entry points: `rnn.exam.parse.parse_answer`, `rnn.exam.parse_text.parse_text`,
`rnn.exam.parse_latex.parse_latex`, `rnn.exam.printers.to_text` / `to_latex`,
`rnn.exam.evaluate.evaluate`, `rnn.exam.shapes.infer_shape`. See docs/answer-syntax.md.
"""
