"""Every command and code block in the docs runs as written, so the docs cannot rot (issue 6).

Commands run through the installed `gradbook` (the one beside this interpreter), each in a
scratch folder holding the docs' example files (``file=NAME`` blocks), and must exit with the
status the page documents (``# ... exit 1``, else 0); a ```console block's output must be
what the command prints. Python blocks run as scripts in a scratch folder; a block marked
``excerpt=PATH`` is a quotation of the source and must still be found in PATH. The rules for
reading a page are in tests/doccommands.py.

Pages whose commands or Python blocks another test already runs are left to that test
(RUN_ELSEWHERE). The README's table of tasks writes its commands inline; those run here
too, unless a docs page shows the same command. Everything selected runs once, a few jobs
at a time, in a module fixture; each test then checks one job.
"""
from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

import doccommands as dc

TIMEOUT = 180
# page -> (the test that runs its commands, the blocks that test reads)
COMMANDS_RUN_ELSEWHERE = {
    "docs/gallery.md": ("tests/test_figures_docs.py", ("bash",)),
    "docs/user-guide.md": ("tests/test_lecture.py", ("bash",)),
    "docs/rendering.md": ("tests/test_render_docs.py", ("sh",)),
}
PYTHON_RUN_ELSEWHERE = {
    "README.md": "tests/test_readme.py",
    "docs/rendering.md": "tests/test_render_docs.py",
    "docs/rnn.md": "tests/test_rnn_docs.py",
}
DRAWING_COMMANDS = {"draw", "graph", "vanishing", "lecture"}
KNOWN_BROKEN = {}
TOO_LONG = {}
PUBLIC_MODULES = ("autodiff", "autodiff.render", "rnn", "rnn.derive", "rnn.figures")


def rel(page):
    return page.relative_to(dc.ROOT).as_posix()


@dataclass(frozen=True)
class Job:
    """One documented command or Python block, and how to run it."""
    key: str
    command: dc.Command | None = None
    source: str = ""
    needs_graphviz: bool = False



def run_elsewhere():
    """The commands another test already runs: those of the blocks it reads."""
    return {c.text for page, (_, languages) in COMMANDS_RUN_ELSEWHERE.items()
            for c in dc.commands(dc.ROOT / page, languages=languages)}


def command_jobs():
    """One job per distinct command not run elsewhere; a command shown with its output runs
    where the output is shown."""
    documented = [c for page in dc.pages() for c in dc.commands(page)] + dc.inline_commands(dc.README)
    shown = {c.text for c in documented if c.output is not None}
    elsewhere = run_elsewhere()
    jobs, keys = [], set()
    for command in documented:
        key = (command.text, command.output)
        if key in keys or command.output is None and (command.text in elsewhere or command.text in shown):
            continue
        keys.add(key)
        jobs.append(Job(command.where, command=command,
                        needs_graphviz=bool(command.args) and command.args[0] in DRAWING_COMMANDS))
    return jobs


def python_jobs():
    return [Job(f"{rel(page)}, python block {k + 1}", source=block.text,
                needs_graphviz=block.options.get("needs") == "graphviz")
            for page in dc.pages() if rel(page) not in PYTHON_RUN_ELSEWHERE
            for k, block in enumerate(b for b in dc.blocks(page, "python") if "excerpt" not in b.options)]


def params(jobs):
    out = []
    for job in jobs:
        marks = [pytest.mark.needs_graphviz] if job.needs_graphviz else []
        if job.command is not None and job.command.text in KNOWN_BROKEN:
            marks.append(pytest.mark.xfail(strict=True, reason=KNOWN_BROKEN[job.command.text]))
        if job.command is not None and job.command.text in TOO_LONG:
            marks.append(pytest.mark.skip(reason=TOO_LONG[job.command.text]))
        out.append(pytest.param(job, marks=marks, id=job.key))
    return out


COMMAND_JOBS = command_jobs()
PYTHON_JOBS = python_jobs()


# Python blocks share one interpreter (start-up and imports are most of their cost), each
# with fresh globals in its own folder; a failure is reported with its traceback.
BLOCK_RUNNER = """
import json, os, sys, traceback
results = {}
for key, folder, source in json.load(open(sys.argv[1], encoding="utf-8")):
    os.chdir(folder)
    try:
        exec(compile(source, key, "exec"), {"__name__": "__main__"})
        results[key] = ""
    except BaseException:
        results[key] = traceback.format_exc()
json.dump(results, open(sys.argv[2], "w", encoding="utf-8"))
"""


def scratch(folder):
    folder.mkdir(parents=True)
    for name, text in dc.example_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def run_command(job, folder):
    """The CompletedProcess of the documented command, run in a fresh `folder`."""
    return subprocess.run(dc.program_argv(job.command), cwd=scratch(folder), capture_output=True, text=True,
                          timeout=TIMEOUT, env=dict(os.environ, MPLBACKEND="Agg"))


def run_blocks(jobs, folder):
    """{job: '' or the traceback} for Python blocks run one after another in one interpreter."""
    plan = [(job.key, str(scratch(folder / f"block{k}")), job.source) for k, job in enumerate(jobs)]
    (folder / "blocks.json").write_text(json.dumps(plan), encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", BLOCK_RUNNER, str(folder / "blocks.json"), str(folder / "out.json")],
                          capture_output=True, text=True, timeout=TIMEOUT * 2, env=dict(os.environ, MPLBACKEND="Agg"))
    if done.returncode:
        return {job: f"the block runner failed: {failure(done)}" for job in jobs}
    results = json.loads((folder / "out.json").read_text(encoding="utf-8"))
    return {job: results[job.key] for job in jobs}


@pytest.fixture(scope="module")
def ran(request, tmp_path_factory):
    """{job: CompletedProcess (a command) or '' / traceback (a Python block)} for the jobs
    this session's selected tests check."""
    from autodiff.renderers import find_renderer
    can_draw = find_renderer() is not None
    wanted = [item.callspec.params["job"] for item in request.session.items
              if item.module is request.module and "job" in getattr(getattr(item, "callspec", None), "params", {})]
    todo = list(dict.fromkeys(j for j in wanted if (can_draw or not j.needs_graphviz)
                              and (j.command is None or j.command.text not in TOO_LONG)))
    blocks = [j for j in todo if j.command is None]
    root = tmp_path_factory.mktemp("docs")
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 2)) as pool:
        python = pool.submit(run_blocks, blocks, root / "python") if blocks else None
        futures = {job: pool.submit(run_command, job, root / f"job{k}")
                   for k, job in enumerate(todo) if job.command is not None}
        results = {job: future.result() for job, future in futures.items()}
        return {**results, **(python.result() if python else {})}


def failure(done):
    return f"exit {done.returncode}\nstdout: {done.stdout[-1500:]}\nstderr: {done.stderr[-1500:]}"


@pytest.mark.parametrize("job", params(COMMAND_JOBS))
def test_documented_command_exits_as_documented(job, ran):
    done = ran[job]
    assert done.returncode == job.command.exit_code, failure(done)


@pytest.mark.parametrize("job", params([j for j in COMMAND_JOBS if j.command.output is not None]))
def test_documented_output_is_what_the_command_prints(job, ran):
    done = ran[job]
    shown = "\n".join(job.command.output)
    assert dc.output_matches(job.command.output, done.stdout), f"shown:\n{shown}\nprinted:\n{done.stdout}"


@pytest.mark.parametrize("job", params(PYTHON_JOBS))
def test_documented_python_block_runs(job, ran):
    assert ran[job] == "", ran[job]


@pytest.mark.parametrize("block", [pytest.param(b, id=f"{rel(b.page)}: {b.options['excerpt']}")
                                   for page in dc.pages() for b in dc.blocks(page, "python")
                                   if "excerpt" in b.options])
def test_quoted_source_is_still_in_the_source(block):
    source = (dc.ROOT / block.options["excerpt"]).read_text(encoding="utf-8")
    assert block.text in source


def test_pages_left_to_other_tests_are_read_by_them():
    tests = {page: test for page, (test, _) in COMMANDS_RUN_ELSEWHERE.items()}
    for page, test in [*tests.items(), *PYTHON_RUN_ELSEWHERE.items()]:
        assert page.split("/")[-1] in (dc.ROOT / test).read_text(encoding="utf-8"), (page, test)


def test_the_docs_commands_and_blocks_are_found():
    pages = {j.command.page.name for j in COMMAND_JOBS}
    assert {"derive.md", "exam.md", "vanishing.md", "rnn.md", "architecture.md", "README.md"} <= pages
    assert any(j.key.startswith("docs/api.md") for j in PYTHON_JOBS)


def test_commands_that_read_example_files_find_them():
    files = dc.example_files()
    assert {"mine.toml", "answers.csv"} <= set(files)


def test_commands_excused_from_running_are_still_in_the_docs():
    """An entry of KNOWN_BROKEN or TOO_LONG is dropped once its page is fixed."""
    assert {*KNOWN_BROKEN, *TOO_LONG} <= {j.command.text for j in COMMAND_JOBS}


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_api_reference_names_every_public_name(module):
    page = (dc.DOCS / "api.md").read_text(encoding="utf-8")
    missing = [name for name in importlib.import_module(module).__all__ if f"{module}.{name}" not in page]
    assert not missing, f"docs/api.md does not document {', '.join(f'{module}.{n}' for n in missing)}"


def heading_anchors(page):
    """GitHub's anchors for the headings of `page`: lower case, punctuation dropped, spaces
    as hyphens."""
    text = dc.FENCE.sub("", page.read_text(encoding="utf-8"))
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            for heading in re.findall(r"^#+ (.*)$", text, re.M)}


@pytest.mark.parametrize("page", dc.pages(), ids=rel)
def test_every_link_of_a_page_leads_somewhere(page):
    """Relative links name an existing file, and an anchor names a heading of the page it
    points to."""
    prose = dc.FENCE.sub("", page.read_text(encoding="utf-8"))
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path) if path else page
        assert linked.exists(), f"{rel(page)} links to {target}, which does not exist"
        if anchor and linked.suffix == ".md":
            assert anchor in heading_anchors(linked), f"{rel(page)} links to {target}: no such heading"


def documented_signatures():
    """(qualified name, documented parameters) for each `autodiff.f(a, b=1)` / `rnn.g(...)` code
    span of docs/api.md that names a function or class with parameters written as such
    (primitives, and calls written as examples like `autodiff.stack([a, b])`, are left out)."""
    page = (dc.DOCS / "api.md").read_text(encoding="utf-8")
    found = {}
    for name, args in re.findall(r"`((?:autodiff|rnn)(?:\.\w+)+)\(([^`]*)\)`", page):
        params = [a.strip() for a in split_arguments(args)]
        if all(re.fullmatch(r"\*{0,2}\w+(=.*)?|\*", a) for a in params if a):
            found[name] = [a for a in params if a]
    return sorted(found.items())


def split_arguments(text):
    depth, current, parts = 0, "", []
    for ch in text:
        depth += (ch in "([{") - (ch in ")]}")
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return parts + [current]


def resolve(qualified):
    """The object a dotted name means, read as Python reads it: an attribute of the package
    first (`autodiff.backward` is the function), else a submodule."""
    first, *rest = qualified.split(".")
    obj, path = importlib.import_module(first), first
    for part in rest:
        path += "." + part
        obj = getattr(obj, part) if hasattr(obj, part) else importlib.import_module(path)
    return obj


def spelled(signature):
    """['a', 'b', '*', 'c', '**kw']: parameter names as a signature writes them."""
    out = []
    for p in signature.parameters.values():
        if p.kind is p.KEYWORD_ONLY and not any(s.startswith("*") for s in out):
            out.append("*")
        out.append({p.VAR_POSITIONAL: "*", p.VAR_KEYWORD: "**"}.get(p.kind, "") + p.name)
    return out


@pytest.mark.parametrize("name, documented", documented_signatures(), ids=[n for n, _ in documented_signatures()])
def test_documented_signature_is_the_code_s(name, documented):
    """Parameter names in order, and each default the page writes as a literal."""
    import ast
    import inspect
    from autodiff.primitive import Primitive
    obj = resolve(name)
    if isinstance(obj, Primitive):
        return
    signature = inspect.signature(obj)
    assert [d.split("=")[0] for d in documented] == spelled(signature), f"{name}{signature}"
    for d, p in zip([d for d in documented if d != "*"], signature.parameters.values()):
        if "=" in d:
            try:
                written = ast.literal_eval(d.split("=", 1)[1])
            except ValueError:
                continue
            assert written == p.default, f"{name}: {d} but the code has {p.name}={p.default!r}"


def test_docs_index_links_every_page():
    index = (dc.DOCS / "index.md").read_text(encoding="utf-8")
    pages = {p.name for p in dc.DOCS.glob("*.md")} - {"index.md"} | {"example.ipynb"}
    linked = set(re.findall(r"\]\(([^)#]+)\)", index))
    assert pages <= linked, pages - linked
    assert all((dc.DOCS / name).exists() for name in linked), linked
