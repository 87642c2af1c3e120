"""The one formula neutraliser every CSV writer uses."""

from __future__ import annotations

import pytest

from voc.export import neutralise_formula


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
