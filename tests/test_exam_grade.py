"""`gradbook grade`: one row out per row in, malformed rows reported, summary per mistake."""
import csv

from autodiff.cli import main
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
    assert [r.row for r in report.rows] == sorted(r.row for r in report.rows)


def test_malformed_rows_are_reported_not_dropped():
    report = grade(get_question("rnn/grad_W"), MESSY)
    by_student = {r.student: r for r in report.rows}
    assert by_student["dee"].verdict == "malformed" and "fields" in by_student["dee"].message
    assert by_student["eve"].verdict == "malformed" and "syntax" in by_student["eve"].message
    assert by_student["fay"].verdict == "malformed"
    assert report.verdicts["correct"] == 2
    assert report.mistakes["missing-activation-derivative"] == 1


def test_grade_command_writes_csv_and_html(tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    answers.write_bytes(MESSY.encode() + b"ivy,\xff\xfe h,text\n")
    assert main(["grade", "rnn/grad_W", str(answers), "-o", str(tmp_path / "report")]) == 0
    with open(tmp_path / "report.csv", newline="") as f:
        out = list(csv.DictReader(f))
    assert len(out) == 10
    page = (tmp_path / "report.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "answers/s" in capsys.readouterr().out


def test_headerless_file_reads_student_answer_syntax():
    rows = read_rows("ana,V.T @ grad_o[t],text\n")
    assert (rows[0].student, rows[0].answer, rows[0].syntax) == ("ana", "V.T @ grad_o[t]", "text")
