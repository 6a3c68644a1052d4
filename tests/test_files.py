"""autodiff.files: a write either happens whole or not at all, and leaves no temp file."""
import errno
import os
import signal
import stat
import subprocess
import sys
import time

import pytest

from autodiff.files import atomic_path, atomic_paths, write_bytes, write_text


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if ".part" in p.name)


def test_a_writer_that_raises_leaves_the_old_file_and_no_temp_file(tmp_path):
    target = tmp_path / "figure.svg"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half of the new")
            raise RuntimeError("the renderer crashed")
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_an_interrupt_while_writing_leaves_the_old_file(tmp_path):
    target = tmp_path / "metrics.json"
    target.write_text('{"old": 1}\n')
    with pytest.raises(KeyboardInterrupt):
        with atomic_path(target) as tmp:
            tmp.write_text('{"new": ')
            raise KeyboardInterrupt
    assert target.read_text() == '{"old": 1}\n'
    assert leftovers(tmp_path) == []


def test_a_writer_that_writes_nothing_is_an_error_and_changes_nothing(tmp_path):
    target = tmp_path / "loss.png"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="produced nothing"):
        with atomic_path(target) as tmp:
            tmp.unlink()
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_the_new_file_has_the_mode_a_plain_open_gives(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    new = write_text(tmp_path / "new.txt", "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(new.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == 0o666 & ~umask


def test_replacing_a_file_keeps_its_mode(tmp_path):
    target = tmp_path / "run.sh"
    target.write_text("old")
    target.chmod(0o750)
    write_text(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o750


def test_write_text_and_write_bytes_write_what_they_are_given(tmp_path):
    assert write_text(tmp_path / "a" / "b.csv", "x,y\r\n1,2\r\n", newline="").read_bytes() == b"x,y\r\n1,2\r\n"
    assert write_bytes(tmp_path / "c.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "a") == []


def test_a_pair_is_replaced_only_when_both_writers_finished(tmp_path):
    """A report's CSV and HTML: a failure in the second writer leaves both old files."""
    csv, page = tmp_path / "marks.csv", tmp_path / "marks.html"
    csv.write_text("old csv")
    page.write_text("old html")
    with pytest.raises(KeyboardInterrupt):
        with atomic_paths(csv, page) as (csv_tmp, page_tmp):
            csv_tmp.write_text("new csv")
            page_tmp.write_text("<html>half")
            raise KeyboardInterrupt
    assert (csv.read_text(), page.read_text()) == ("old csv", "old html")
    with atomic_paths(csv, page) as (csv_tmp, page_tmp):
        csv_tmp.write_text("new csv")
        page_tmp.write_text("new html")
    assert (csv.read_text(), page.read_text()) == ("new csv", "new html")
    assert leftovers(tmp_path) == []


def test_a_device_is_written_in_place_and_stays_a_device():
    """Replacing /dev/null by a plain file would break the machine; /dev/full must fail."""
    write_text("/dev/null", "nothing")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    with pytest.raises(OSError) as caught:
        write_text("/dev/full", "x" * 100)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == "/dev/full"
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_errors_name_the_file_asked_for_not_the_temp_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(NotADirectoryError):
        write_text(tmp_path / "afile" / "out.txt", "x")
    with pytest.raises(IsADirectoryError) as caught:
        write_text(tmp_path, "x")
    assert caught.value.filename == str(tmp_path)
    with pytest.raises(OSError) as caught:
        write_text("/proc/gradbook-test.txt", "x")
    assert caught.value.filename == "/proc/gradbook-test.txt"


WRITER = """
import sys
from autodiff.files import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    with open(tmp, "w") as handle:
        handle.write("new, first half ")
        handle.flush()
        print("writing", flush=True)
        import time
        time.sleep(60)
        handle.write("second half")
"""


def test_a_killed_writer_leaves_the_old_file(tmp_path):
    """SIGKILL mid-write (no cleanup can run): the target still holds the whole old file."""
    target = tmp_path / "index.html"
    target.write_text("old page")
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "writing\n"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    child.stdout.close()
    time.sleep(0.1)
    assert target.read_text() == "old page"
