"""Checking one exam answer (issue 8, target: median under 0.5 s), with `gradbook check`.

Two answers to the question ``rnn/grad_h`` (the corrected eq. 10.21): the right one, and one
with W for W^T, which the checker must also name (the slower path: the anticipated mistakes
are evaluated too). Each is timed as the command a student or lecturer runs (a fresh
``gradbook check`` process: interpreter start-up and imports included; the target applies
here) and in process (`rnn.exam.check.check_answer`, a new `Checker` each time).

    python -m benchmarks.bench_check [--quick]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.common import save, summarize, time_repeated

TARGET_S = 0.5
QUESTION = "rnn/grad_h"
ANSWERS = {"correct": "W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] + V.T @ grad_o[t]",
           "missing transpose": "W @ diag(1 - h[t+1]**2) @ grad_h[t+1] + V.T @ grad_o[t]"}


def missing():
    """Why the checker cannot be timed here, or None."""
    try:
        from rnn.exam.check import check_answer  # noqa: F401
        from rnn.exam.questions import get_question  # noqa: F401
    except ImportError as exc:
        return f"rnn.exam.check is not available ({exc})"
    return None


def _command():
    script = Path(sys.executable).with_name("gradbook")
    return [str(script)] if script.exists() else [shutil.which("gradbook") or "gradbook"]


def time_cli(answer, quick):
    command = _command() + ["check", QUESTION, "--answer", answer]

    def once():
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            raise RuntimeError(f"gradbook check failed ({done.returncode}): {done.stderr.strip()[-200:]}")
    return summarize(time_repeated(once, budget=3.0 if quick else 8.0, min_repeats=3, max_repeats=5 if quick else 11))


def time_in_process(answer, quick):
    from rnn.exam.check import check_answer
    from rnn.exam.questions import get_question
    question = get_question(QUESTION)
    verdict = check_answer(question, answer).verdict
    times = time_repeated(lambda: check_answer(question, answer), budget=2.0 if quick else 5.0,
                          min_repeats=3, max_repeats=11 if quick else 31)
    return {**summarize(times), "verdict": verdict}


def main(argv=()):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_check", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", default=os.environ.get("GRADBOOK_BENCH_QUICK") == "1")
    args = parser.parse_args(list(argv))
    reason = missing()
    if reason is not None:
        print(f"  skipped: {reason}")
        save("check", {"skipped": reason})
        return 0
    print(f"gradbook check {QUESTION} --answer ...: median (min/max) over runs; target < {TARGET_S} s")
    results = {}
    for name, answer in ANSWERS.items():
        inproc, cli = time_in_process(answer, args.quick), time_cli(answer, args.quick)
        state = "met" if cli["median_ms"] / 1e3 < TARGET_S else "MISSED"
        results[name] = {"answer": answer, "in_process": inproc, "command": cli, "state": state}
        print(f"  {name:<18} ({inproc['verdict']}) command {cli['median_ms']:.0f} ms ({cli['min_ms']:.0f}/"
              f"{cli['max_ms']:.0f}): {state}; in process {inproc['median_ms']:.1f} ms "
              f"({inproc['min_ms']:.1f}/{inproc['max_ms']:.1f})")
    path = save("check", {"question": QUESTION, "target_s": TARGET_S, "quick": args.quick, "results": results})
    print(f"  written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
