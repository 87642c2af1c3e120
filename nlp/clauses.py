"""Clause splitting and the item-level rule for mixed feedback.

Splitting: a text is cut at sentence ends (``.``, ``!``, ``?`` followed by a space), at ``;``,
at the contrastive conjunctions "but", "however", "although", "though", "whereas", "yet"
("though"/"yet" only after a comma or at a clause start, so "not yet fixed" stays whole), and at
a comma with at least three words on each side ("love the app, hate the new billing page").
Connectors and punctuation belong to no clause; "Mr." and similar do not end a sentence. A
clause needs a word of two or more letters; a text with fewer than two clauses is not split.

Item-level rule (``decide``), on calibrated probabilities; a clause is *confidently* positive
(negative) when its p_pos (p_neg) is at least ``MIXED_THRESHOLD`` (0.75: at 0.6 the rule cost
0.04 macro-F1 on TweetEval val against the whole-text argmax, at 0.75 0.016):

A confidently positive clause must also hold a positive opinion word (``nlp.lexicon``): the
tweet model reads context clauses of support mail ("Loom video", "We are evaluating
alternatives") as sure praise.

1. If the text has both a confidently positive and a confidently negative clause, or if worded,
   confident praise is followed by a clause that a contrast turns against it and that is not
   itself confident praise ("Love the app, but report filters reset every time", "Product is
   good, notifications are a firehose though": the complaint states a fact the tweet model
   reads as neutral; ``contrasts``), it is **mixed**: ``is_mixed=True``, and ``label`` is the
   side the whole text leans to (negative when p_neg >= p_pos, else positive). It is never
   averaged into neutral. (The strongest clause used to decide: a tweet-trained model is
   surest of short praise, "love the app", so 87% of the demo's mixed items came out positive,
   and complaints with one content clause ("our connection is fine") turned positive.)
2. Else, if the whole text reads neutral but one clause is surely **negative** (p_neg at least
   ``NEGATIVE_LIFT``, 0.9), ``label`` is negative: a clear complaint is not diluted by neutral
   context. (At 0.75 the lift cost the stage-2 weights 0.008 macro-F1 on TweetEval val; at 0.9
   val, the demo sample and the held-out support queries all read better than at 0.75 or
   0.95.) A confidently positive clause lifts a neutral text only when the whole text is itself
   nearly positive (p_pos at least ``POSITIVE_LIFT``, 0.4): around a request the praise is
   mostly courtesy ("Thanks for considering!", "My eyes will thank you") and the text stays
   neutral; "The bug took 5 days
   to fix, but Yasmin kept me updated. That alone is worth the subscription" (p_pos 0.44) is
   praise. (TweetEval val, the calibration set, is flat for the lift between 0.35 and 0.45.)
3. Else ``label`` is the argmax of the whole-text probabilities.

Against the strongest-clause rule with both polarities lifting in rule 2, on the same
probabilities: TweetEval test item-label macro-F1 0.628 -> 0.643, TweetEval val 0.694 -> 0.702,
the demo sample's unmixed items (3 classes) 0.609 -> 0.645 (``python -m bench.sentiment``).

``probabilities`` always describe the whole text (calibrated, for the per-theme shares).
``score`` (p_pos - p_neg, -1..+1) is that of the span that decided the label, so label and score
always agree: a positive label has a positive score, a negative label a negative (or zero) one
(rules 1 and 3: the whole text; rule 2: the deciding clause). A page never shows "pos -0.11"; a
mixed item is shown as mixed. ``strongest_clause`` is the most polar clause of a split text
(None when not split).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nlp.lexicon import has_positive_word, has_problem_word
from nlp.sentiment_types import LABEL_ORDER, SentimentLabel, SentimentResult

MIXED_THRESHOLD = 0.75
POSITIVE_LIFT = 0.4
# a clause this sure of a complaint makes a neutral text negative (rule 2)
NEGATIVE_LIFT = 0.9
# a request the kind classifier is this sure of reads neutral, not positive, and a bug report
# negative, not neutral (``for_kind``)
KIND_CONFIDENCE = 0.85
# names the item-level rules (``decide`` and ``for_kind``): stored labels carry it beside the
# model id, so a change of rules re-scores stored items at the next run, as a retraining does
RULE_VERSION = "rules3"

_SENTENCE = re.compile(r"[.!?]+[\"')\]]*\s+|;\s*|\s*\n\s*")
_CONTRAST = re.compile(
    r"(?:,\s*|\s+|^)(?:but|however|although|whereas)\b[,\s]*|(?:,\s*|^)(?:though|yet)\b[,\s]*",
    re.IGNORECASE,
)
_COMMA = re.compile(r",\s+")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:mr|mrs|ms|dr|st|vs|etc|e\.g|i\.e|approx|no)\.$", re.I)
_WORD = re.compile(r"[^\W\d_]{2,}")
_MIN_COMMA_WORDS = 3
_TRIM_LEFT, _TRIM_RIGHT = " ,.;:-", " ,.;:-!?"


def _cut(
    text: str, spans: list[tuple[int, int]], pattern: re.Pattern[str], min_words: int = 0
) -> list[tuple[int, int]]:
    """Cut each span at the pattern's matches (keeping parts of at least ``min_words``)."""
    out = []
    for start, end in spans:
        piece, cursor = text[start:end], 0
        for match in pattern.finditer(piece):
            left = piece[cursor : match.start()]
            if pattern is _SENTENCE and _ABBREVIATION.search(piece[: match.start()] + "."):
                continue
            if min_words and (
                len(left.split()) < min_words or len(piece[match.end() :].split()) < min_words
            ):
                continue
            out.append((start + cursor, start + match.start()))
            cursor = match.end()
        out.append((start + cursor, end))
    return out


def split_clauses(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) character spans of the clauses of ``text``, in order."""
    spans = _cut(text, [(0, len(text))], _SENTENCE)
    spans = _cut(text, spans, _CONTRAST)
    spans = _cut(text, spans, _COMMA, _MIN_COMMA_WORDS)
    out = []
    for start, end in spans:
        piece = text[start:end]
        left = len(piece) - len(piece.lstrip(_TRIM_LEFT))
        right = len(piece.rstrip(_TRIM_RIGHT))
        if right > left and _WORD.search(piece[left:right]):
            out.append((start + left, start + right))
    return out


_GREETING_WORD = (
    r"(?:hi|hello|hey|dear|greetings|good (?:morning|afternoon|evening)|"
    r"hola|bonjour|hallo|hej|ciao|ol\u00e1)"
)
# who a greeting addresses: "team", "support", "all", a capitalised name ("Quillo", "Anna")
_ADDRESSEE = (
    r"(?:\s+(?:there|all|team|everyone|support|folks|guys|again|sir|madam|or|zusammen|equipo|"
    r"pessoal|(?-i:[A-Z][\w'&-]*))){0,3}"
)
_GREETING_CLAUSE = re.compile(_GREETING_WORD + _ADDRESSEE, re.IGNORECASE)
_LEADING_GREETING = re.compile(
    r"\s*" + _GREETING_WORD + _ADDRESSEE + r"\s*[,:\u2013-]+\s*", re.IGNORECASE
)
_POLITE_CLAUSE = re.compile(
    r"(?:(?:many |thanks? )?thanks?(?: you)?|thx|ty|cheers|(?:best|kind|warm)? ?regards|"
    r"sincerely|please(?: advise| help| let me know)?|saludos|un saludo|cordialement|"
    r"bien \u00e0 vous|viele gr\u00fc\u00dfe|mit freundlichen gr\u00fc\u00dfen|pozdrawiam|"
    r"obrigad[oa]|abra\u00e7os|med v\u00e4nliga h\u00e4lsningar|"
    r"(?:i )?(?:really )?appreciate (?:it|that|your (?:help|time|support))|"
    r"(?:thanks?|thank you)(?: so much| a lot)?(?: in advance| again)?"
    r"(?: for (?:(?:your|the) (?:help|time|support|reply|quick reply|response|patience)|"
    r"(?:considering|reading|listening)(?: (?:this|it|my (?:request|feedback)))?))?)"
    r"(?:,?\s+[A-Z][\w'-]{0,30})?",
    re.IGNORECASE,
)


# a sign-off and who signs it, in any script: "Best, Folake (Delivery Lead)", "Kind regards, 李娜"
_SIGN_OFF = re.compile(
    r"(?:best|cheers|regards|br|kind regards|best regards|warm regards|warmly|many thanks|"
    r"thanks|thank you|sincerely|all the best|talk soon|speak soon)"
    r"\s*[,\u2013-]\s*(?:(?:\(?(?-i:[A-Z])|[^\W\d_a-zA-Z])[\w'.&()\u2013-]*\s*){1,6}",
    re.IGNORECASE,
)
# offers, hopes and asks that every support email carries, whatever the opinion: they read
# positive to a model trained on tweets but say nothing about the product
_COURTESY = re.compile(
    r"(?:(?:i'?m|i am|we'?re|we are)\s+)?(?:happy|glad) to (?:share|provide|send|help|"
    r"jump on|hop on|answer|give)\b.{0,60}|"
    r"(?:let|lmk)(?: me| us)? know if (?:you|there)\b.{0,60}|"
    r"(?:any|your) (?:help|advice|update)s? (?:is|are|would be) (?:much |greatly |really )?"
    r"appreciated|(?:(?:it|this|that) )?would be (?:much |greatly |really |very )?appreciated|"
    r"(?:i|we) hope (?:this|it|that)\b.{0,50}|hope to hear .{0,40}|"
    r"(?:i'?m |we'?re |i am |we are )?looking forward to (?:your|hearing|a)\b.{0,40}|"
    r"sorry for (?:the )?(?:typos?|long (?:message|email|mail)|delay|bother|trouble)|"
    r"please (?:look into (?:it|this)|advise|get back to (?:me|us)|reply)(?: asap| soon)?|"
    r"have a (?:nice|good|great|lovely) (?:day|week|weekend|evening)",
    re.IGNORECASE,
)
# a signature line: a name and a role or company set apart by "|" ("Anna Ruiz | Office Manager")
_SIGNATURE_LINE = re.compile(r"[^|]{1,60}\|[^|]{1,80}(?:\|[^|]{1,80})?")


def is_formula(clause: str) -> bool:
    """True for a clause that is only a greeting, a politeness formula or a sign-off.

    "Thanks", "Hi team", "Kind regards, Anna", "Best, Folake (Delivery Lead)", "Happy to share
    more details on a call", "Please look into it", "Anna Ruiz | Office Manager".
    """
    core = clause.strip(_TRIM_RIGHT + " ")
    return bool(
        _GREETING_CLAUSE.fullmatch(core)
        or _POLITE_CLAUSE.fullmatch(core)
        or _SIGN_OFF.fullmatch(core)
        or _COURTESY.fullmatch(core)
        or (_SIGNATURE_LINE.fullmatch(core) and len(core.split()) <= 12)
    )


def sentiment_spans(text: str) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """Return the span whose sentiment is the text's, and its clauses (when two or more).

    Greetings and politeness formulas ("Hello Quillo support", "Thanks", "Thanks in advance")
    carry no opinion but read positive: clauses that are only such a formula are dropped, and
    the whole-text span runs from the first kept clause to the last. A text made only of
    formulas keeps all of it; a leading greeting ("Bonjour, ...") is cut off too.
    ``nlp.normalize.normalize_for_model`` has already removed signatures and the common
    "Hi team," openings.
    """
    greeting = _LEADING_GREETING.match(text)
    offset = greeting.end() if greeting and greeting.end() < len(text) else 0
    pieces = [(s + offset, e + offset) for s, e in split_clauses(text[offset:])]
    kept = [(s, e) for s, e in pieces if not is_formula(text[s:e])]
    if not kept:
        return (0, len(text)), []
    start = offset if kept[0] == pieces[0] else kept[0][0]
    end = len(text) if kept[-1] == pieces[-1] else kept[-1][1]
    return (start, end), (kept if len(kept) >= 2 else [])


_CONTRAST_GAP = re.compile(r"\b(?:but|however|although|though|yet|whereas)\b", re.IGNORECASE)
_CONTRAST_HEAD = re.compile(r"(?:that said|having said that|on the other hand)\b", re.IGNORECASE)
_CONTRAST_TAIL = re.compile(r"\b(?:though|tho)$", re.IGNORECASE)


def contrasts(text: str, spans: Sequence[tuple[int, int]]) -> list[bool]:
    """For each clause span of ``text`` (in order), whether it is set against what came before.

    A clause is turned when the text between it and the previous clause holds a contrastive
    connector ("Love the app, **but** report filters reset"), when it opens with "That said" or
    "On the other hand", or when it ends with "though" ("Product is good, notifications are a
    firehose though"). The first clause never is.
    """
    out: list[bool] = []
    previous_end = 0
    for index, (start, end) in enumerate(spans):
        piece = text[start:end]
        out.append(
            index > 0
            and bool(
                _CONTRAST_GAP.search(text[previous_end:start])
                or _CONTRAST_HEAD.match(piece)
                or _CONTRAST_TAIL.search(piece)
            )
        )
        previous_end = end
    return out


def _is_praise(text: str, p: Sequence[float], threshold: float) -> bool:
    """A confidently positive clause that holds a positive opinion word."""
    return p[2] >= threshold and p[2] > p[0] and has_positive_word(text)


def _praise_then_turn(
    clauses: Sequence[tuple[str, Sequence[float]]],
    praise: Sequence[bool],
    turned: Sequence[bool],
    threshold: float,
) -> bool:
    """True when worded, confident praise is followed by a turned clause that is not praise."""
    praised = False
    for (_, p), is_praise, turn in zip(clauses, praise, turned, strict=True):
        if praised and turn and p[2] < threshold:
            return True
        praised = praised or is_praise
    return False


def decide(
    whole: Sequence[float],
    clauses: Sequence[tuple[str, Sequence[float]]] = (),
    threshold: float = MIXED_THRESHOLD,
    turned: Sequence[bool] = (),
) -> SentimentResult:
    """Apply the item-level rule to whole-text and clause probabilities (neg, neu, pos).

    ``turned``: for each clause, whether a contrast sets it against what came before
    (``contrasts``); without it the contrast rule does not apply.
    """
    probs = (float(whole[0]), float(whole[1]), float(whole[2]))
    whole_label = LABEL_ORDER[max(range(3), key=lambda i: probs[i])]
    if len(clauses) < 2:
        return SentimentResult(whole_label, probs[2] - probs[0], probs, False, None)
    strongest_text, _ = max(clauses, key=lambda c: max(c[1][0], c[1][2]))
    praise = [_is_praise(text, p, threshold) for text, p in clauses]
    has_praise = any(praise)
    has_complaint = any(p[0] >= threshold and p[0] >= p[2] for _, p in clauses)
    is_mixed = (has_praise and has_complaint) or (
        has_praise
        and len(turned) == len(clauses)
        and _praise_then_turn(clauses, praise, turned, threshold)
    )
    label = whole_label
    if is_mixed:
        label = SentimentLabel.NEGATIVE if probs[0] >= probs[2] else SentimentLabel.POSITIVE
    elif whole_label is SentimentLabel.NEUTRAL and any(
        p[0] >= NEGATIVE_LIFT and p[0] >= p[2] for _, p in clauses
    ):
        label = SentimentLabel.NEGATIVE
    elif whole_label is SentimentLabel.NEUTRAL and has_praise and probs[2] >= POSITIVE_LIFT:
        label = SentimentLabel.POSITIVE
    score = probs[2] - probs[0]
    if label is not whole_label and not is_mixed:
        side = 0 if label is SentimentLabel.NEGATIVE else 2
        deciding = max((p for _, p in clauses), key=lambda p: p[side])
        score = float(deciding[2]) - float(deciding[0])
    return SentimentResult(label, score, probs, is_mixed, strongest_text)


def for_kind(
    result: SentimentResult,
    kind: str | None,
    confidence: float | None,
    text: str | None = None,
) -> SentimentResult:
    """The item's sentiment once its kind is known: a sure request is neutral, a bug negative.

    "Would love a proper HubSpot integration", "A compact list view would help. Thanks for
    considering!": a model trained on tweets reads the wish as positive, but a request states
    a want, not an opinion of the product (as politeness does not, see ``sentiment_spans``).
    A request the kind classifier gives at least ``KIND_CONFIDENCE`` that reads positive, and
    is not mixed, becomes neutral with score 0 (its positive wording is the request's formula);
    a request with a problem word ("You can't even group reports by client") keeps a negative
    label (see the third rule). The other
    way, "Android app closes itself whenever I try to log time" states no feeling a tweet model
    knows and reads neutral, but a report that the product is broken is a complaint: a sure bug
    that reads neutral becomes negative (its score capped at 0). Measured on the same
    probabilities (``python -m bench.sentiment``): the demo sample's planted sentiment, 4-class
    macro-F1 0.588 -> 0.632, 3-class on the items not planted mixed 0.645 -> 0.710 (the request
    rule alone: 0.630 / 0.707); TweetEval val 0.702 -> 0.703, test 0.643 -> 0.643 (tweets the
    classifier calls requests are mostly enthusiastic wishes, gold positive: at confidence 0.5
    the request rule costs 0.01 there, hence a sure kind).

    Third, asking for something is not complaining: "Any chance of a dark theme for those of
    us working late?" reads negative to a model trained on tweets (a tweet that asks is mostly a
    complaint). A sure request (given its ``text``) that reads negative but holds no negative
    word and no negation (``nlp.lexicon.has_problem_word``) is neutral with score 0; "You can't
    even group reports by client" stays negative. Questions are left to the model: the
    adaptation stage on support queries (``nlp.training.support_queries``) taught it that a
    how-to question is neutral, and the same rule for sure questions then only cost problem
    reports phrased as questions (banking77 held-out queries 0.944 -> 0.920, demo +0.000).
    """
    if kind is None or confidence is None or confidence < KIND_CONFIDENCE or result.is_mixed:
        return result
    if kind == "request" and result.label is SentimentLabel.POSITIVE:
        return SentimentResult(
            SentimentLabel.NEUTRAL, 0.0, result.probabilities, False, result.strongest_clause
        )
    if kind == "bug" and result.label is SentimentLabel.NEUTRAL:
        return SentimentResult(
            SentimentLabel.NEGATIVE,
            min(result.score, 0.0),
            result.probabilities,
            False,
            result.strongest_clause,
        )
    if (
        kind == "request"
        and text is not None
        and result.label is SentimentLabel.NEGATIVE
        and not has_problem_word(text)
    ):
        return SentimentResult(
            SentimentLabel.NEUTRAL, 0.0, result.probabilities, False, result.strongest_clause
        )
    return result
