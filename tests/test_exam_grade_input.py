"""Answers files as lecturers' spreadsheets write them (issue 13): semicolons and tabs, cp1252,
blank answers, one student twice, line numbers an editor shows, and never a row lost."""
import csv
import html.parser
import tempfile
import time
from pathlib import Path

from hypothesis import given, settings, strategies as st

from autodiff.cli import main
from rnn.exam.answer_rows import decode, read_rows, sniff_delimiter
from rnn.exam.grade import VERDICTS, grade, summary_lines, write_csv, write_html
from rnn.exam.questions import get_question

QUESTION = get_question("rnn/grad_h_tau")     # V^T grad_o^(tau), eq. 10.19
RIGHT, WRONG = "V.T @ grad_o[tau]", "V @ grad_o[tau]"


def _report(path, delimiter=","):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f, delimiter=delimiter))


def test_semicolons_as_european_excel_writes_them(tmp_path, capsys):
    """Excel with a decimal comma separates fields by ';'; a LaTeX \\, stays in its answer."""
    answers = tmp_path / "answers.csv"
    answers.write_text(f"Student;Answer;Syntax\nana;{RIGHT};text\nben;{WRONG};text\n"
                       "cy;\\mathbf{V}^\\top \\, \\nabla_{\\mathbf{o}^{(\\tau)}} L;latex\n", encoding="utf-8")
    assert main(["grade", QUESTION.id, str(answers), "-o", str(tmp_path / "marks")]) == 0
    assert "fields separated by semicolons" in capsys.readouterr().out
    out = _report(tmp_path / "marks.csv", ";")
    assert [(r["student"], r["verdict"]) for r in out] == [("ana", "correct"), ("ben", "incorrect"), ("cy", "correct")]


def test_delimiter_is_sniffed_from_the_header_or_the_rows():
    assert sniff_delimiter("student\tanswer\nana\tV.T @ grad_o[tau]\n") == "\t"
    assert sniff_delimiter("name;response\nana;x\n") == ";"
    assert sniff_delimiter("ana;V.T @ grad_o[tau];text\nben;\"W.T @ x, y\";text\n") == ";"
    assert sniff_delimiter("ana,h[t]; x,text\nben,W.T @ x,text\n") == ","
    assert sniff_delimiter("") == ","
    assert sniff_delimiter("ana;x, y;text\nben;V @ grad_o[tau]\n") == ";"     # ragged: no Sniffer verdict


def test_sniffing_a_hostile_file_takes_little_time():
    """csv.Sniffer backtracks quadratically on quotes; only the first 4 kB are sniffed."""
    start = time.perf_counter()
    assert sniff_delimiter(";\"',ana" * 20000) in ",;"
    assert time.perf_counter() - start < 3


def test_tab_separated_rows_without_a_header():
    rows = read_rows(f"ana\t{RIGHT}\ttext\nben\t{WRONG}\n")
    assert [(r.student, r.answer, r.syntax) for r in rows] == [("ana", RIGHT, "text"), ("ben", WRONG, "auto")]


def test_cp1252_file_is_read_and_the_summary_says_so(tmp_path, capsys):
    """Excel's plain "CSV" on Windows: cp1252, here with é, ö and an en dash (0x96)."""
    answers = tmp_path / "answers.csv"
    answers.write_bytes(f"student;answer;comment\nJosé;{RIGHT};\nBjörn;{WRONG};late – sorry\n".encode("cp1252"))
    assert decode(answers.read_bytes())[1] == "cp1252"
    assert main(["grade", QUESTION.id, str(answers), "-o", str(tmp_path / "marks")]) == 0
    assert "read as cp1252: the file is not valid UTF-8" in capsys.readouterr().out
    assert [r["student"] for r in _report(tmp_path / "marks.csv", ";")] == ["José", "Björn"]


def test_utf8_with_a_byte_order_mark_is_utf8():
    assert decode("\ufeffstudent,answer\nZoë,h\n".encode("utf-8")) == ("student,answer\nZoë,h\n", "utf-8")


def test_a_blank_answer_is_blank_not_malformed(tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    answers.write_text(f"student,answer,syntax\nana,{RIGHT}\nben,\ncy,   ,text\ndee\n\n", encoding="utf-8")
    assert main(["grade", QUESTION.id, str(answers), "-o", str(tmp_path / "marks")]) == 0
    summary = capsys.readouterr().out
    assert "  blank      3" in summary and "  malformed  1" in summary
    out = _report(tmp_path / "marks.csv")
    assert [(r["student"], r["verdict"], r["message"]) for r in out[1:]] == [
        ("ben", "blank", "no answer given"), ("cy", "blank", "no answer given"), ("dee", "blank", "no answer given"),
        ("", "malformed", "empty row")]


def test_a_student_twice_is_flagged_in_the_report_and_the_summary(tmp_path, capsys):
    answers = tmp_path / "answers.csv"
    answers.write_text(f"student,answer\nana,{WRONG}\nben,{RIGHT}\nAna ,{RIGHT}\ncy,{RIGHT}\nana,\n", encoding="utf-8")
    assert main(["grade", QUESTION.id, str(answers), "-o", str(tmp_path / "marks")]) == 0
    assert "duplicated student ids: 1 ('ana' on lines 2, 4, 6)" in capsys.readouterr().out
    notes = {r["line"]: r["notes"] for r in _report(tmp_path / "marks.csv")}
    assert notes == {"2": "student id also on lines 4, 6", "3": "", "4": "student id also on lines 2, 6",
                     "5": "", "6": "student id also on lines 2, 4"}
    assert "student id also on lines 4, 6" in (tmp_path / "marks.html").read_text(encoding="utf-8")


def test_line_is_the_line_of_the_file_an_editor_shows():
    """A quoted answer over three lines: the next record starts three lines further down."""
    text = (f"student,answer\nana,{RIGHT}\nben,\"W.T @ grad_h[t+1]\n + V.T\n @ grad_o[t]\"\r\n"
            f"\ncy,{WRONG}\n")
    rows = read_rows(text)
    lines = text.replace("\r\n", "\n").split("\n")
    assert [r.line for r in rows] == [2, 3, 6, 7]
    for r in rows:
        assert lines[r.line - 1].startswith(r.student)


class _TableRows(html.parser.HTMLParser):
    """The first cell of every answer row of the HTML report (its line number)."""

    def __init__(self):
        super().__init__()
        self.lines, self._row, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr" and dict(attrs).get("class") is not None:
            self._row, self._cell = True, ""

    def handle_data(self, data):
        if self._row and self._cell is not None:
            self._cell += data

    def handle_endtag(self, tag):
        if tag == "td" and self._row and self._cell is not None:
            self.lines.append(int(self._cell))
            self._row, self._cell = False, None


def _records(d):
    """Kinds of record for delimiter `d`: (text with {s} for the student, lines it takes, student)."""
    return {
        "right": (f"{{s}}{d}{RIGHT}{d}text\n", 1, "{s}"),
        "negated": (f"{{s}}{d}-{RIGHT}{d}text\n", 1, "{s}"),
        "formula": (f'{{s}}{d}"=HYPERLINK(""http://evil.example/""{d}""x"")"{d}text\n', 1, "{s}"),
        "two lines": (f'{{s}}{d}"W.T @ grad_h[t+1]\n+ V.T @ grad_o[t]"{d}text\n', 2, "{s}"),
        "tab id": (f'"\t={{s}}"{d}{RIGHT}\n', 1, "\t={s}"),
        "blank answer": (f"{{s}}{d}\n", 1, "{s}"),
        "blank line": ("\n", 1, ""),
        "stray quote": (f'{{s}}{d}"never closed\n', 1, ""),
        "extra fields": (f"{{s}}{d}h{d}text{d}x{d}y\n", 1, "{s}"),
        "crlf": (f"{{s}}é{d}{WRONG}{d}latex\r\n", 1, "{s}é"),
    }


@settings(deadline=None)
@given(st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "cp1252"]),
       st.lists(st.sampled_from(sorted(_records(","))), min_size=1, max_size=10))
def test_every_input_row_appears_in_every_output(delimiter, encoding, kinds):
    """Any mix of records, separators and encodings: the CSV report, the HTML report and the
    summary each have one row per record, at the record's line, with its student."""
    records = _records(delimiter)
    text = f"student{delimiter}answer{delimiter}syntax\n"
    lines, students, line = [], [], 2
    for i, kind in enumerate(kinds):
        template, height, student = records[kind]
        text += template.format(s=f"s{i}")
        lines.append(line)
        students.append(student.format(s=f"s{i}"))
        line += height
    decoded, read_as = decode(text.encode(encoding))
    report = grade(QUESTION, decoded, encoding=read_as)
    assert report.delimiter == delimiter and report.encoding == ("utf-8" if text.isascii() else encoding)
    with tempfile.TemporaryDirectory() as folder:
        write_csv(report, Path(folder) / "marks.csv")
        write_html(report, Path(folder) / "marks.html", QUESTION)
        out = _report(Path(folder) / "marks.csv", delimiter)
        page = _TableRows()
        page.feed((Path(folder) / "marks.html").read_text(encoding="utf-8"))
    assert [int(r["line"]) for r in out] == page.lines == lines
    named = [(n, s) for n, s in zip(lines, students) if s]
    assert [(int(r["line"]), r["student"].removeprefix("'")) for r in out if r["student"]] == named
    counts = {v: int(line.split()[1]) for line in summary_lines(report) for v in VERDICTS
              if line.split()[:1] == [v]}
    assert sum(counts.values()) == len(kinds)
