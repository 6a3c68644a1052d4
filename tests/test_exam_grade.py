"""`gradbook grade`: one row out per row in, malformed rows reported, summary per mistake."""
import csv

from hypothesis import given, settings, strategies as st

from autodiff.cli import main
from rnn.exam.answer_rows import MAX_LINES
from rnn.exam.grade import grade, read_rows
from rnn.exam.questions import get_question

MESSY = (
    'student,answer,syntax\n'
    'ana,"sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T",text\n'
    'ben,sum_t grad_h[t] @ h[t-1].T\n'
    '\n'
    'cy,"\\sum_t \\operatorname{diag}(1-(\\mathbf{h}^{(t)})^2)(\\nabla_{\\mathbf{h}^{(t)}} L)\\mathbf{h}^{(t-1)\\top}",latex\n'
    'dee,a,b,c,d,e\n'
    'eve,"sum_t h[t] @ h[t].T",klingon\n'
    'fay\n'
    'gus,"never closed\n'
    'hal,"<script>alert(1)</script>"\x00,text\n'
)


def test_every_input_row_gives_one_output_row():
    rows = read_rows(MESSY)
    report = grade(get_question("rnn/grad_W"), MESSY)
    assert len(report.rows) == len(rows) == 9
    assert [r.line for r in report.rows] == sorted(r.line for r in report.rows)


def test_malformed_rows_are_reported_not_dropped():
    report = grade(get_question("rnn/grad_W"), MESSY)
    by_student = {r.student: r for r in report.rows}
    assert by_student["dee"].verdict == "malformed" and "fields" in by_student["dee"].message
    assert by_student["eve"].verdict == "malformed" and "syntax" in by_student["eve"].message
    assert by_student["fay"].verdict == "blank" and report.verdicts["blank"] == 1
    assert report.verdicts["correct"] == 2
    assert report.mistakes["missing-activation-derivative"] == 1


def test_grade_command_writes_csv_and_html(tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    answers.write_bytes(MESSY.encode() + b"ivy,\xff\xfe h,text\n")
    assert main(["grade", "rnn/grad_W", str(answers), "-o", str(tmp_path / "report")]) == 0
    with open(tmp_path / "report.csv", newline="", encoding="utf-8-sig") as f:
        out = list(csv.DictReader(f))
    assert len(out) == 10
    page = (tmp_path / "report.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "answers/s" in capsys.readouterr().out


def test_headerless_file_reads_student_answer_syntax():
    rows = read_rows("ana,V.T @ grad_o[t],text\n")
    assert (rows[0].student, rows[0].answer, rows[0].syntax) == ("ana", "V.T @ grad_o[t]", "text")


# -- reading spreadsheet exports ---------------------------------------------------------------

EXPORT = (
    '\ufeffStudent,Answer,Syntax,Email\r\n'
    'ana,"sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T",text,ana@uni.example\r\n'
    'ben,"\\sum_t \\operatorname{diag}(1-(\\mathbf{h}^{(t)})^2)\r\n'
    '   \\nabla_{\\mathbf{h}^{(t)}} L\\, \\mathbf{h}^{(t-1)\\top}",latex,ben@uni.example\r\n'
    '\r\n'
    'cy,"sum_t grad_h[t] @ h[t-1].T,text,cy@uni.example\r\n'
    'dee,sum_t grad_h[t] @ h[t-1].T,text,dee@uni.example\r\n'
    'eve,V.T @ grad_o[t],text,eve@uni.example,late,resubmitted\r\n'
    'fay,"sum_t diag(1 - h[t]**2) @ grad_h[t] @ h[t-1].T",,,,\r\n'
)
EXPORT_STUDENTS = ["ana", "ben", "", "", "dee", "eve", "fay"]


def test_export_gives_one_row_per_record_in_order():
    """BOM, CRLF, a header with an extra column, a two-line quoted answer, a blank line, a stray
    quote, too many fields and trailing empty cells: seven records in, seven rows out."""
    rows = read_rows(EXPORT)
    assert [r.student for r in rows] == EXPORT_STUDENTS
    assert [r.line for r in rows] == [2, 3, 5, 6, 7, 8, 9]


def test_quoted_answer_over_two_lines_is_one_answer():
    ben = read_rows(EXPORT)[1]
    assert ben.verdict == "" and ben.syntax == "latex" and "\n" in ben.answer


def test_stray_quote_is_malformed_and_does_not_swallow_the_next_row():
    rows = read_rows(EXPORT)
    assert rows[3].verdict == "malformed" and "not closed" in rows[3].message
    assert rows[3].answer.startswith('cy,"sum_t')
    assert rows[4].student == "dee" and rows[4].verdict == ""


def test_extra_fields_beyond_the_header_are_malformed_and_trailing_empty_cells_are_not():
    rows = read_rows(EXPORT)
    assert rows[5].verdict == "malformed" and "6 fields; expected 4" in rows[5].message
    assert rows[6].verdict == "" and rows[6].syntax == "auto"


def test_grade_report_has_as_many_rows_as_records(tmp_path, capsys):
    answers = tmp_path / "export.csv"
    answers.write_bytes(EXPORT.encode("utf-8"))
    assert main(["grade", "rnn/grad_W", str(answers), "-o", str(tmp_path / "marks")]) == 0
    with open(tmp_path / "marks.csv", newline="", encoding="utf-8-sig") as f:
        out = list(csv.DictReader(f))
    assert [r["student"] for r in out] == EXPORT_STUDENTS
    assert [r["verdict"] for r in out] == ["correct", "correct", "malformed", "malformed", "incorrect",
                                           "malformed", "correct"]


def test_stray_quote_on_the_last_line_is_kept():
    rows = read_rows('ana,V.T @ grad_o[t]\nben,"W.T @ grad_h[t+1]\n')
    assert [(r.student, r.verdict) for r in rows] == [("ana", ""), ("", "malformed")]


def test_runaway_quote_stops_after_max_lines():
    """A quote left open over lines that are not rows keeps every line as a row of its own."""
    lines = ['ana,"W.T @'] + ["+ h"] * (MAX_LINES + 5)
    rows = read_rows("\n".join(lines) + "\n")
    assert len(rows) == len(lines) and rows[0].verdict == "malformed"


def test_unquoted_latex_thin_space_stays_in_the_answer():
    """\\, is LaTeX's thin space: its comma belongs to the answer, not to the CSV."""
    rows = read_rows("ana,\\sum_t \\nabla_{\\mathbf{o}^{(t)}} L \\, \\mathbf{h}^{(t)\\top},latex\n")
    assert rows[0].verdict == "" and rows[0].answer.endswith("L \\, \\mathbf{h}^{(t)\\top}")


def test_header_aliases_name_the_columns():
    rows = read_rows("Name,Response\nana,V.T @ grad_o[t]\n")
    assert (rows[0].student, rows[0].answer) == ("ana", "V.T @ grad_o[t]")


_RECORDS = {
    "plain": ('{s},V.T @ grad_o[t],text\n', 1),
    "quoted": ('{s},"W.T @ diag(1 - h[t+1]**2), grad",auto\n', 1),
    "two lines": ('{s},"W.T @ grad_h[t+1]\n+ V.T @ grad_o[t]",text\n', 1),
    "blank": ('\n', 1),
    "stray quote": ('{s},"never closed\n', 1),
    "blank answer": ('{s},\n', 1),
    "extra": ('{s},h,text,x,y\n', 1),
    "crlf": ('{s},h,latex\r\n', 1),
}


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(sorted(_RECORDS)), min_size=1, max_size=12))
def test_never_a_row_lost(kinds):
    """Any mix of records gives one row per record, in order: counts in equal counts out."""
    text = "student,answer,syntax\n" + "".join(_RECORDS[k][0].format(s=f"s{i}") for i, k in enumerate(kinds))
    rows = read_rows(text)
    assert len(rows) == sum(_RECORDS[k][1] for k in kinds)
    named = [r.student for r in rows if r.student]
    assert named == [f"s{i}" for i, k in enumerate(kinds) if k not in ("blank", "stray quote")]


def test_report_pair_is_replaced_together_and_only_with_force(tmp_path, capsys, monkeypatch):
    """Last week's marks are kept without --force; an interrupt while the HTML is written
    leaves both old files, never a new CSV beside an old HTML."""
    import rnn.exam.cli_grade
    answers = tmp_path / "answers.csv"
    answers.write_text(MESSY)
    old = {"marks.csv": "last week\n", "marks.html": "<p>last week</p>\n"}
    for name, text in old.items():
        (tmp_path / name).write_text(text)
    args = ["grade", "rnn/grad_W", str(answers), "-o", str(tmp_path / "marks")]
    assert main(args) == 2
    assert "--force" in capsys.readouterr().err

    def interrupted(report, path, question):
        path.write_text("<html>half a page")
        raise KeyboardInterrupt

    monkeypatch.setattr(rnn.exam.cli_grade, "write_html", interrupted)
    assert main(args + ["--force"]) == 130
    assert {p.name: p.read_text() for p in tmp_path.iterdir() if p.is_file() and p.name.startswith((".marks", "marks"))} == old
    monkeypatch.undo()
    assert main(args + ["--force"]) == 0
    assert (tmp_path / "marks.csv").read_text(encoding="utf-8-sig").startswith('"line","student"')
    assert "<html" in (tmp_path / "marks.html").read_text()
