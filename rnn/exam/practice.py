"""A self-check page for students: type an answer, see the verdict and the feedback.

The checker is Python and an answer is free text, so a page cannot carry precomputed
verdicts and a browser cannot run the checker. `gradbook practice --serve` therefore runs a
small HTTP server on the loopback interface only (127.0.0.1, never another address), with the
page at ``/`` and the checker at ``POST /check`` (a page opened from the disk, origin ``null``,
may read the replies; no website may); it is bounded: one request at a time, a body
of at most `MAX_BODY` bytes, a socket timeout, and only those two paths. The page (also
written by ``gradbook practice -o page.html``) posts ``{"answer", "syntax"}`` and shows the
verdict, the named mistakes, the feedback and the answer as read, set as MathML. Opening the
page with ``?answer=...`` (and ``&syntax=latex``) checks that answer at once, so a lecturer can
link a worked example. Nothing typed is evaluated: it goes to `rnn.exam.check.Checker`.
"""
from __future__ import annotations

import html
import json
from http.server import BaseHTTPRequestHandler, HTTPServer

from .check import Checker
from .printers import symbol_mathml
from .questions import QuestionError
from .report_html import answer_mathml

HOST = "127.0.0.1"
DEFAULT_PORT = 8765
MAX_BODY = 16_384            # bytes of one request: an answer is at most 4,000 characters
TIMEOUT = 10                 # seconds a client may take to send its request

_SCRIPT = """
const form = document.getElementById("practice"), out = document.getElementById("result");
async function check(answer, syntax) {
  out.hidden = false; out.className = "checking";
  document.getElementById("verdict").textContent = "checking...";
  for (const id of ["mistakes", "message", "read"]) document.getElementById(id).textContent = "";
  let result;
  try {
    // text/plain keeps this a "simple" request: no CORS preflight from a page opened as a file
    const response = await fetch(ENDPOINT, {method: "POST", headers: {"Content-Type": "text/plain;charset=UTF-8"},
                                            body: JSON.stringify({answer, syntax})});
    result = await response.json();
  } catch (error) {
    result = {verdict: "error", message: "The checker is not running: start it with " +
              "`gradbook practice " + QUESTION + " --serve` and open the address it prints."};
  }
  out.className = result.verdict;
  document.getElementById("verdict").textContent = result.verdict;
  document.getElementById("mistakes").textContent = (result.mistakes || []).join(", ");
  document.getElementById("message").textContent = result.message || "";
  // MathML the server built from the parsed tree, never from the typed text
  document.getElementById("read").innerHTML = result.mathml || "";
}
form.addEventListener("submit", event => {
  event.preventDefault();
  check(form.answer.value, form.syntax.value);
});
const given = new URLSearchParams(location.search);
if (given.has("answer")) {
  form.answer.value = given.get("answer");
  if (given.has("syntax")) form.syntax.value = given.get("syntax");
  check(form.answer.value, form.syntax.value);
}
"""

_STYLE = """body{font-family:sans-serif;margin:2em;max-width:50em} textarea{width:100%;font:1em monospace}
.statement{white-space:pre-wrap} #result{margin-top:1em;padding:.6em 1em;border-radius:.3em}
#result.correct{background:#eef8ee} #result.incorrect{background:#fdf3e7}
#result.invalid,#result.error{background:#f8eaea} math{font-size:1.15em}"""


def practice_page(question, endpoint="/check"):
    """The practice page's HTML; its form posts to `endpoint` (the server's ``/check``)."""
    e = html.escape
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Practice: {e(question.title)}</title>
<style>{_STYLE}</style></head><body>
<h1>{e(question.title)} <small>({e(question.id)})</small></h1>
<p class="statement">{e(question.statement)}</p>
<p>Give <math display="inline">{symbol_mathml(question.asked)}</math> using {e(", ".join(question.symbols))}
(plain text such as <code>V.T @ grad_o[t]</code>, or LaTeX).</p>
<form id="practice">
<textarea name="answer" rows="3" maxlength="4000" aria-label="your answer"></textarea>
<p><label>syntax <select name="syntax"><option>auto</option><option>text</option><option>latex</option></select></label>
<button type="submit">Check</button></p>
</form>
<div id="result" hidden><strong id="verdict"></strong> <span id="mistakes"></span>
<p id="message"></p><p>Read as: <span id="read"></span></p></div>
<script>const ENDPOINT = {json.dumps(endpoint)}, QUESTION = {json.dumps(question.id)};{_SCRIPT}</script>
</body></html>
"""


def check_json(checker, body):
    """(status, reply) for a POST body: the checker's verdict on ``{"answer", "syntax"}``."""
    try:
        request = json.loads(body.decode("utf-8"))
        answer, syntax = request["answer"], request.get("syntax", "auto")
        if not isinstance(answer, str) or syntax not in ("auto", "text", "latex"):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return 400, {"verdict": "error", "message": 'send JSON {"answer": "...", "syntax": "auto"}'}
    try:
        result = checker.check(answer, syntax)
    except QuestionError as exc:
        return 500, {"verdict": "error", "message": str(exc)}
    mathml = answer_mathml(result.parsed, checker.names) if result.parsed else ""
    return 200, {"verdict": result.verdict, "mistake": result.mistake, "mistakes": result.mistakes,
                 "message": result.message, "parsed": result.parsed, "mathml": mathml}


def make_server(question, port=DEFAULT_PORT, seed=0):
    """An HTTPServer on 127.0.0.1:`port` (0: any free port) serving the practice page and checker."""
    checker = Checker(question, seed=seed)
    page = practice_page(question).encode("utf-8")

    class Handler(BaseHTTPRequestHandler):
        timeout = TIMEOUT

        def do_GET(self):
            if self.path.split("?", 1)[0] != "/":
                return self._send(404, b"not found", "text/plain")
            self._send(200, page, "text/html; charset=utf-8")

        def do_POST(self):
            if self.path != "/check":
                return self._send(404, b"not found", "text/plain")
            try:
                length = int(self.headers.get("Content-Length", ""))
            except ValueError:
                return self._send(411, b"a Content-Length is needed", "text/plain")
            if not 0 <= length <= MAX_BODY:
                return self._send(413, b"the request is too large", "text/plain")
            status, reply = check_json(checker, self.rfile.read(length))
            self._send(status, json.dumps(reply).encode("utf-8"), "application/json",
                       file_page=self.headers.get("Origin") == "null")

        def _send(self, status, data, kind, file_page=False):
            self.send_response(status)
            if file_page:   # the page written by -o, opened from the disk; no website may read replies
                self.send_header("Access-Control-Allow-Origin", "null")
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            """Quiet: the students' answers are not echoed to the lecturer's terminal."""

    return HTTPServer((HOST, port), Handler)
