"""Where a command's output goes, checked before the work starts.

`gradbook train` runs for minutes and `gradbook lecture` renders a hundred files; finding
out at the end that ``-o`` names a file, a read-only place or a folder of someone's earlier
results wastes that time or, worse, replaces files without a word. `output_folder` and
`output_files` check first: the folder can be made and written to, and files the command
would replace are listed and kept unless ``--force`` was given. `os_error_message` is the
one line the CLI prints for an OSError that got past these checks (a disk that fills up).
"""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .errors import GradbookError

SHOWN = 5
"""Files named in a refusal; the rest are counted."""

_REASONS = {
    errno.ENOSPC: "no space left on the device",
    errno.EACCES: "permission denied",
    errno.EPERM: "not permitted",
    errno.EROFS: "read-only file system",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENOENT: "no such file or folder, and none can be made there",
    errno.EEXIST: "it exists and is not a folder",
}


class OutputError(GradbookError):
    """An output folder or file the command cannot use, or would overwrite without --force."""


def os_error_message(exc):
    """One line for an OSError: the file it concerns, what went wrong and what to do."""
    advice = {errno.ENOSPC: "free some space or write elsewhere",
              errno.EISDIR: "give a file name"}.get(exc.errno, "check the path, or write elsewhere")
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{_reason(exc)}; {advice}"


def _reason(exc):
    return _REASONS.get(exc.errno) or exc.strerror or str(exc)


def output_folder(folder, produces=(), force=False, option="-o"):
    """Make sure `folder` is (or can become) a writable folder; the files there it would replace.

    `produces` are the names (or glob patterns, ``figures/*``) the command writes, relative
    to `folder`. When some of them exist, an OutputError lists them unless `force`; with
    `force` they are returned so the command can say what it replaces. `option` is the
    command's flag for the folder, named in the messages.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} is not a folder; give a folder with {option}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _probe(folder)
    except OSError as exc:
        raise OutputError(f"cannot write to {folder}: {_reason(exc)}; "
                          f"give another folder with {option}") from None
    existing = sorted({p for pattern in produces for p in folder.glob(pattern) if p.is_file()})
    if existing and not force:
        raise OutputError(f"{folder} already holds {_listed(existing, folder)} from an earlier run; "
                          f"add --force to replace them, or give another folder with {option}")
    return existing


def output_files(paths, force=False, option="-o"):
    """The same check for named files (a report's CSV and HTML): each one's folder is
    writable, none is a folder, and existing ones are replaced only with `force`."""
    paths = [Path(p) for p in paths]
    for path in paths:
        if path.is_dir():
            raise OutputError(f"{path} is a folder; give a file name with {option}")
        output_folder(path.parent, option=option)
    existing = [p for p in paths if p.is_file()]
    if existing and not force:
        raise OutputError(f"{_listed(existing)} already exist{'s' if len(existing) == 1 else ''}; "
                          f"add --force to replace {'it' if len(existing) == 1 else 'them'}, "
                          f"or give another name with {option}")
    return existing


def replacing_note(command, existing, folder=None):
    """The line a command prints (to stderr) when --force lets it replace files."""
    where = f" in {folder}" if folder is not None else ""
    return f"gradbook {command}: replacing {_listed(existing, folder)}{where} (--force)"


def _probe(folder):
    """Create and remove an empty file in `folder`: the only sure test of writing there
    (root passes every permission check, yet /proc and /sys refuse new files)."""
    fd, name = tempfile.mkstemp(prefix=".gradbook-probe-", dir=folder)
    os.close(fd)
    os.unlink(name)


def _listed(paths, folder=None):
    names = [str(p.relative_to(folder)) if folder is not None else str(p) for p in paths]
    shown = ", ".join(names[:SHOWN])
    return shown + (f" and {len(names) - SHOWN} more" if len(names) > SHOWN else "")
