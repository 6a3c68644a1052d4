"""The marks report a lecturer opens in a browser: one self-contained HTML page, offline.

The question (its statement, the quantity asked and the answer key) and every answer are
set as mathematics in presentation MathML (`rnn.exam.printers.to_mathml`), which Chromium and Firefox
render natively, so the page needs no network and no script library; the answer as typed
stays beside it. The answers table sorts by any column with a click (a small inline
script; ``#sort=points`` or ``#sort=points,desc`` in the address sorts on opening, by the same
click). Counts per verdict and per named mistake, the rubric's points and a histogram of
the scores (inline SVG) head the page. Everything a student typed is escaped.
"""
from __future__ import annotations

import html
import math
from functools import lru_cache

from autodiff.files import write_text

from .errors import ParseError
from .printers import symbol_mathml, to_mathml
from .parse_text import parse_text

VERDICTS = ("correct", "incorrect", "invalid", "blank", "malformed")
# (key used by #sort=, heading, numeric)
COLUMNS = (("line", "line", True), ("student", "student", False), ("answer", "answer", False),
           ("verdict", "verdict", False), ("mistake", "mistake", False), ("points", "points", True),
           ("feedback", "feedback", False), ("notes", "notes", False))
_BAR_WIDTH, _CHART_HEIGHT, _MARGIN = 28, 120, 24

_SORT_SCRIPT = """
document.querySelectorAll("table.sortable th").forEach((th, column) => {
  const sort = () => {
    const table = th.closest("table"), body = table.tBodies[0];
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(h => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const numeric = th.dataset.type === "number";
    const key = row => {
      const cell = row.cells[column], value = cell.dataset.sort ?? cell.textContent.trim();
      return numeric ? parseFloat(value) : value.toLowerCase();
    };
    // Array.sort is stable: equal keys keep the order of the answers file.
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
    });
    rows.forEach(row => body.appendChild(row));
  };
  th.addEventListener("click", sort);
  th.addEventListener("keydown", event => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); } });
});
const wanted = /[#&]sort=([a-z]+)(,desc)?/.exec(location.hash);
const header = wanted && document.querySelector(`th[data-key="${wanted[1]}"]`);
if (header) { header.click(); if (wanted[2]) header.click(); }
"""

_STYLE = """body{font-family:sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;margin-bottom:1.5em} td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
table.sortable th{cursor:pointer;background:#f4f4f4} table.sortable th[aria-sort=ascending]::after{content:" \\25B2"}
table.sortable th[aria-sort=descending]::after{content:" \\25BC"}
tr.correct td{background:#eef8ee} tr.incorrect td{background:#fdf3e7}
tr.invalid td,tr.malformed td{background:#f8eaea} tr.blank td{background:#f2f2f2}
math{font-size:1.15em} code{white-space:pre-wrap;word-break:break-all;font-size:.85em;color:#555}
.statement{white-space:pre-wrap} svg text{font:11px sans-serif}"""


@lru_cache(maxsize=4096)    # a class writes the same answer many times
def answer_mathml(text, names):
    """The answer `text` (plain text, as the checker printed what it read) as MathML; "" if unreadable.

    `names` (a frozenset) are the names the question allows."""
    try:
        return to_mathml(parse_text(text, names))
    except (ParseError, ValueError):
        return ""


def histogram_svg(scores, full):
    """An inline SVG bar chart of `scores` out of `full`: one bar per whole point (score rounded
    down) when `full` is a whole number up to 20, else ten equal bins."""
    whole = float(full).is_integer() and full <= 20
    bins = int(full) + 1 if whole else 10
    counts = [0] * bins
    for s in scores:
        counts[min(bins - 1, int(math.floor(s if whole else s / full * bins)))] += 1
    labels = [str(k) for k in range(bins)] if whole else [
        f"{full * k / bins:.3g}-{full * (k + 1) / bins:.3g}" for k in range(bins)]
    top = max(counts, default=0) or 1
    width = 2 * _MARGIN + bins * _BAR_WIDTH
    height = _CHART_HEIGHT + 2 * _MARGIN + 12
    bars = []
    for k, (count, label) in enumerate(zip(counts, labels)):
        h = _CHART_HEIGHT * count / top
        x, y = _MARGIN + k * _BAR_WIDTH, _MARGIN + _CHART_HEIGHT - h
        bars.append(f'<rect class="bar" data-bin="{html.escape(label)}" data-count="{count}" x="{x + 3}" y="{y:.1f}" '
                    f'width="{_BAR_WIDTH - 6}" height="{h:.1f}" fill="#4a7fb5"><title>{html.escape(label)}: '
                    f'{count}</title></rect>')
        if count:
            bars.append(f'<text x="{x + _BAR_WIDTH / 2}" y="{y - 3:.1f}" text-anchor="middle">{count}</text>')
        bars.append(f'<text x="{x + _BAR_WIDTH / 2}" y="{_MARGIN + _CHART_HEIGHT + 14}" '
                    f'text-anchor="middle">{html.escape(label)}</text>')
    axis = (f'<line x1="{_MARGIN}" y1="{_MARGIN + _CHART_HEIGHT}" x2="{width - _MARGIN}" '
            f'y2="{_MARGIN + _CHART_HEIGHT}" stroke="#333"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="histogram" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="histogram of the points">'
            f'{axis}{"".join(bars)}<text x="{width / 2}" y="{height - 2}" text-anchor="middle">points</text></svg>')


def _points(value):
    return f"{value:.2f}".rstrip("0").rstrip(".")


def write_html(report, path, question):
    """The self-contained HTML report of `report` (a `rnn.exam.grade.Report`) to `path`."""
    e = html.escape
    names = frozenset(question.symbols) | {question.asked.name}
    counts = "".join(f"<tr><td>{e(v)}</td><td>{report.verdicts.get(v, 0)}</td></tr>" for v in VERDICTS)
    mistakes = "".join(f"<tr><td>{e(m)}</td><td>{n}</td></tr>" for m, n in report.mistakes.most_common())
    key = answer_mathml(question.reference, names) if question.reference else ""
    rubric = report.rubric
    heads = "".join(f'<th data-key="{k}" tabindex="0"{" data-type=number" if numeric else ""}>{e(label)}</th>'
                    for k, label, numeric in COLUMNS)
    rows = []
    for r in report.rows:
        maths = answer_mathml(r.parsed, names) if r.parsed else ""
        rows.append(
            f"<tr class='{e(r.verdict)}'><td>{r.line}</td><td>{e(r.student)}</td>"
            f"<td data-sort='{e(r.answer)}'>{maths}{'<br>' if maths else ''}<code>{e(r.answer)}</code></td>"
            f"<td>{e(r.verdict)}</td><td>{e(r.mistake)}</td><td data-sort='{r.points}'>{_points(r.points)}</td>"
            f"<td>{e(r.message)}</td><td>{e('; '.join(r.notes))}</td></tr>")
    points = ""
    if rubric is not None:
        points = (f"<h2>Points</h2><p>Out of {_points(rubric.points)}: {_points(report.total)} in all, "
                  f"mean {_points(report.mean)} over {len(report.rows)} answers.</p>"
                  f"{histogram_svg([r.points for r in report.rows], rubric.points)}")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(report.question)}: marks</title>
<style>{_STYLE}</style>
</head><body>
<h1>{e(question.title)} <small>({e(report.question)})</small></h1>
<p class="statement">{e(question.statement)}</p>
<p>Asked: <math display="inline">{symbol_mathml(question.asked)}</math>{
        f'; answer key: {key}' if key else ''}</p>
<p>{len(report.rows)} answers marked in {report.seconds:.2f} s ({report.rate:.0f} answers/s).</p>
<h2>Summary</h2><table><tr><th>verdict</th><th>answers</th></tr>{counts}</table>
<table><tr><th>mistake</th><th>answers</th></tr>{mistakes}</table>
{points}
<h2>Answers</h2><p>line: the line of the answers file the record starts on. Click a heading to sort.</p>
<table class="sortable" id="answers"><thead><tr>{heads}</tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<script>{_SORT_SCRIPT}</script>
</body></html>
"""
    write_text(path, page, encoding="utf-8")
