"""Pair scoring of requests and themes: word overlap and the contrast that orders suggestions."""

from __future__ import annotations

import numpy as np

from voc.request import ranking


def test_the_words_of_a_request_favour_the_theme_whose_customers_use_them() -> None:
    card = ranking.ThemeText(quotes=["I paid by card and the exchange rate was wrong"], keywords=[])
    cash = ranking.ThemeText(quotes=["The ATM gave a bad rate on my cash withdrawal"], keywords=[])
    linking = ranking.ThemeText(quotes=[], keywords=["link card", "linked"])
    lexical = ranking.lexical_matrix(
        ["Card payment wrong exchange rate", "Card linking", "the of and"], [card, cash, linking]
    )
    assert lexical[0, 0] > lexical[0, 1]  # "card", "exchange", "wrong" only in the first
    assert lexical[1, 2] > lexical[1, 1]  # "linking" meets "link" and "linked"
    assert np.all(lexical[2] == 0)  # no content words: no lexical evidence
    assert np.all((lexical >= 0) & (lexical <= 1))


def test_a_generic_request_close_to_every_theme_does_not_win_each_of_them() -> None:
    # rows: a generic request, then one specific request per theme; columns: five themes
    match = np.full((6, 5), 0.30, dtype=np.float32)
    match[0, :] = 0.62  # close to everything
    for theme in range(5):
        match[theme + 1, theme] = 0.60  # the theme's own request, a little less close
    order = ranking.contrast(match)
    assert all(int(np.argmax(match[:, t])) == 0 for t in range(5))  # raw: generic wins all
    assert [int(np.argmax(order[:, t])) for t in range(5)] == [1, 2, 3, 4, 5]


def test_the_semantic_match_falls_back_when_a_theme_lacks_quotes_or_a_centroid() -> None:
    vectors = np.eye(3, dtype=np.float32)[:2]
    centroid = np.array([2.0, 0.0, 0.0], dtype=np.float32)  # not normalised: cosine still
    no_quotes = np.zeros((0, 0), dtype=np.float32)
    match, cen, quote = ranking.semantic(vectors, centroid, no_quotes)
    assert np.allclose(cen, [1.0, 0.0])
    assert np.allclose(quote, cen)
    assert np.allclose(match, cen)
    quotes = np.eye(3, dtype=np.float32)[1:2]
    match, cen, quote = ranking.semantic(vectors, None, quotes)
    assert np.allclose(quote, [0.0, 1.0])
    assert np.allclose(cen, quote)
