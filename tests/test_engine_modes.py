"""The engine's switches belong to the thread (and context) that turns them on (issue 13):
a thread started inside ``with symbolic():`` computes with NumPy, and matplotlib's backend
is left to the user, the notebook or matplotlib itself."""
import asyncio
import os
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import sympy

import autodiff as ad
from autodiff import mode
from autodiff.errors import AnomalyError
from autodiff.symbolic import evaluate, symbols_like


def _tanh_of_product():
    w = ad.Tensor(np.array([[0.5, -0.2]]), requires_grad=True, name="w")
    x = ad.Tensor(np.array([[1.0], [2.0]]), name="x")
    return w, ad.tanh(w @ x)


def _in_thread(fn):
    """fn() run in a real threading.Thread started from the calling code; its result."""
    out = {}
    thread = threading.Thread(target=lambda: out.setdefault("value", fn()))
    thread.start()
    thread.join(timeout=60)
    return out["value"]


def test_a_thread_started_inside_symbolic_computes_with_numpy():
    with mode.symbolic():
        assert mode.state.symbolic
        inside = _in_thread(lambda: (mode.state.symbolic, _tanh_of_product()[1].value))
    seen, value = inside
    assert seen is False
    assert value.dtype == np.float64 and np.allclose(value, np.tanh(0.5 - 0.4))


def test_symbolic_values_in_the_switching_thread_while_another_thread_stays_numeric():
    w, y = _tanh_of_product()
    symbols = symbols_like(w.shape, "w")
    with mode.symbolic():
        values = evaluate(y, {w: symbols})
        numeric = _in_thread(lambda: _tanh_of_product()[1].value)
    assert values[y].dtype == object and isinstance(values[y].item(), sympy.Expr)
    assert numeric.dtype == np.float64


def test_a_thread_switching_on_symbolic_does_not_switch_the_main_thread():
    started, release = threading.Event(), threading.Event()

    def worker():
        with mode.symbolic():
            started.set()
            release.wait(timeout=60)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        assert started.wait(timeout=60)
        assert mode.state.symbolic is False
        assert _tanh_of_product()[1].value.dtype == np.float64
    finally:
        release.set()
        thread.join(timeout=60)


def _log_of_zeros():
    with np.errstate(divide="ignore"):  # NumPy's error state is per thread too
        return ad.log(ad.Tensor(np.zeros(2), requires_grad=True, name="x")).value


def test_detect_anomaly_stays_in_its_thread():
    with mode.detect_anomaly():
        with pytest.raises(AnomalyError, match=r"^log\(x\) produced NaN or Inf"):
            _log_of_zeros()
        quiet = _in_thread(_log_of_zeros)
    assert np.isneginf(quiet).all()


def test_switches_nest_and_restore():
    with mode.symbolic():
        with mode.symbolic(), mode.detect_anomaly():
            assert mode.state.symbolic and mode.state.anomaly
        assert mode.state.symbolic and not mode.state.anomaly
    assert not mode.state.symbolic


def test_an_asyncio_task_inherits_the_switch_of_the_code_that_creates_it():
    async def seen():
        return mode.state.symbolic

    async def main():
        with mode.symbolic():
            return await asyncio.create_task(seen())

    assert asyncio.run(main()) is True


_ENV = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")}


def _python(code):
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=_ENV)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_importing_the_plotting_module_keeps_the_backend_a_notebook_chose():
    """matplotlib_inline is the backend Jupyter sets; importing the lab must not replace it."""
    pytest.importorskip("matplotlib_inline")
    backend = _python("import matplotlib; matplotlib.use('module://matplotlib_inline.backend_inline'); "
                      "import rnn.vanishing.plotting, rnn.vanishing.cli, rnn.train; print(matplotlib.get_backend())")
    assert backend == "module://matplotlib_inline.backend_inline"


def test_without_a_display_the_lab_saves_png_and_svg(tmp_path):
    out = _python("import matplotlib, rnn.vanishing.plotting as p; fig, (ax,) = p.new_figure(); ax.plot([0, 1]); "
                  f"print(*p.save(fig, {str(tmp_path)!r}, 'line'), matplotlib.get_backend())")
    png, svg, backend = out.split()
    assert backend.lower() == "agg"
    assert open(png, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
