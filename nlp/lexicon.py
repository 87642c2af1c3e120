"""Opinion words, for the checks the item-level sentiment rules make on a clause's wording.

The words are VADER's lexicon (Hutto & Gilbert 2014, the ``vaderSentiment`` package, MIT):
7,500 words and emoticons rated by people from -4 to +4, read once per process. A word counts as
positive (negative) at a mean rating above ``MIN_VALENCE`` (below its negation), and a
positive word right after a negation ("not impressed", "never easy") counts for nothing, with
the window VADER itself uses (three words).

Why the rules need it: a model trained on tweets reads short context clauses of a support
message as confidently positive ("Loom video", "Quick one", "We are evaluating alternatives",
"I manage Quillo for our marketing department"), and reads wishes as negative ("Any chance of
a dark theme for those of us working late?"). Praise is worded: it carries an evaluative word.
A complaint often is not ("Nobody can log in"), so the check is one-sided: it gates positive
readings and negative readings of requests, never a negative clause.
"""

from __future__ import annotations

import re
from functools import cache

# VADER rates words from -4 to +4. At 1.0 the hedge "fine" ("our connection is fine") would
# drop out, but so would "worth" ("That alone is worth the subscription"): the demo sample
# gained 0.008 and the issue's own praise case turned neutral, so the cut stays at 0.5
MIN_VALENCE = 0.5
_NEGATION_WINDOW = 3
_TOKEN = re.compile(r"[a-z]+(?:['\u2019][a-z]+)?")


@cache
def _lexicon() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    from vaderSentiment.vaderSentiment import NEGATE, SentimentIntensityAnalyzer

    lexicon = SentimentIntensityAnalyzer().lexicon
    positive = frozenset(w for w, v in lexicon.items() if v > MIN_VALENCE)
    negative = frozenset(w for w, v in lexicon.items() if v < -MIN_VALENCE)
    return positive, negative, frozenset(NEGATE)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("\u2019", "'"))


def has_positive_word(text: str) -> bool:
    """True when ``text`` holds a positive opinion word that no negation right before cancels.

    "Love the app" and "Product is good" do; "Our connection is fine" does too ("fine" is
    rated mildly positive); "Loom video", "Not impressed" and "We are evaluating
    alternatives" do not.
    """
    positive, _, negate = _lexicon()
    tokens = _tokens(text)
    for i, token in enumerate(tokens):
        if token in positive and not negate.intersection(tokens[max(0, i - _NEGATION_WINDOW) : i]):
            return True
    return False


def has_problem_word(text: str) -> bool:
    """True when ``text`` holds a negative opinion word or a negation.

    "Why was my invoice charged twice, it never works" and "The app logged me out and I can't
    get back in" do; "How does the timesheet approval work?" does not.
    """
    _, negative, negate = _lexicon()
    return any(token in negative or token in negate for token in _tokens(text))
