"""A release installs and works anywhere (issue 13): sdist, wheel, a fresh venv, the docs.

`python -m build` makes the sdist and then the wheel from that sdist, as a release is made.
The sdist must hold everything `make test` reads (unpacked alone, it collects the whole suite
and passes the tests of the package data) and the wheel every file of the packages (the exam
bank, the corpus: data the code opens at run time).
The wheel with its `render` extra is then installed into a fresh venv, and every command
README.md and docs/*.md show (read by tests/doccommands.py, as tests/test_docs_commands.py
reads them) runs with that venv's `gradbook` on PATH, from an empty folder holding only the
docs' example files: no source tree in sight, so a file missing from the wheel fails here.
Those tests carry the marker `installs`: `make test-floor` leaves them out, since the venv
they make takes the newest releases, not the floors.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest

import doccommands as dc

pytestmark = pytest.mark.slow

ROOT = dc.ROOT
TIMEOUT = 600
# What `make test` reads from the project root besides the packages: the sdist carries it.
SDIST_TREES = ("autodiff", "rnn", "tests", "docs", "benchmarks")
SDIST_FILES = ("setup.cfg", "pyproject.toml", "Makefile", "README.md", "LICENSE",
               ".ci/run", ".ci/floors.py", ".ci/node/package.json", ".ci/node/package-lock.json")
PACKAGES = ("autodiff", "rnn")
# The sdist's own tests that read the package data: the corpus (all of test_data.py) and the bank.
BANK_TEST = "test_bank_has_the_issue_questions_and_the_other_models"
# Started first so that the two workers finish together (each takes 15-30 s, the rest 2-8 s).
LONGEST = ("lecture", "vanishing", "train")


@dataclass(frozen=True)
class Release:
    sdist: Path
    wheel: Path
    log: str


def tracked(*paths):
    """The files git tracks under `paths` (relative, POSIX), or a skip outside a checkout."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the tracked files to compare the release with are unknown")
    done = subprocess.run(["git", "ls-files", "-z", "--", *paths], cwd=ROOT, capture_output=True, text=True, check=True)
    return {name for name in done.stdout.split("\0") if name}


def failure(done):
    return f"exit {done.returncode}\nstdout: {done.stdout[-3000:]}\nstderr: {done.stderr[-3000:]}"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """The sdist and the wheel built from it, by `python -m build` in isolated environments."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, failure(done)
    (sdist,), (wheel,) = out.glob("*.tar.gz"), out.glob("*.whl")
    return Release(sdist, wheel, done.stdout + done.stderr)


@pytest.fixture(scope="module")
def venv(release, tmp_path_factory):
    """A fresh venv with the wheel and its `render` extra installed: its bin folder. Without
    byte-compiling all of SymPy and matplotlib up front (30 s): modules compile as imported."""
    root = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=TIMEOUT)
    done = subprocess.run([str(root / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile",
                           f"{release.wheel}[render]"], capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, failure(done)
    return root / "bin"


def environment(bin_dir):
    """The environment of a reader who activated the venv: its bin first on PATH, nothing of
    the source tree on the import path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return dict(env, PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", VIRTUAL_ENV=str(bin_dir.parent),
                MPLBACKEND="Agg")


def test_the_build_warns_of_no_package_left_out(release):
    assert "is absent from the `packages` configuration" not in release.log, release.log
    assert "would be ignored" not in release.log, release.log


def test_the_sdist_holds_what_the_test_suite_reads(release):
    with tarfile.open(release.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    missing = sorted((tracked(*SDIST_TREES) | set(SDIST_FILES)) - names)
    assert not missing, f"{release.sdist.name} lacks {missing[:20]}; add them to MANIFEST.in"
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_the_unpacked_sdist_collects_the_whole_suite_and_runs_its_data_tests(release, tmp_path):
    """From the unpacked sdist (no checkout beside it) every test module imports, and the tests
    that read the package data pass, importing the sdist's own packages (setup.cfg's pythonpath)."""
    with tarfile.open(release.sdist) as sdist:
        # The "data" filter (3.11.4+) refuses links and paths out of the folder.
        sdist.extractall(tmp_path, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    (unpacked,) = tmp_path.iterdir()
    pytest_argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    collected = subprocess.run([*pytest_argv, "--collect-only", "-q"], cwd=unpacked, capture_output=True,
                               text=True, timeout=TIMEOUT)
    assert collected.returncode == 0, failure(collected)
    code = "import autodiff, rnn.exam.questions as q; print(autodiff.__file__); print(q.BANK)"
    where = subprocess.run([sys.executable, "-c", code], cwd=unpacked, capture_output=True, text=True, timeout=TIMEOUT)
    assert all(Path(line).is_relative_to(unpacked) for line in where.stdout.splitlines()), failure(where)
    ran = subprocess.run([*pytest_argv, "tests/test_data.py", f"tests/test_exam_check_bank.py::{BANK_TEST}"],
                         cwd=unpacked, capture_output=True, text=True, timeout=TIMEOUT)
    assert ran.returncode == 0, failure(ran)


def test_the_wheel_holds_every_file_of_the_packages(release):
    with zipfile.ZipFile(release.wheel) as wheel:
        names = set(wheel.namelist())
    packaged = {n for n in names if n.split("/")[0] in PACKAGES}
    expected = tracked(*PACKAGES)
    assert {"rnn/exam/bank/builtin.toml", "rnn/data/corpus.txt"} <= expected
    assert expected - packaged == set(), f"{release.wheel.name} lacks {sorted(expected - packaged)}"
    assert packaged - expected == set(), f"{release.wheel.name} ships untracked {sorted(packaged - expected)}"


def test_the_wheel_metadata_is_honest(release):
    with zipfile.ZipFile(release.wheel) as wheel:
        info = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(wheel.read(info).decode("utf-8"))
        licences = [n for n in wheel.namelist() if ".dist-info/" in n and n.rsplit("/", 1)[1] == "LICENSE"]
        licence = wheel.read(licences[0]).decode("utf-8") if licences else ""
    assert metadata["Requires-Python"] == ">=3.11"
    requires = [r.split(";")[0] for r in metadata.get_all("Requires-Dist")]
    assert "networkx>=3.4" in requires
    assert not [r for r in requires if r.startswith("graphviz")], requires
    assert licence.startswith("MIT License") and "gradbook authors" in licence


@pytest.mark.installs
def test_the_installed_packages_are_the_wheel_s_not_the_tree_s(venv, tmp_path):
    code = "import autodiff, rnn.exam.questions as q; print(autodiff.__file__); print(q.BANK)"
    done = subprocess.run([str(venv / "python"), "-c", code], cwd=tmp_path, env=environment(venv),
                          capture_output=True, text=True, timeout=TIMEOUT)
    assert done.returncode == 0, failure(done)
    for line in done.stdout.splitlines():
        assert Path(line).is_relative_to(venv.parent) and Path(line).exists(), line
    assert shutil.which("gradbook", path=str(venv)) == str(venv / "gradbook")


def test_install_page_shows_the_floors_floors_py_prints():
    """docs/install.md shows `.ci/floors.py`'s output; the script reads setup.cfg, so the page
    shows the floors `make test-floor` installs."""
    (shown,) = [c for c in dc.commands(dc.DOCS / "install.md", programs=None, languages=("console",))
                if c.argv[1:2] == (".ci/floors.py",)]
    done = subprocess.run([sys.executable, *shown.argv[1:]], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, failure(done)
    assert dc.output_matches(shown.output, done.stdout), f"printed:\n{done.stdout}"


def test_floors_name_every_requirement_and_refuse_one_without_a_floor(tmp_path):
    cfg = tmp_path / "setup.cfg"
    cfg.write_text("[options]\ninstall_requires =\n    numpy>=1.24\n    tqdm\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", "import runpy, sys; floors = runpy.run_path(sys.argv[1])['floors']; "
                           "floors(path=sys.argv[2])", str(ROOT / ".ci" / "floors.py"), str(cfg)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and "'tqdm' in setup.cfg has no '>=' floor" in done.stderr, failure(done)


def documented():
    """Every distinct command (with the output it shows, if any) of README.md and docs/."""
    distinct = {}
    for command in [c for page in dc.pages() for c in dc.commands(page)] + dc.inline_commands(dc.README):
        distinct.setdefault((command.text, command.output), command)
    return list(distinct.values())


COMMANDS = documented()


def run_installed(command, folder, bin_dir):
    """Run `command` as written, its program found on PATH in `bin_dir`, in `folder` holding only
    the docs' example files."""
    folder.mkdir(parents=True)
    for name, text in dc.example_files().items():
        (folder / name).write_text(text, encoding="utf-8")
    env = environment(bin_dir)
    program = shutil.which(command.argv[0], path=env["PATH"])
    return subprocess.run([program, *command.argv[1:]], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=TIMEOUT)


@pytest.fixture(scope="module")
def ran(venv, tmp_path_factory):
    """{command: CompletedProcess}: every documented command, run against the installed wheel."""
    root = tmp_path_factory.mktemp("commands")
    order = sorted(enumerate(COMMANDS), key=lambda kc: not (kc[1].args and kc[1].args[0] in LONGEST))
    with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        futures = {c: pool.submit(run_installed, c, root / f"job{k}", venv) for k, c in order}
        return {c: future.result() for c, future in futures.items()}


def test_every_page_s_commands_are_found():
    texts = {c.text for c in COMMANDS}
    assert {"gradbook questions", "gradbook lecture -o lecture", "gradbook --help", "python -m autodiff",
            "gradbook grade rnn/grad_W answers.csv -o marks", "gradbook draw --list"} <= texts
    assert {c.page.name for c in COMMANDS} >= {"README.md", "exam.md", "gallery.md", "user-guide.md", "rendering.md"}


@pytest.mark.installs
@pytest.mark.parametrize("command", COMMANDS, ids=[c.where for c in COMMANDS])
def test_documented_command_works_from_the_installed_wheel(command, ran):
    done = ran[command]
    assert done.returncode == command.exit_code, failure(done)
    if command.output is not None:
        assert dc.output_matches(command.output, done.stdout), \
            "shown:\n" + "\n".join(command.output) + f"\nprinted:\n{done.stdout}"
