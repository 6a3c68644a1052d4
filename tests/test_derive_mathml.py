"""The derived equations as presentation MathML that Chromium's MathML Core renders (issue 12):
bold italic letters, the hat over y, long sums on lines of an <mtable>.

The structure is asserted on the parsed XML; one test opens a page of it in headless
Chromium, measures the layout the browser made and keeps a screenshot.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from rnn.derive import CELLS, derive
from tests.consumers import dump_dom, screenshot

BOLD_ITALIC = range(0x1D468, 0x1D49C)  # MATHEMATICAL BOLD ITALIC CAPITAL A ... SMALL Z


def _math(cell, key):
    return ET.fromstring(derive(cell).equation(key).mathml())


def _letters(root):
    return [mi for mi in root.iter("mi") if mi.text and len(mi.text) == 1]


def test_every_equation_is_well_formed_mathml():
    for cell in CELLS:
        for eq in derive(cell).equations:
            root = ET.fromstring(eq.mathml())
            assert root.tag == "math" and root.get("display") == "block"


def test_vectors_and_matrices_are_bold_italic_letters():
    """h, W, V as the Unicode bold italic letters (MathML Core ignores mathvariant), also
    marked bold-italic for the renderers that read the attribute; L stays italic."""
    root = _math("rnn", "h")
    bold = [mi for mi in _letters(root) if ord(mi.text) in BOLD_ITALIC]
    assert {chr(0x1D489), chr(0x1D47E), chr(0x1D47D)} <= {mi.text for mi in bold}  # h W V
    assert all(mi.get("mathvariant") == "bold-italic" for mi in bold)
    plain = {mi.text for mi in _letters(root) if ord(mi.text) not in BOLD_ITALIC}
    assert "L" in plain and not plain & set("hWVo")


def test_gate_parameter_is_bold_with_the_gate_as_superscript():
    root = _math("lstm", "W_f")
    msup = next(m for m in root.iter("msup") if m[0].tag == "mi" and m[0].text == chr(0x1D47E))
    assert msup[1].tag == "mi" and msup[1].text == "f"


def test_hat_is_an_accent_over_the_bold_y():
    root = _math("rnn", "o")
    mover = next(root.iter("mover"))
    assert mover.get("accent") == "true"
    assert mover[0].tag == "mi" and mover[0].text == chr(0x1D49A)  # bold italic y
    assert mover[1].tag == "mo" and mover[1].text == "\u02c6" and mover[1].get("stretchy") == "false"


def test_long_gated_sums_are_rows_of_an_mtable():
    """The LSTM's grad_h has a term per gate: one <mtr> per line, = in the first row only,
    each later line opening with +, as the LaTeX breaks it."""
    eq = derive("lstm").equation("h")
    root = ET.fromstring(eq.mathml())
    table = root.find("mtable")
    assert table is not None
    rows = table.findall("mtr")
    assert len(rows) == len(eq.row().lines) >= 4
    assert all(len(row.findall("mtd")) == 2 for row in rows)
    assert [mo.text for mo in rows[0][1].iter("mo")][0] == "="
    for row in rows[1:-1]:
        assert not list(row[0]) and [mo.text for mo in row[1].iter("mo")][0] == "+"
    short = ET.fromstring(derive("rnn").equation("h@tau").mathml())
    assert short.find("mtable") is None


_MEASURE = """<script>
const out = [];
for (const math of document.querySelectorAll('math')) {
  const box = math.firstElementChild.getBoundingClientRect();  // the formula, not the display block
  const tops = [...math.querySelectorAll('mtr')].map(r => r.getBoundingClientRect().top);
  out.push({right: box.right, width: box.width, tops: tops});
}
const hats = [...document.querySelectorAll('mover')].map(m => {
  const base = m.children[0].getBoundingClientRect(), hat = m.children[1].getBoundingClientRect();
  return {baseLeft: base.left, baseRight: base.right, baseTop: base.top,
          hatCenter: (hat.left + hat.right) / 2, hatBottom: hat.bottom};
});
const pre = document.createElement('pre');
pre.id = 'layout';
pre.textContent = JSON.stringify({maths: out, hats: hats, viewport: window.innerWidth});
document.body.appendChild(pre);
</script>"""


@pytest.mark.needs_chromium
def test_chromium_renders_lines_and_hats_inside_the_page(tmp_path):
    """Headless Chromium lays out the LSTM and GRU: each mtable row below the one before,
    no equation wider than a 1000-px page, every hat centred over its letter and above it."""
    body = derive("lstm").mathml() + derive("gru").mathml(wrt="W")
    page = tmp_path / "mathml.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
                    f"<body style='font-size:16px'>{body}{_MEASURE}</body></html>", encoding="utf-8")
    dom = dump_dom(page.as_uri(), tmp_path / "profile", size=(1000, 900))
    layout = json.loads(re.search(r'<pre id="layout">(.*?)</pre>', dom, re.S).group(1).replace("&quot;", '"'))
    maths = layout["maths"]
    assert len(maths) == body.count("<math") and any(len(m["tops"]) >= 4 for m in maths)
    for m in maths:
        assert m["width"] > 0 and m["right"] <= layout["viewport"]
        assert m["tops"] == sorted(m["tops"]) and len(set(m["tops"])) == len(m["tops"])
    assert layout["hats"]
    for hat in layout["hats"]:
        assert hat["baseLeft"] <= hat["hatCenter"] <= hat["baseRight"]
        assert hat["hatBottom"] <= hat["baseTop"] + 0.5 * (hat["baseRight"] - hat["baseLeft"])
    png = screenshot(page.as_uri(), tmp_path / "mathml.png", tmp_path / "profile", size=(1000, 1600))
    assert png.exists() and png.stat().st_size > 10_000
