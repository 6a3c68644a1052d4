"""Worker processes that Ctrl-C ends at once and in silence.

`gradbook lecture` and `gradbook vanishing` train in a child process while the parent draws.
Ctrl-C reaches both; a child with Python's own SIGINT handler would print a traceback of
its own, and a parent that waited for the child's training before exiting would make the
interrupt take as long as the work. So the child takes the default action (it ends), and
the parent, on its way out, ends any child still running (`stop_workers`).
"""
from __future__ import annotations

import signal
import sys
from concurrent.futures import ProcessPoolExecutor


def worker_pool():
    """A one-process pool whose worker ends quietly on Ctrl-C."""
    return ProcessPoolExecutor(max_workers=1, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_DFL))


def stop_workers():
    """End every child process this one started (their results are no longer wanted)."""
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is None:
        return
    for child in multiprocessing.active_children():
        child.terminate()
