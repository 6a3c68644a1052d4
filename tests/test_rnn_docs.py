"""docs/rnn.md: every Python example runs as written."""
import re
from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "rnn.md"


def test_python_examples_in_the_rnn_guide_run(capsys):
    """The blocks share one namespace, in order, as a reader would type them."""
    namespace = {}
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 3
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102  (our own documentation)
    assert namespace["result"].final < namespace["result"].initial - 1.0
