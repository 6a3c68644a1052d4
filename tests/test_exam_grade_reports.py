"""What `gradbook grade` hands back: the HTML report (MathML, sortable, histogram) opened in
headless Chromium, the Moodle and Canvas imports opened in LibreOffice Calc, the feedback texts."""
import csv
import json
import re
import xml.etree.ElementTree as ET

import pytest

from autodiff.cli import main
from rnn.exam.exports import canvas_records, feedback_names, moodle_records
from rnn.exam.grade import grade
from rnn.exam.printers import to_mathml
from rnn.exam.parse import parse_answer
from rnn.exam.questions import get_question
from rnn.exam.report_html import histogram_svg
from tests import consumers

W = get_question("rnn/grad_W")
CLASS = [
    ("ada@uni.example", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T"),
    ("ben@uni.example", "sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t].T"),
    ("cy@uni.example", r"\sum_{t=1}^{\tau} \operatorname{diag}(1-(\mathbf{h}^{(t)})^2)"
                       r"(\nabla_{\mathbf{h}^{(t)}} L)\,\mathbf{h}^{(t-1)\top}"),
    ("dee@uni.example", "diag(1 - h[tau]**2) @ grad_h[tau] @ h[tau-1].T"),
    ("eve@uni.example", "sum_t diag(1 - h[t]**2 @ grad_h[t] @ h[t-1].T"),
    ("fay@uni.example", "sum_t grad_h[t] @ h[t].T"),
    ("=HYPERLINK(\"http://x\")@uni.example", "<b>sum_t</b>"),
]
ANSWERS = "student,answer\n" + "".join(
    '"{}","{}"\n'.format(s.replace('"', '""'), a.replace('"', '""')) for s, a in CLASS)
EXPECTED_POINTS = [10, 7, 10, 5, 0, 3, 0]


def _grade(tmp_path, *extra):
    answers = tmp_path / "answers.csv"
    answers.write_text(ANSWERS, encoding="utf-8")
    assert main(["grade", W.id, str(answers), "-o", str(tmp_path / "marks"), *extra]) == 0
    return tmp_path / "marks"


@pytest.mark.parametrize("answer, pieces", [
    ("sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T", ["&#x2211;", "diag", "&#x1D489;", "&#x22A4;", "&#x2207;"]),
    ("-V.T @ grad_o[tau]", ["&#x2212;", "&#x1D47D;", "&#x3C4;"]),
    ("yhat[t] - onehot(y[t])", ["&#x2C6;", '<mn mathvariant="bold">1</mn>']),
    ("(1 - h[2]**2) * (h[1] + w * (1 - h[1]**2) * h[0])", ["<msub><mi>h</mi><mn>2</mn></msub>", "<mi>w</mi>"]),
    ("sum_t grad_o[t] / 4", ["<mfrac>"]),
])
def test_answers_print_as_wellformed_mathml_in_book_notation(answer, pieces):
    markup = to_mathml(parse_answer(answer))
    ET.fromstring(re.sub(r"&#x[0-9A-F]+;", "x", markup))       # well-formed XML
    for piece in pieces:
        assert piece in markup, (piece, markup)


def test_the_power_of_a_timed_state_is_bracketed_as_in_latex():
    markup = to_mathml(parse_answer("h[t]**2"))
    assert markup.startswith('<math display="inline"><msup><mrow><mo>(</mo><msup>')


def test_histogram_counts_every_score_in_its_bin():
    svg = ET.fromstring(histogram_svg([0, 0, 3, 7.5, 10, 10, 10], 10))
    bars = {b.get("data-bin"): int(b.get("data-count")) for b in svg.iter("{http://www.w3.org/2000/svg}rect")}
    assert len(bars) == 11 and sum(bars.values()) == 7
    assert (bars["0"], bars["3"], bars["7"], bars["10"]) == (2, 1, 1, 3)
    wide = ET.fromstring(histogram_svg([0, 12.5, 50], 50))
    assert len(list(wide.iter("{http://www.w3.org/2000/svg}rect"))) == 10


def test_exports_carry_points_and_feedback():
    report = grade(W, ANSWERS)
    assert [r.points for r in report.rows] == EXPECTED_POINTS
    moodle = list(moodle_records(report, W))
    assert moodle[0] == ["Email address", W.title, f"{W.title} (feedback)"]
    assert [row[1] for row in moodle[1:]] == [str(p) for p in EXPECTED_POINTS]
    assert moodle[2][2].startswith("incorrect (wrong-time-index): A time index is off")
    assert moodle[-1][0].startswith("'=HYPERLINK")          # made safe like the report's cells
    canvas = list(canvas_records(report, W))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", W.title]
    assert canvas[1] == ["ada@uni.example", "", "", "ada@uni.example", "", "10"]


def test_feedback_file_names_are_safe_and_distinct():
    report = grade(W, "student,answer\n../../etc/passwd,h[t]\nAda,h[t]\nada,h[t]\n,h[t]\n")
    names = feedback_names(report)
    assert names == {2: "etc_passwd.txt", 3: "Ada-line3.txt", 4: "ada-line4.txt", 5: "no-id.txt"}


def test_grade_writes_exports_and_one_feedback_text_per_student(tmp_path, capsys):
    marks = _grade(tmp_path)
    assert "and 7 feedback files in" in capsys.readouterr().out
    texts = sorted(p.name for p in (tmp_path / "marks-feedback").iterdir())
    assert len(texts) == 7 and "ben_uni.example.txt" not in texts and "ben@uni.example.txt" in texts
    ben = (tmp_path / "marks-feedback" / "ben@uni.example.txt").read_text(encoding="utf-8")
    assert "Verdict: incorrect" in ben and "Mistake: wrong-time-index" in ben and "Points: 7 of 10" in ben
    assert W.statement in ben
    with open(f"{marks}-moodle.csv", newline="", encoding="utf-8-sig") as f:
        assert len(list(csv.reader(f))) == 8


def test_force_replaces_feedback_and_drops_students_of_an_earlier_run(tmp_path):
    _grade(tmp_path)
    (tmp_path / "answers.csv").write_text("student,answer\nzed,h[t]\n", encoding="utf-8")
    assert main(["grade", W.id, str(tmp_path / "answers.csv"), "-o", str(tmp_path / "marks")]) == 2
    assert main(["grade", W.id, str(tmp_path / "answers.csv"), "-o", str(tmp_path / "marks"), "--force"]) == 0
    assert [p.name for p in (tmp_path / "marks-feedback").iterdir()] == ["zed.txt"]


@pytest.mark.needs_libreoffice
@pytest.mark.parametrize("lms", ["moodle", "canvas"])
def test_libreoffice_opens_the_gradebook_imports(tmp_path, lms):
    """Calc, evaluating formulas, opens each import: no formula, every cell the text written, points as numbers."""
    _grade(tmp_path)
    path = tmp_path / f"marks-{lms}.csv"
    with open(path, newline="", encoding="utf-8-sig") as f:
        written = list(csv.reader(f))
    opened = consumers.spreadsheet_cells(path, tmp_path / "calc")
    assert len(opened) == len(written) == len(CLASS) + 1
    points = written[0].index(W.title)
    for want, got in zip(written, opened):
        assert all(formula is None for _, formula in got), got
        got_text = [text for text, _ in got] + [""] * (len(want) - len(got))
        for i, (text, cell) in enumerate(zip(got_text, want)):
            if want is not written[0] and i == points:
                assert float(text) == float(cell)
            else:
                assert text == cell
    assert [float(row[points][0]) for row in opened[1:]] == EXPECTED_POINTS


_MEASURE = """<pre id="measured"></pre><script>
const maths = Array.from(document.querySelectorAll("#answers math"));
const sups = Array.from(document.querySelectorAll("#answers msup")).map(m => {
  const [base, script] = m.children, b = base.getBoundingClientRect(), s = script.getBoundingClientRect();
  return {baseBottom: b.bottom, scriptBottom: s.bottom, baseRight: b.right, scriptLeft: s.left};
});
document.getElementById("measured").textContent = JSON.stringify({
  mathml: maths.every(m => m instanceof MathMLElement),
  widths: maths.map(m => m.getBoundingClientRect().width), sups,
  students: Array.from(document.querySelectorAll("#answers tbody tr")).map(r => r.cells[1].textContent),
  sorted: (document.querySelector("th[aria-sort]") || {}).textContent || null});
</script>"""


def _measured(tmp_path, marks, fragment):
    page = tmp_path / "measured.html"
    page.write_text(marks.with_suffix(".html").read_text(encoding="utf-8").replace("</body>", _MEASURE + "</body>"),
                    encoding="utf-8")
    dom = consumers.dump_dom(page.as_uri() + fragment, tmp_path / "profile", size=(1400, 1000))
    found = re.search(r'<pre id="measured">(.*?)</pre>', dom, re.S)
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.needs_chromium
def test_chromium_renders_the_answers_as_mathematics_and_sorts_by_a_click(tmp_path):
    """Headless Chromium, offline: every rendered answer is a MathML element with a width,
    superscripts sit above their base's bottom; clicking the points heading sorts by points
    (stable: ties keep the file's order), a second click reverses; the page runs no typed script."""
    marks = _grade(tmp_path)
    page = marks.with_suffix(".html").read_text(encoding="utf-8")
    assert "<b>sum_t</b>" not in page and "&lt;b&gt;sum_t&lt;/b&gt;" in page
    assert '<td>=HYPERLINK(&quot;http://x&quot;)@uni.example</td>' in page   # as typed, escaped
    unsorted = _measured(tmp_path, marks, "")
    assert unsorted["sorted"] is None
    assert unsorted["students"] == [s for s, _ in CLASS]
    assert unsorted["mathml"] and len(unsorted["widths"]) == 5 and min(unsorted["widths"]) > 50
    assert unsorted["sups"] and all(s["scriptBottom"] < s["baseBottom"] for s in unsorted["sups"])
    ascending = _measured(tmp_path, marks, "#sort=points")
    order = sorted(range(len(CLASS)), key=lambda i: EXPECTED_POINTS[i])
    assert ascending["students"] == [CLASS[i][0] for i in order] and ascending["sorted"].startswith("points")
    descending = _measured(tmp_path, marks, "#sort=points,desc")
    assert [EXPECTED_POINTS[[s for s, _ in CLASS].index(n)] for n in descending["students"]] == \
        sorted(EXPECTED_POINTS, reverse=True)
    by_name = _measured(tmp_path, marks, "#sort=student")
    assert by_name["students"] == sorted((s for s, _ in CLASS), key=str.lower)
    png = consumers.screenshot((tmp_path / "measured.html").as_uri() + "#sort=points,desc",
                               tmp_path / "report.png", tmp_path / "profile", size=(1400, 1800))
    assert png.stat().st_size > 20_000


def test_a_sum_over_another_range_is_shown_with_that_range():
    """A student's sum from t = 2 to tau - 1 is rendered with those limits, not as eq. 10.26's full range."""
    tree = ET.fromstring(to_mathml(parse_answer(r"\sum_{t=2}^{\tau-1} \mathbf{h}^{(t)}", syntax="latex")))
    under, over = tree.find("mrow/munderover").findall("mrow")
    assert "".join(under.itertext()) == "t=2"
    assert "".join(over.itertext()) == "\u03c4\u22121"
