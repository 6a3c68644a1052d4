"""Book notation on figures: the LaTeX subset becomes Graphviz HTML-like labels."""
import numpy as np
import pytest

from autodiff.labels import (dot_escape, dot_quote, format_array, format_shape, html_label,
                             plain_text)


def test_bold_vector_with_time_superscript():
    """h^(t) of eq. 10.8 is a bold italic h with superscript (t)."""
    assert html_label(r"\mathbf{h}^{(3)}") == "<B><I>h</I></B><SUP>(3)</SUP>"


def test_hat_puts_a_circumflex_on_the_bold_letter():
    """yhat^(t) = softmax(o^(t)), eq. 10.11: the hat sits on the bold y."""
    assert html_label(r"\hat{\mathbf{y}}^{(2)}") == "<B><I>\u0177</I></B><SUP>(2)</SUP>"


def test_nabla_gets_a_nested_subscript():
    """grad_{h^(t)} L (eq. 10.21) has the bold h^(t) as a subscript of nabla."""
    assert html_label(r"\nabla_{\mathbf{h}^{(t)}} L") == (
        "\u2207<SUB><B><I>h</I></B><SUP>(<I>t</I>)</SUP></SUB> <I>L</I>")


def test_plain_name_subscripts_the_index():
    assert html_label("x_1") == "<I>x</I><SUB>1</SUB>"


def test_plain_name_subscript_takes_every_digit():
    assert html_label("h_12") == "<I>h</I><SUB>12</SUB>"


def test_latex_subscript_without_braces_takes_one_token():
    assert html_label(r"\mathbf{h}_12") == "<B><I>h</I></B><SUB>1</SUB>2"


def test_transpose_and_operator_names_are_upright():
    """W^T diag(1 - h^2), the local Jacobian of eq. 10.21."""
    assert html_label(r"\mathbf{W}^\top \operatorname{diag}") == "<B><I>W</I></B><SUP>\u22a4</SUP> diag"


def test_greek_letters_and_symbols():
    assert html_label(r"\tau") == "<I>\u03c4</I>"
    assert html_label(r"\Sigma") == "\u03a3"
    assert html_label(r"\partial L") == "\u2202 <I>L</I>"


def test_markup_characters_are_escaped():
    assert html_label("a<b & c>d") == "<I>a</I>&lt;<I>b</I> &amp; <I>c</I>&gt;<I>d</I>"


def test_unknown_command_stays_visible_without_backslash():
    assert html_label(r"\frobnicate{x}") == "frobnicate<I>x</I>"


def test_unbalanced_brace_does_not_raise():
    assert "h" in html_label(r"\mathbf{h^{(3)")
    assert html_label("a}b").endswith("}b")


def test_none_label_is_empty():
    assert html_label(None) == ""


def test_plain_text_uses_unicode_scripts():
    assert plain_text(r"\mathbf{h}^{(3)}") == "h\u207d\u00b3\u207e"
    assert plain_text("x_1") == "x\u2081"


def test_plain_text_falls_back_to_caret_for_unmapped_scripts():
    assert plain_text(r"\mathbf{W}^\top") == "W^\u22a4"


def test_dot_escape_and_quote():
    assert dot_escape('<"&>') == "&lt;&quot;&amp;&gt;"
    assert dot_quote('say "hi"\\') == '"say \\"hi\\"\\\\"'


def test_column_vector_prints_as_transposed_row():
    """Column vectors, as in the book, are written [..]^T."""
    assert format_array(np.array([[0.5], [-0.25], [0.0]])) == "[0.5 \u22120.25 0]\u22a4"


def test_matrix_prints_rows_separated_by_semicolons():
    assert format_array(np.array([[1.0, 2.0], [3.0, 4.0]])) == "[1 2; 3 4]"


def test_big_array_prints_its_norm():
    assert format_array(np.ones((3, 4))) == "norm 3.464"


def test_numbers_are_fixed_to_four_significant_digits():
    assert format_array(np.float64(np.pi)) == "3.142"
    assert format_array(np.float64(-0.0)) == "0"


def test_integer_values_print_as_integers():
    assert format_array(np.array([2])) == "2"


@pytest.mark.parametrize("shape, text", [((3, 1), "3\u00d71"), ((), "scalar"), ((2, 3, 4), "2\u00d73\u00d74")])
def test_shapes_print_with_times(shape, text):
    assert format_shape(shape) == text


def test_function_names_are_upright():
    """log yhat, as in L^(t) = -log yhat^(t)_y (eq. 10.12)."""
    assert html_label(r"-\log \hat{y}") == "-log <I>\u0177</I>"
