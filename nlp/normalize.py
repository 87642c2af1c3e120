"""Light text normalisation applied before embedding (never shown to users).

Real feedback arrives with mail signatures, greetings, links and markup that carry no theme
signal but pull embeddings together ("Sent from my iPhone" makes unrelated mails similar).
This module strips them for the model only; the stored text is never changed.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<[^>]{1,200}>")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_HANDLE = re.compile(r"(?<![\w@])@\w{1,30}")
_SPACE = re.compile(r"[ \t\u00a0]+")
_MANY_NEWLINES = re.compile(r"\n\s*\n+")

_SENT_FROM = re.compile(r"^\s*sent from my [\w\s-]{1,40}$", re.IGNORECASE)
_SIGN_OFF = re.compile(
    r"^\s*(?:thanks|thank you|many thanks|thanks again|cheers|best|best regards|kind regards|"
    r"regards|warm regards|sincerely|yours truly|br|thx|ty)\s*[,.!-]*\s*$",
    re.IGNORECASE,
)
_SIGN_OFF_INLINE = re.compile(
    r"(?:^|\s)(?i:thanks|thank you|many thanks|cheers|best regards|kind regards|regards|"
    r"sincerely)\s*,\s*[A-Z][\w.'-]{0,30}(?:\s+[A-Z][\w.'-]{0,30})?\s*\.?\s*$",
)
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|dear|good (?:morning|afternoon|evening)|greetings)"
    r"(?:\s+(?:there|all|team|everyone|support|folks|guys|sir|madam|[A-Z][\w'-]{0,30}))?"
    r"(?:\s+team)?\s*[,!:.-]+\s*",
    re.IGNORECASE,
)
_LINE_END_SIGNATURE_MAX_LINES = 3


def _strip_signature(lines: list[str]) -> list[str]:
    """Drop a trailing sign-off block (a "Thanks," line and a name, "Sent from my iPhone")."""
    while lines and (not lines[-1].strip() or _SENT_FROM.match(lines[-1])):
        lines = lines[:-1]
    tail_start = max(0, len(lines) - _LINE_END_SIGNATURE_MAX_LINES)
    for i in range(tail_start, len(lines)):
        if i > 0 and _SIGN_OFF.match(lines[i]):
            return lines[:i]
    return lines


def normalize_for_model(text: str) -> str:
    """Return the text with markup, links, addresses, greetings and signatures removed."""
    if not text or not text.strip():
        return text
    out = _TAG.sub(" ", html.unescape(text))
    out = html.unescape(out)
    out = _URL.sub(" ", out)
    out = _EMAIL.sub(" ", out)
    out = _HANDLE.sub(" ", out)
    out = out.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line for line in _strip_signature(out.split("\n")) if not _SENT_FROM.match(line)]
    out = "\n".join(lines)
    out = _GREETING.sub("", out, count=1)
    out = _SIGN_OFF_INLINE.sub("", out)
    out = _MANY_NEWLINES.sub("\n", out)
    out = " ".join(_SPACE.sub(" ", line).strip() for line in out.split("\n") if line.strip())
    out = out.strip(" ,;:-")
    return out if out.strip() else text.strip() or text
