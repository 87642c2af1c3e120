"""What a label candidate may be: a contiguous phrase of a member text that a person would write.

A candidate is 1-4 consecutive words of one clause of a member text (clauses end at
punctuation, so no candidate spans "... yesterday. Quiet ..."). It must:

- start and end with a content word: not a stop word, a filler ("my", "the"), a weak verb
  ("does", "want") or a number;
- hold no date or time word ("Emails yesterday", "Crashed this morning") and not the
  product's own name ("Recommend Quillo": every theme is about the product) anywhere;
- not end with a modifier that waits for its noun ("Help new", "Half") or with a verb that
  waits for its object or particle ("Dashboard shows", "Device kicks", "Search doesn't look",
  "Trello created");
- not start with a quantifier, a bare verb of opinion or a generic noun ("Half integration",
  "Recommend ...", "Purpose of SSO");
- join no two things with "and" / "or" / "but" inside, and hold no wish ("would", "should").

Inner words may be function words ("Card not arrived", "Dashboard is slow"): the words between
the first and the last are the members' own, in their order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

MAX_WORDS = 4
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"“”/|\n\u2013\u2014]+|\s-\s")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FILLER = _words(
    "a an the my your our their his her its this that these those me i i'm im please pls just "
    "really very so some any"
)
# Poor first or last words ("Card did", "Want to").
WEAK_EDGE = _words(
    "does did doesn't didn't don't can't won't isn't hasn't haven't wasn't i've it's i'd want "
    "wanted need needed like would could should will shall get got getting keep keeps make "
    "made let lets know way thing things use using used ok okay hi hello thanks till til"
)
# No label names a day or a moment: they say when, not what.
DATE_TIME = _words(
    "today yesterday tomorrow tonight morning mornings afternoon evening night nights weekend "
    "weekends ago now lately recently currently week weeks month months year years day days "
    "monday tuesday wednesday thursday friday saturday sunday january february march april "
    "june july august september october november december q1 q2 q3 q4 yesterday's today's "
    "daily weekly monthly yearly hourly minute minutes seconds"
)
# Modifiers that wait for their noun: a label ending with one has lost its head ("Help new");
# "top" waits for its "up" ("Top up card", not "Cheque to top").
DANGLING_END = _words(
    "new old half more most less least other another many much few several own whole same "
    "different first second third last next only also even still yet ever never always again "
    "already every each all both such entire extra main little enough certain various "
    "previous current recent latest basic additional overall inside outside into onto upon "
    "within without across behind beyond around through via per towards auto virtual physical "
    "disposable international domestic personal automatic manual instead anyway anymore "
    "either top"
)
# A label of one word names a thing: not a bare adjective or participle ("Long", "Reverted").
SINGLE_BAN = _words(
    "long short quick fast slow big small high low good bad great wrong right correct possible "
    "available able late early working pending missing broken done fine nice easy hard"
)
# Articles and possessives inside a phrase are left out of it ("Delete my account" and
# "Delete the account" are one candidate, "Delete account").
INNER_DROP = _words("a an the my your our their his her its")
# Nouns too vague to head a label ("Defeats the purpose"): the label lost what it is about.
GENERIC_END = _words("purpose reason lot lots bunch couple kind sort rest stuff bit")
# Verbs that wait for an object or a particle ("shows ...", "kicks me out", "look inside").
DANGLING_VERB = _words(
    "show shows showed showing kick kicks kicked kicking create creates created creating make "
    "makes making take takes took taking give gives gave giving look looks looked looking say "
    "says said tell tells told send sends sending ask asks asked put puts bring brings "
    "brought want wants need needs keep keeps kept get gets got has have had having include "
    "includes included contain contains require requires required allow allows allowed let "
    "lets mean means meant seem seems seemed feel feels felt go goes went come comes came see "
    "sees saw seen think thinks thought try tries tried find finds found into onto about from "
    "accept accepts"
    "with "
    "without doesn't don't didn't isn't aren't wasn't can't won't is are was were be been "
    "being"
)
# First words that make a fragment, not a name ("Half integration", "Purpose of SSO").
DANGLING_START = _words(
    "half most many few several more less other another whole own same every each all both "
    "such recommend recommended recommending love loved hate hated wish hope guess suppose "
    "thank thanks purpose point lot lots bunch couple kind sort rest reason instead rather "
    "also even still again already maybe probably definitely honestly"
)
# An adjective before one of these is a question cut open ("how long is the wait").
_COPULA = _words("is are was were")
# Inside a label these join two things or turn it into a wish ("Changelog would also help").
_INNER_BREAKS = _words(
    "and or but nor because although though while would could should might must wish"
)


# Nouns of scikit-learn's English stop list that people name things with ("Bill due",
# "Interest rate", "Change name", "Make call", "Top up", "Next holiday"): a label may hold them.
CONTENT_NOUNS = _words(
    "amount bill bottom call detail empty fire front interest name next system top"
)


@lru_cache(maxsize=1)
def keyword_stop_words() -> list[str]:
    """scikit-learn's English stop words less :data:`CONTENT_NOUNS` (for c-TF-IDF terms)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(frozenset(ENGLISH_STOP_WORDS) - CONTENT_NOUNS)


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """English stop words with fillers and weak edges: never the first or last word."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return (frozenset(ENGLISH_STOP_WORDS) - CONTENT_NOUNS) | FILLER | WEAK_EDGE


def product_words(product_names: Iterable[str]) -> frozenset[str]:
    """Lower-case words of the product's own names ("Quillo", "Quillo Cloud")."""
    return frozenset(w for name in product_names for w in _TOKEN.findall(name.lower()))


def _edge_ok(word: str, stop: frozenset[str], product: frozenset[str]) -> bool:
    return word[0].isalpha() and word not in stop and word not in product


def is_label_phrase(
    words: list[str], stop: frozenset[str], product: frozenset[str] = frozenset()
) -> bool:
    """Whether consecutive words make a label candidate (the rules of the module docstring)."""
    first, last = words[0], words[-1]
    if not (_edge_ok(first, stop, product) and _edge_ok(last, stop, product)):
        return False
    if last in DANGLING_END or last in DANGLING_VERB or last in GENERIC_END:
        return False
    if len(words) == 1 and (first in SINGLE_BAN or (len(first) > 4 and first.endswith("ed"))):
        return False
    if first in DANGLING_START or first in DANGLING_VERB:  # "Shows on invoices"
        return False
    if len(words) > 1 and first in SINGLE_BAN and words[1] in _COPULA:  # "Long is wait"
        return False
    if any(w in DATE_TIME or w in product or w[0].isdigit() for w in words):
        return False
    return not any(w in _INNER_BREAKS for w in words[1:-1])


def clause_words(text: str) -> list[list[str]]:
    """Lower-case words of each clause of ``text`` (clauses end at punctuation)."""
    lowered = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return [_TOKEN.findall(part) for part in _CLAUSE.split(lowered)]


def phrases(text: str, stop: frozenset[str], product: frozenset[str] = frozenset()) -> set[str]:
    """Every label candidate of one text (1-4 consecutive words of one clause)."""
    found = set()
    for words in clause_words(text):
        for start in range(len(words)):
            for size in range(1, min(MAX_WORDS, len(words) - start) + 1):
                gram = words[start : start + size]
                if is_label_phrase(gram, stop, product):
                    inner = [w for w in gram[1:-1] if w not in INNER_DROP]
                    found.add(" ".join([gram[0], *inner, gram[-1]] if size > 1 else gram))
    return found


def content_words(phrase: str, stop: frozenset[str]) -> list[str]:
    """The words of a candidate that carry meaning (its inner function words left out)."""
    return [w for w in phrase.split() if w not in stop]
