"""`gradbook practice`: the self-check page and its loopback checker, driven in headless Chromium."""
import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from autodiff.cli import main
from rnn.exam.check import Checker
from rnn.exam.practice import HOST, MAX_BODY, check_json, make_server, practice_page
from rnn.exam.questions import get_question
from tests import consumers

H = get_question("rnn/grad_h")
CORRECT = "W.T @ diag(1 - h[t+1]**2) @ grad_h[t+1] + V.T @ grad_o[t]"
NO_RECURRENCE = r"\mathbf{V}^\top \nabla_{\mathbf{o}^{(t)}} L"


@pytest.fixture
def server():
    running = make_server(H, port=0)
    thread = threading.Thread(target=running.serve_forever, daemon=True)
    thread.start()
    yield running
    running.shutdown()
    running.server_close()


def _post(server, body, origin=None):
    request = urllib.request.Request(f"http://{HOST}:{server.server_port}/check", data=body, method="POST",
                                     headers={"Origin": origin} if origin else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_check_json_gives_the_verdict_and_the_answer_as_mathml():
    checker = Checker(H)
    status, reply = check_json(checker, json.dumps({"answer": NO_RECURRENCE, "syntax": "latex"}).encode())
    assert status == 200 and reply["verdict"] == "incorrect" and reply["mistakes"] == ["missing-recurrent-path"]
    assert reply["mathml"].startswith("<math") and "&#x22A4;" in reply["mathml"]
    assert check_json(checker, json.dumps({"answer": CORRECT}).encode())[1]["verdict"] == "correct"
    invalid = check_json(checker, json.dumps({"answer": "V.T @ (grad_o[t]"}).encode())[1]
    assert invalid["verdict"] == "invalid" and invalid["mathml"] == ""


@pytest.mark.parametrize("body", [b"not json", b'{"syntax": "text"}', b'{"answer": 3}',
                                  b'{"answer": "h", "syntax": "python"}', b"\xff\xfe", b"[]"])
def test_a_bad_request_is_refused_with_a_hint(body):
    status, reply = check_json(Checker(H), body)
    assert status == 400 and '{"answer"' in reply["message"]


def test_the_server_listens_on_loopback_only_and_serves_two_paths(server):
    assert server.server_address[0] == "127.0.0.1"
    base = f"http://{HOST}:{server.server_port}"
    with urllib.request.urlopen(base + "/", timeout=30) as page:
        assert page.status == 200 and b"rnn/grad_h" in page.read()
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base + "/../etc/passwd", timeout=30)
    assert missing.value.code == 404
    status, headers, body = _post(server, json.dumps({"answer": CORRECT}).encode())
    assert status == 200 and json.loads(body)["verdict"] == "correct"
    assert headers.get("Access-Control-Allow-Origin") is None       # no website may read the reply
    assert _post(server, b"{}", origin="null")[1]["Access-Control-Allow-Origin"] == "null"
    assert _post(server, b"x" * (MAX_BODY + 1))[0] == 413


def test_practice_needs_an_output_or_serve(tmp_path, capsys):
    assert main(["practice", H.id]) == 2
    assert "give -o PAGE.html" in capsys.readouterr().err
    page = tmp_path / "page.html"
    assert main(["practice", H.id, "-o", str(page), "--port", "0"]) == 2
    assert main(["practice", H.id, "-o", str(page), "--port", "8800"]) == 0
    assert "http://127.0.0.1:8800/check" in page.read_text(encoding="utf-8")
    assert main(["practice", H.id, "-o", str(page)]) == 2
    assert "--force" in capsys.readouterr().err


def _result(dom):
    start = dom.index('id="result"')
    return dom[start:dom.index("</div>", start)]


@pytest.mark.needs_chromium
@pytest.mark.parametrize("answer, syntax, verdict, shown", [
    (CORRECT, "", "correct", "engine's gradient"),
    (NO_RECURRENCE, "latex", "incorrect", "missing-recurrent-path"),
    ("V.T @ (grad_o[t]", "text", "invalid", "cannot read the answer"),
    ("<img src=x onerror=alert(1)>", "", "invalid", "unexpected character"),
])
def test_chromium_types_an_answer_into_the_served_page_and_shows_the_verdict(tmp_path, server, answer, syntax,
                                                                           verdict, shown):
    query = urllib.parse.urlencode({"answer": answer, **({"syntax": syntax} if syntax else {})})
    dom = consumers.dump_dom(f"http://{HOST}:{server.server_port}/?{query}", tmp_path / "profile", wait_ms=15000)
    result = _result(dom)
    assert f'class="{verdict}"' in result and f'<strong id="verdict">{verdict}</strong>' in result
    assert shown in result and "<img" not in result
    assert ("<math" in result) == (verdict != "invalid")


@pytest.mark.needs_chromium
def test_chromium_checks_from_the_page_written_to_disk(tmp_path, server):
    page = tmp_path / "page.html"
    page.write_text(practice_page(H, f"http://{HOST}:{server.server_port}/check"), encoding="utf-8")
    url = page.as_uri() + "?" + urllib.parse.urlencode({"answer": NO_RECURRENCE})
    result = _result(consumers.dump_dom(url, tmp_path / "profile", wait_ms=15000))
    assert 'class="incorrect"' in result and "missing-recurrent-path" in result
    png = consumers.screenshot(url, tmp_path / "practice.png", tmp_path / "profile", size=(1000, 700))
    assert png.exists()


@pytest.mark.needs_chromium
def test_the_page_says_so_when_the_checker_is_not_running(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(practice_page(H, f"http://{HOST}:9/check"), encoding="utf-8")
    result = _result(consumers.dump_dom(page.as_uri() + "?answer=h", tmp_path / "profile", wait_ms=15000))
    assert 'class="error"' in result and "--serve" in result


def test_practice_serve_runs_until_ctrl_c(tmp_path):
    """The command itself: it prints the loopback address, answers there, and stops on Ctrl-C."""
    import re
    import signal
    import subprocess
    import sys
    process = subprocess.Popen([sys.executable, "-m", "autodiff", "practice", H.id, "--serve", "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        line = process.stdout.readline()
        address = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert address, line
        with urllib.request.urlopen(address.group(0), timeout=30) as page:
            assert b"<textarea" in page.read()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0 and "stopped" in out, err
