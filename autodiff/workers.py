"""Worker processes that Ctrl-C ends at once, in silence, and without leaving half files.

`gradbook lecture` and `gradbook vanishing` train in a child process while the parent draws.
Ctrl-C reaches both; a child with Python's own SIGINT handler would print a traceback of
its own when idle, and a parent that waited for the child's training before exiting would
make the interrupt take as long as the work. So a worker leaves on SIGINT or SIGTERM by
SystemExit (which unwinds its ``finally`` blocks: no temp file stays behind, its own
workers are stopped, and nothing is printed), and the parent, on its way out, ends any
child still running (`stop_workers`).
"""
from __future__ import annotations

import signal
import sys
from concurrent.futures import ProcessPoolExecutor


def worker_pool():
    """A one-process pool whose worker leaves quietly on Ctrl-C or `stop_workers`."""
    return ProcessPoolExecutor(max_workers=1, initializer=_quiet_on_signals)


def _quiet_on_signals():
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _leave)


def _leave(signum, frame):
    # a worker's own workers first: leaving joins them, and an idle one would wait forever
    stop_workers()
    raise SystemExit(128 + signum)


def stop_workers():
    """End every child process this one started (their results are no longer wanted)."""
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is None:
        return
    for child in multiprocessing.active_children():
        child.terminate()
