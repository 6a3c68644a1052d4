"""Writing files so that a kill never leaves half of one: temp file in the same folder, then
``os.replace``.

Every file gradbook produces goes through here (figures, reports, derivations, metrics), so
Ctrl-C during a long job leaves either the old file or the new one, never a 0-byte figure or
a CSV cut mid-row. The temp file sits beside its target because ``os.replace`` is atomic
only within one file system.
"""
from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temp path beside `path`; on a clean exit it replaces `path` in one step.

    For writers that want a file name rather than a file object (Graphviz, matplotlib's
    ``savefig``). On an exception, or when the writer produced nothing, the temp file is
    removed and `path` is left as it was. A `path` that is a device or a pipe
    (``/dev/null``, ``/dev/full``, ``/dev/stdout``) is written in place: replacing it would
    swap the device for a plain file, and its own errors (a full disk) should reach the user.
    """
    with atomic_paths(path) as (tmp,):
        yield tmp


@contextlib.contextmanager
def atomic_paths(*paths):
    """Yield one temp path per target; on a clean exit all of them replace their targets.

    For files that belong together (a report's CSV and its HTML): every writer finishes
    before the first target is replaced, so an interrupt while writing leaves all the old
    files, never a new CSV beside an old HTML.
    """
    paths = [Path(p) for p in paths]
    temps = []
    try:
        for path in paths:
            temps.append(_temp_beside(path))
        try:
            yield tuple(temps)
        except OSError as exc:
            raise _naming_target(exc, paths, temps) from None
        for path, tmp in zip(paths, temps):
            if tmp != path and not tmp.exists():
                raise OSError(errno.ENOENT, "the writer produced nothing", str(path))
        for path, tmp in zip(paths, temps):
            if tmp != path:
                _keep_mode(tmp, path)
                os.replace(tmp, path)
    finally:
        for path, tmp in zip(paths, temps):
            if tmp != path:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()


def _naming_target(exc, paths, temps):
    """`exc` naming the file the user asked for: not our temp name, and not nothing (a
    write to ``/dev/full`` fails without a file name)."""
    named = {str(tmp): path for path, tmp in zip(paths, temps)}
    target = named.get(str(exc.filename)) or (paths[0] if exc.filename is None and len(paths) == 1 else None)
    if target is None or exc.errno is None:
        return exc
    return type(exc)(exc.errno, exc.strerror, str(target))


def _temp_beside(path):
    """An empty temp file in `path`'s folder (the folder made if needed), or `path` itself
    when it is a device or a pipe; a folder as target is an error before any work."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name", str(path))
    if mode is not None and not stat.S_ISREG(mode):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    os.close(fd)
    return Path(tmp)


def write_bytes(path, data):
    """Write `data` to `path` atomically; the Path."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            handle.write(data)
            _sync(handle)
    return Path(path)


def write_text(path, text, encoding="utf-8", newline=None):
    """Write `text` to `path` atomically (like ``Path.write_text``); the Path.

    `newline` as for ``open``: ``""`` keeps ``\\r\\n`` untranslated (the csv module's rows).
    """
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding, newline=newline) as handle:
            handle.write(text)
            _sync(handle)
    return Path(path)


def _sync(handle):
    """Flush to the disk before the rename, so a power cut cannot leave a renamed empty file;
    devices and pipes have nothing to sync (fsync refuses them)."""
    handle.flush()
    if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        os.fsync(handle.fileno())


def _keep_mode(tmp, path):
    """mkstemp makes 0600 files; give the new file the mode a plain ``open`` would have."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(tmp, mode)
