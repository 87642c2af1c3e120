"""Clause splitting and the item-level rule for mixed feedback (no model)."""

from __future__ import annotations

import pytest

from nlp.clauses import KIND_CONFIDENCE, contrasts, for_kind, is_formula, sentiment_spans
from nlp.sentiment import SentimentLabel, decide, split_clauses


def clauses(text: str) -> list[str]:
    return [text[start:end] for start, end in split_clauses(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I love the app but the new billing page is a disaster",
            ["I love the app", "the new billing page is a disaster"],
        ),
        ("Love the app, hate the new billing page", ["Love the app", "hate the new billing page"]),
        (
            "Great app. However, export crashes; support never answered!",
            ["Great app", "export crashes", "support never answered"],
        ),
        ("Although it is slow, I like it", ["it is slow", "I like it"]),
        ("It is not yet fixed", ["It is not yet fixed"]),
        ("Mr. Smith fixed it", ["Mr. Smith fixed it"]),
        ("Works fine, though", ["Works fine"]),
        ("Hi team, the export is broken", ["Hi team, the export is broken"]),
        ("but", []),
    ],
)
def test_split_clauses(text: str, expected: list[str]) -> None:
    assert clauses(text) == expected


def test_single_clause_keeps_the_whole_text_label() -> None:
    result = decide((0.2, 0.7, 0.1))

    assert result.label is SentimentLabel.NEUTRAL
    assert result.is_mixed is False
    assert result.strongest_clause is None
    assert result.score == pytest.approx(-0.1)


def test_confident_opposite_clauses_are_mixed_and_never_neutral() -> None:
    result = decide(
        (0.3, 0.4, 0.3),
        [("love the app", (0.02, 0.1, 0.88)), ("billing is a disaster", (0.93, 0.05, 0.02))],
    )

    assert result.is_mixed is True
    assert result.label is SentimentLabel.NEGATIVE
    assert result.strongest_clause == "billing is a disaster"
    assert result.probabilities == (0.3, 0.4, 0.3)


def test_a_mixed_text_that_leans_neither_way_goes_to_negative() -> None:
    result = decide(
        (0.3, 0.4, 0.3), [("great app", (0.1, 0.1, 0.8)), ("awful export", (0.8, 0.1, 0.1))]
    )

    assert result.label is SentimentLabel.NEGATIVE
    assert result.score == pytest.approx(0.0)


def test_a_mixed_text_takes_the_side_the_whole_text_leans_to_not_its_surest_clause() -> None:
    # the praise clause is the surest, but the whole complaint reads negative
    result = decide(
        (0.55, 0.3, 0.15),
        [
            ("Everything got slower", (0.8, 0.15, 0.05)),
            ("our connection is fine", (0.01, 0.04, 0.95)),
        ],
    )

    assert result.is_mixed is True
    assert result.label is SentimentLabel.NEGATIVE
    assert result.score == pytest.approx(-0.4)
    assert result.strongest_clause == "our connection is fine"


def test_one_sure_negative_clause_overrides_a_neutral_whole_text() -> None:
    result = decide(
        (0.3, 0.5, 0.2),
        [("I use it daily", (0.1, 0.8, 0.1)), ("export crashes", (0.92, 0.05, 0.03))],
    )

    assert result.label is SentimentLabel.NEGATIVE
    assert result.is_mixed is False
    unsure = decide(
        (0.3, 0.5, 0.2),
        [("I use it daily", (0.1, 0.8, 0.1)), ("export crashes", (0.85, 0.1, 0.05))],
    )
    assert unsure.label is SentimentLabel.NEUTRAL  # under NEGATIVE_LIFT: the whole text decides


def test_a_confident_positive_clause_does_not_lift_a_neutral_request() -> None:
    result = decide(
        (0.2, 0.5, 0.3),
        [
            ("A compact list view would help", (0.1, 0.7, 0.2)),
            ("Thanks for considering", (0.02, 0.08, 0.9)),
        ],
    )

    assert result.label is SentimentLabel.NEUTRAL
    assert result.is_mixed is False
    assert result.score == pytest.approx(0.1)


def test_a_confident_positive_clause_lifts_a_neutral_text_that_nearly_reads_positive() -> None:
    result = decide(
        (0.05, 0.5, 0.45),
        [
            ("Yasmin kept me updated", (0.1, 0.6, 0.3)),
            ("That alone is worth it", (0.02, 0.08, 0.9)),
        ],
    )

    assert result.label is SentimentLabel.POSITIVE
    assert result.score == pytest.approx(0.88)


def test_unconfident_clauses_leave_the_whole_text_label() -> None:
    result = decide((0.1, 0.3, 0.6), [("a", (0.5, 0.3, 0.2)), ("b", (0.2, 0.3, 0.5))])

    assert result.label is SentimentLabel.POSITIVE
    assert result.is_mixed is False


def test_a_clause_label_brings_its_score_so_label_and_score_agree() -> None:
    result = decide(
        (0.35, 0.45, 0.2), [("the export", (0.2, 0.7, 0.1)), ("fails", (0.95, 0.03, 0.02))]
    )

    assert result.label is SentimentLabel.NEGATIVE
    assert result.score == pytest.approx(-0.93)
    assert result.probabilities == (0.35, 0.45, 0.2)


def test_a_mixed_item_takes_the_label_and_score_of_the_whole_text() -> None:
    result = decide(
        (0.2, 0.3, 0.5),
        [("love the app", (0.02, 0.1, 0.88)), ("billing is a disaster", (0.93, 0.05, 0.02))],
    )

    assert result.is_mixed is True
    assert result.label is SentimentLabel.POSITIVE
    assert result.score == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("text", "whole", "parts"),
    [
        ("Hello Quillo support, Guests see too much!", "Guests see too much!", []),
        ("Thanks, but the export still fails", "the export still fails", []),
        ("Great app. Thanks in advance!", "Great app", []),
        ("Thanks!", "Thanks!", []),
        ("Bonjour, the invoice is wrong. Cordialement", "the invoice is wrong", []),
        (
            "Hey app crashes! Please fix it now",
            "Hey app crashes! Please fix it now",
            ["Hey app crashes", "Please fix it now"],
        ),
        (
            "The import rejects my file, row 6 is fine. Happy to share the file. Regards, 李娜",
            "The import rejects my file, row 6 is fine",
            ["The import rejects my file", "row 6 is fine"],
        ),
        (
            "I love the app but billing is a disaster. Thank you for your help, Anna",
            "I love the app but billing is a disaster",
            ["I love the app", "billing is a disaster"],
        ),
    ],
)
def test_sentiment_spans_drop_greetings_and_politeness(
    text: str, whole: str, parts: list[str]
) -> None:
    (start, end), pieces = sentiment_spans(text)

    assert text[start:end] == whole
    assert [text[s:e] for s, e in pieces] == parts


@pytest.mark.parametrize(
    ("clause", "expected"),
    [("Thanks", True), ("Hi team", True), ("thank you for your help", True), ("Kind regards", True),
     ("thanks for nothing, the app crashed", False), ("please fix the export", False),
     ("Kind regards, 李娜", True), ("Best, Folake (Delivery Lead)", True), ("Cheers, Tom", True),
     ("Hannah O'Brien | Office Manager Auroracraft Pty Ltd", True), ("Please look into it", True),
     ("happy to share more details on a call", True), ("sorry for typos", True),
     ("Would be much appreciated", True), ("I hope this is quick", True),
     ("Best app ever", False), ("Best feature you have shipped in years", False),
     ("Thanks for nothing", False), ("Regards, the finance team", False),
     ("Thanks for considering!", True), ("Thank you for reading my feedback", True)],
)  # fmt: skip
def test_is_formula(clause: str, expected: bool) -> None:
    assert is_formula(clause) is expected


def test_a_confident_request_that_reads_positive_is_neutral_with_score_zero() -> None:
    wish = decide((0.05, 0.25, 0.7))  # "Would love a proper HubSpot integration"
    result = for_kind(wish, "request", KIND_CONFIDENCE)

    assert result.label is SentimentLabel.NEUTRAL
    assert result.score == 0.0
    assert result.probabilities == wish.probabilities


@pytest.mark.parametrize(
    ("whole", "clauses", "kind", "confidence"),
    [
        ((0.05, 0.25, 0.7), [], "request", KIND_CONFIDENCE - 0.01),  # unsure kind
        ((0.05, 0.25, 0.7), [], "praise", 0.99),  # praise stays praise
        ((0.2, 0.7, 0.1), [], "question", 0.99),  # a neutral question stays neutral
        ((0.05, 0.25, 0.7), [], "bug", 0.99),  # a bug report that reads positive is left
        ((0.05, 0.25, 0.7), [], None, None),  # no kind yet
        ((0.7, 0.2, 0.1), [], "request", 0.99),  # a negative request keeps its label
        (  # a mixed request keeps its side
            (0.2, 0.3, 0.5),
            [("love the app", (0.02, 0.1, 0.88)), ("add a dark mode", (0.9, 0.05, 0.05))],
            "request",
            0.99,
        ),
    ],
)
def test_the_kind_rule_leaves_everything_else_alone(
    whole: tuple[float, float, float],
    clauses: list[tuple[str, tuple[float, float, float]]],
    kind: str | None,
    confidence: float | None,
) -> None:
    result = decide(whole, clauses)
    assert for_kind(result, kind, confidence) == result


def test_a_sure_bug_report_that_reads_neutral_is_negative_and_its_score_agrees() -> None:
    flat = decide((0.3, 0.6, 0.1))  # "Android app closes itself whenever I try to log time"
    result = for_kind(flat, "bug", KIND_CONFIDENCE)

    assert result.label is SentimentLabel.NEGATIVE
    assert result.score == pytest.approx(-0.2)
    leaning_up = for_kind(decide((0.1, 0.6, 0.3)), "bug", 0.99)
    assert leaning_up.label is SentimentLabel.NEGATIVE
    assert leaning_up.score == 0.0  # never a positive score on a negative label


def test_a_positive_reading_without_a_positive_word_does_not_make_a_complaint_mixed() -> None:
    # "Nobody can log in. Loom video": the tweet model reads the attachment note as praise
    result = decide(
        (0.8, 0.1, 0.1),
        [("Nobody can log in", (0.97, 0.02, 0.01)), ("Loom video", (0.02, 0.03, 0.95))],
    )

    assert result.is_mixed is False
    assert result.label is SentimentLabel.NEGATIVE
    worded = decide(
        (0.8, 0.1, 0.1),
        [("Nobody can log in", (0.97, 0.02, 0.01)), ("Love the app", (0.02, 0.03, 0.95))],
    )
    assert worded.is_mixed is True


def test_a_neutral_text_is_not_lifted_by_an_unworded_positive_clause() -> None:
    result = decide(
        (0.1, 0.5, 0.4),
        [
            ("We are evaluating alternatives", (0.0, 0.04, 0.96)),
            ("Our renewal is in May", (0.1, 0.8, 0.1)),
        ],
    )

    assert result.label is SentimentLabel.NEUTRAL


def test_a_sure_question_is_left_to_the_model() -> None:
    asking = decide((0.7, 0.29, 0.01))
    text = "How does the timesheet approval work?"

    assert for_kind(asking, "question", 0.99, text) == asking


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Love the app, but report filters reset every time", [False, True]),
        ("Product is good, notifications are a firehose though.", [False, True]),
        ("The product is solid. That said, the sync only goes one way", [False, True]),
        ("Great app. Export works. Support is quick", [False, False, False]),
        ("Although it is slow, I like it", [False, False]),  # the first clause never is
    ],
)
def test_contrasts(text: str, expected: list[bool]) -> None:
    assert contrasts(text, split_clauses(text)) == expected


def test_praise_turned_by_a_contrast_to_a_flat_complaint_is_mixed() -> None:
    # "Love the app, but report filters reset every time": the complaint reads neutral
    clauses = [("Love the app", (0.02, 0.08, 0.9)), ("report filters reset", (0.3, 0.6, 0.1))]
    result = decide((0.1, 0.3, 0.6), clauses, turned=[False, True])

    assert result.is_mixed is True
    assert result.label is SentimentLabel.POSITIVE  # the side the whole text leans to
    assert decide((0.1, 0.3, 0.6), clauses).is_mixed is False  # no contrast known
    praise_again = [("Love the app", (0.02, 0.08, 0.9)), ("support is great", (0.0, 0.1, 0.9))]
    assert decide((0.0, 0.1, 0.9), praise_again, turned=[False, True]).is_mixed is False
    unworded = [("Loom video", (0.02, 0.08, 0.9)), ("report filters reset", (0.3, 0.6, 0.1))]
    assert decide((0.1, 0.3, 0.6), unworded, turned=[False, True]).is_mixed is False


def test_a_sure_request_that_reads_negative_is_neutral_unless_it_names_a_problem() -> None:
    wish = decide((0.6, 0.3, 0.1))  # "Any chance of a dark theme for those of us working late?"
    text = "Any chance of a dark theme for those of us working late?"

    assert for_kind(wish, "request", KIND_CONFIDENCE, text).label is SentimentLabel.NEUTRAL
    blunt = "You can't even group reports by client"
    assert for_kind(wish, "request", KIND_CONFIDENCE, blunt) == wish


@pytest.mark.parametrize(
    ("text", "confidence"),
    [
        ("You can't even group reports by client", 0.99),  # a negation
        ("The reports are awful, please add filters", 0.99),  # a negative word
        ("Any chance of a dark theme?", KIND_CONFIDENCE - 0.01),  # unsure kind
        (None, 0.99),  # no text given: the rule cannot check the wording
    ],
)
def test_a_request_that_complains_keeps_its_negative_label(
    text: str | None, confidence: float
) -> None:
    complaint = decide((0.7, 0.29, 0.01))
    assert for_kind(complaint, "request", confidence, text) == complaint


def test_a_negative_clause_under_the_lift_never_lifts_a_neutral_text_to_positive() -> None:
    # p_neg 0.8: confident enough to make an item mixed, not sure enough to make it negative
    result = decide(
        (0.2, 0.4, 0.4), [("the sync is slow", (0.8, 0.1, 0.1)), ("we use it", (0.1, 0.8, 0.1))]
    )

    assert result.label is SentimentLabel.NEUTRAL
    assert result.is_mixed is False
