"""Print pip constraints that pin every requirement of setup.cfg at its declared floor.

    python3 .ci/floors.py render test > constraints.txt   # install_requires + those extras

`make test-floor` installs the package with these constraints and runs the suite, so the
floors written in setup.cfg are the versions tested: there is no second list to drift.
A requirement without a ``>=`` floor is an error, since nothing could be pinned.
"""
from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path

SETUP_CFG = Path(__file__).resolve().parent.parent / "setup.cfg"
# name, optional [extras], then the floor: ``numpy>=1.24`` or ``pkg[x]>=2.0,<3``.
FLOOR = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([^,;\s]+)")


def requirements(extras=(), path=SETUP_CFG):
    """The requirement lines of install_requires and of the named extras, in file order."""
    cfg = configparser.ConfigParser()
    cfg.read(path, encoding="utf-8")
    lines = cfg.get("options", "install_requires").splitlines()
    for extra in extras:
        if not cfg.has_option("options.extras_require", extra):
            raise SystemExit(f"floors: setup.cfg has no extra {extra!r}; its extras are "
                             f"{', '.join(cfg.options('options.extras_require'))}")
        lines += cfg.get("options.extras_require", extra).splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def floors(extras=(), path=SETUP_CFG):
    """{name: floor version} for every requirement; SystemExit naming one that has no floor."""
    path, pinned = Path(path), {}
    for line in requirements(extras, path):
        match = FLOOR.match(line)
        if match is None:
            raise SystemExit(f"floors: {line!r} in {path.name} has no '>=' floor; write one that is tested")
        pinned[match.group(1).lower()] = match.group(2)
    return pinned


def main(argv):
    for name, version in floors(argv).items():
        print(f"{name}=={version}")


if __name__ == "__main__":
    main(sys.argv[1:])
