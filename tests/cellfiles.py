"""A question folder on the docs' example cells: ``cells/NAME.py`` copied from docs/examples and
``q.toml`` naming them (``cell = "cells/relu_rnn.py:relu_rnn"``), as a lecturer lays one out."""
from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def question_folder(folder, questions, cells):
    """`folder` with the example `cells` (file stems) under ``cells/`` and `questions` as ``q.toml``."""
    (folder / "cells").mkdir()
    for name in cells:
        shutil.copy(EXAMPLES / f"{name}.py", folder / "cells" / f"{name}.py")
    (folder / "q.toml").write_text(questions)
    return folder
