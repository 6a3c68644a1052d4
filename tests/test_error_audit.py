"""Every failure a user can cause ends in one line and exit status 2; Ctrl-C in one line and 130.

Each bad invocation runs the installed `gradbook` as a subprocess (what a user types), in a
scratch folder holding a plain file, an earlier run's results and some broken question
files. The assertions are the same for all: exit status 2, exactly one line on stderr, no
"Traceback", the line names the culprit, and nothing in the scratch folder changed.
"""
import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from doccommands import gradbook_executable

QUESTION = """[[question]]
id = "mine/q"
model = "rnn"
asked = "grad_W"
symbols = ["h", "grad_h"]
statement = "Derive grad_W."
"""

BAD_QUESTIONS = {
    "of.toml": 'of = "z[2]"',
    "of_step.toml": 'of = "h[99]"',
    "options.toml": "options = { foo = 1 }",
    "option_value.toml": 'model = "lstm"\noptions = { candidate = "relu" }',
    "ragged.toml": "sizes = { n_in = 2, hidden = 2, classes = 3 }\ngiven = { W = [[1.0, 2.0], [3.0]] }",
    "shape.toml": "sizes = { n_in = 2, hidden = 3, classes = 4 }\ngiven = { W = [[1.0, 2.0], [3.0, 4.0]] }",
    "nan.toml": 'given = { "x[1]" = nan }',
    "inf.toml": "given = { W = inf }",
}

# (arguments, words the one line must contain)
CASES = [
    ("train --steps 0", "--steps"),
    ("train --steps -5", "--steps"),
    ("train --steps 100000", "--no-step-cap"),
    ("train --steps abc", "--steps"),
    ("train --hidden -1", "--hidden"),
    ("train --lr nan", "--lr"),
    ("train --lr inf", "--lr"),
    ("train --lr 0", "--lr"),
    ("train --bogus", "--bogus"),
    ("train -o afile", "afile is not a folder"),
    ("train -o afile/out", "afile/out"),
    ("train -o /dev/full", "/dev/full"),
    ("train -o /proc/gradbook-audit", "/proc/gradbook-audit"),
    ("train -o /sys/gradbook-audit", "/sys/gradbook-audit"),
    ("train --steps 2 -o earlier", "metrics.json"),
    ("vanishing --steps 0", "--steps"),
    ("vanishing --steps 100000", "500"),
    ("vanishing --hidden -1", "--hidden"),
    ("vanishing --radius nan", "--radius"),
    ("vanishing -o afile", "afile is not a folder"),
    ("lecture -o afile", "afile is not a folder"),
    ("lecture -o /sys/gradbook-audit", "/sys/gradbook-audit"),
    ("lecture -o earlier-lecture", "index.html"),
    ("draw rnn --steps 0 -o x.svg", "--steps"),
    ("draw rnn --steps 100000 -o x.svg", "50"),
    ("derive rnn --form explicit --steps 0", "--steps"),
    ("derive rnn --form explicit --hidden -1", "--hidden"),
    ("derive scalar --steps 100000", "100"),
    ("solve rnn/grad_W -o /dev/full", "/dev/full"),
    ("solve rnn/grad_W -o afile/key.md", "afile/key.md"),
    ("solve rnn/grad_W -o earlier", "earlier"),
    ("grade rnn/grad_W answers.csv -o afile/report", "afile"),
    ("grade rnn/grad_W answers.csv -o marks", "--force"),
    ("check rnn/grad_W --answer grad_W --questions earlier", "folder"),
    ("check rnn/grad_W --answer grad_W --questions missing.toml", "missing.toml"),
    *[(f"check mine/q --answer grad_W --questions {name}", name) for name in BAD_QUESTIONS],
]

KEYS = {"of.toml": "of", "of_step.toml": "of", "options.toml": "foo", "option_value.toml": "candidate",
        "ragged.toml": "W", "shape.toml": "W", "nan.toml": "x[1]", "inf.toml": "W"}


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    """Run every case once, a few at a time: {arguments: CompletedProcess}, and the scratch
    folder's files before and after."""
    folder = tmp_path_factory.mktemp("audit")
    (folder / "afile").write_text("a plain file\n")
    (folder / "answers.csv").write_text("student,answer\nann,grad_W\n")
    for stem in ("marks.csv", "marks.html"):
        (folder / stem).write_text("last week's marks\n")
    (folder / "earlier").mkdir()
    (folder / "earlier" / "metrics.json").write_text('{"steps": 300}\n')
    (folder / "earlier-lecture").mkdir()
    (folder / "earlier-lecture" / "index.html").write_text("<p>my edited page</p>\n")
    for name, lines in BAD_QUESTIONS.items():
        text = QUESTION.replace('model = "rnn"\n', "") if "model =" in lines else QUESTION
        (folder / name).write_text(text + lines + "\n")
    before = snapshot(folder)

    def run(args):
        return subprocess.run(gradbook_executable() + args.split(), cwd=folder, capture_output=True,
                              text=True, timeout=120)

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(zip((a for a, _ in CASES), pool.map(run, (a for a, _ in CASES))))
    return results, before, snapshot(folder)


@pytest.mark.parametrize("args, words", CASES, ids=[a for a, _ in CASES])
def test_one_line_and_exit_2(audit, args, words):
    results, _, _ = audit
    run = results[args]
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("gradbook ") and words in lines[0], lines[0]


@pytest.mark.parametrize("name", BAD_QUESTIONS)
def test_question_file_errors_name_the_file_the_question_and_the_key(audit, name):
    line = audit[0][f"check mine/q --answer grad_W --questions {name}"].stderr
    assert name in line and "mine/q" in line and KEYS[name] in line, line


def test_nothing_in_the_folder_was_created_or_changed(audit):
    _, before, after = audit
    assert after == before


def _start(args, cwd):
    return subprocess.Popen(gradbook_executable() + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _interrupt(child, ready, timeout=60):
    """Wait until `ready()` (the command got past start-up into its work), then Ctrl-C: SIGINT
    to the whole process group, as a terminal sends it."""
    deadline = time.monotonic() + timeout
    while not ready():
        assert child.poll() is None and time.monotonic() < deadline, child.communicate()
        time.sleep(0.05)
    time.sleep(1.0)
    os.killpg(child.pid, signal.SIGINT)
    start = time.monotonic()
    out, err = child.communicate(timeout=60)
    return err, time.monotonic() - start


def test_ctrl_c_during_training_is_one_line_and_leaves_no_file(tmp_path):
    out = tmp_path / "run"
    child = _start(["train", "--steps", "100000", "--no-step-cap", "-o", str(out)], tmp_path)
    err, waited = _interrupt(child, out.exists)
    assert child.returncode == 130
    assert err.splitlines() == ["gradbook: interrupted"], err
    assert list(out.iterdir()) == []
    assert waited < 10


def test_ctrl_c_keeps_the_files_of_the_earlier_run_whole(tmp_path):
    """--force replaces them only at the end; an interrupt before leaves them as they were."""
    out = tmp_path / "run"
    out.mkdir()
    old = {"metrics.json": b'{"steps": 300}\n', "loss.png": b"\x89PNG old"}
    for name, data in old.items():
        (out / name).write_bytes(data)
    child = _start(["train", "--steps", "100000", "--no-step-cap", "--force", "-o", str(out)], tmp_path)
    err, _ = _interrupt(child, lambda: True)
    assert child.returncode == 130
    assert "Traceback" not in err and err.splitlines()[-1] == "gradbook: interrupted", err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == old


def test_ctrl_c_while_a_child_process_trains_ends_at_once(tmp_path):
    """vanishing --compare trains in a child process: it leaves too, quietly, without temp files."""
    out = tmp_path / "lab"
    child = _start(["vanishing", "--compare", "--compare-iters", "2000", "-o", str(out)], tmp_path)
    err, waited = _interrupt(child, out.exists)
    assert child.returncode == 130
    assert err.splitlines() == ["gradbook: interrupted"], err
    assert not [p for p in Path(out).iterdir() if ".part" in p.name]
    assert waited < 10
