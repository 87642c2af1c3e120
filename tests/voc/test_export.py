"""The one formula neutraliser every CSV writer uses, and the display form of stored text."""

from __future__ import annotations

import pytest

from voc.export import display_text, neutralise_formula


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example")',
        "+1+1",
        "-2+3",
        "@SUM(A1)",
        "\tcmd",
        "\r=1",
        "\uff1dSUM(A1)",  # full-width =
        "\uff0b1",  # full-width +
        "\uff0d1",  # full-width -
        "\uff20SUM(A1)",  # full-width @
    ],
)
def test_text_a_spreadsheet_could_run_gets_a_leading_apostrophe(text: str) -> None:
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["", "Export drops accents: é", "a=b", " =1+1 kept: not at the start", "'=quoted", "5"]
)
def test_other_text_is_unchanged(text: str) -> None:
    assert neutralise_formula(text) == text


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("I&#x27;m stuck", "I'm stuck"),
        ("I&#39;m stuck", "I'm stuck"),
        ("Fish &amp; chips &lt;3", "Fish & chips <3"),
        ("&quot;quoted&quot;", '"quoted"'),
        ("double &amp;#x27; stays once-decoded", "double &#x27; stays once-decoded"),
        ("AT&T and R&D", "AT&T and R&D"),
        ("&notes without a semicolon", "&notes without a semicolon"),
        ("&unknownentity; kept", "&unknownentity; kept"),
        ("plain text", "plain text"),
    ],
)
def test_display_text_decodes_complete_character_references_once(stored: str, shown: str) -> None:
    assert display_text(stored) == shown
