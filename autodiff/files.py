"""Writing files so that a kill never leaves half of one: temp file in the same folder, then
``os.replace``.

Every file gradbook produces goes through here (figures, reports, derivations, metrics), so
Ctrl-C during a long job leaves either the old file or the new one, never a 0-byte figure or
a CSV cut mid-row. The temp file sits beside its target because ``os.replace`` is atomic
only within one file system.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temp path beside `path`; on a clean exit it replaces `path` in one step.

    For writers that want a file name rather than a file object (Graphviz, matplotlib's
    ``savefig``). On an exception, or when the writer produced nothing, the temp file is
    removed and `path` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        if not tmp.exists():
            raise OSError(f"nothing was written for {path}")
        _keep_mode(tmp, path)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def write_bytes(path, data):
    """Write `data` to `path` atomically; the Path."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    return Path(path)


def write_text(path, text, encoding="utf-8", newline=None):
    """Write `text` to `path` atomically (like ``Path.write_text``); the Path.

    `newline` as for ``open``: ``""`` keeps ``\\r\\n`` untranslated (the csv module's rows).
    """
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding, newline=newline) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    return Path(path)


def _keep_mode(tmp, path):
    """mkstemp makes 0600 files; give the new file the mode a plain ``open`` would have."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
