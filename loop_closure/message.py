"""The close-the-loop email: rendered from ``templates/email/``, built as a MIME message.

Customer and tracker text (names, quotes, titles, release notes) only ever reach a header as
one line of plain text: control characters become spaces, RFC 2047 encoded-word look-alikes are
defused, and :class:`email.message.EmailMessage` encodes what is left, so no value can add a
header or end the header block. In the HTML body Jinja2 escapes it; in the text body it is text.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from voc.errors import InvalidInput

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates" / "email"
TEMPLATE = "close_the_loop"
QUOTE_LIMIT = 280
TITLE_LIMIT = 200
NAME_LIMIT = 80
# SMTP lines end in CRLF; a header longer than 998 characters would be folded anyway.
POLICY = email_policy.SMTP.clone(max_line_length=998)

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_SPACES = re.compile(r"\s+")
_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp"})
_ENCODED_WORD = re.compile(r"=\?", re.ASCII)
_SENTENCE_END = re.compile(r"[.!?…](?:[\"'”’)\]]*)(?=\s|$)")
_ADDRESS = re.compile(r"^[^@\s<>\",;()\[\]\\]+@[^@\s<>\",;()\[\]\\]+\.[^@\s<>\",;()\[\]\\]+$")


def one_line(value: str | None, *, limit: int) -> str:
    """Plain single-line text for a header or a heading: no control characters, no CR/LF."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value)
    text = _CONTROL.sub(" ", text)
    text = "".join(
        " " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"} else ch for ch in text
    )
    text = _ENCODED_WORD.sub("= ?", text)  # "=?utf-8?b?...?=" typed by a person stays text
    text = _SPACES.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def shorten_quote(text: str, *, limit: int = QUOTE_LIMIT) -> str:
    """The customer's words, cut at the last sentence end that fits (else at a word, with …)."""
    flat = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    if len(flat) <= limit:
        return flat
    ends = [m.end() for m in _SENTENCE_END.finditer(flat, 0, limit + 1) if m.end() <= limit]
    if ends and ends[-1] >= min(16, limit // 4):  # any real sentence beats a cut word
        return flat[: ends[-1]].strip()
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-") + "…"


def normalise_address(address: str | None) -> str | None:
    """The lowercased address when it is one plausible mailbox, else None."""
    if not address:
        return None
    candidate = address.strip().lower()
    if len(candidate) > 320 or not _ADDRESS.match(candidate) or not candidate.isascii():
        return None
    return candidate


def quote_date(moment: datetime, *, now: datetime) -> str:
    """'2 March' (this year) or '2 March 2025'."""
    text = f"{moment.day} {moment:%B}"
    return text if moment.year == now.year else f"{text} {moment.year}"


@dataclass(frozen=True)
class Sender:
    """The From of every email, parsed once from ``VOC_EMAIL__SENDER``."""

    name: str
    address: str

    @classmethod
    def parse(cls, value: str) -> Sender:
        """'Product team <product@example.com>' or a bare address."""
        name, addr = parseaddr(value)
        address = normalise_address(addr)
        if address is None:
            raise InvalidInput(f"email.sender: not an email address: {value!r}")
        return cls(name=one_line(name, limit=NAME_LIMIT), address=address)

    @property
    def domain(self) -> str:
        """The sender's domain: the right-hand side of every Message-ID."""
        return self.address.rpartition("@")[2]


@dataclass(frozen=True)
class LoopEmail:
    """What one close-the-loop email says (plain values; escaping happens when rendering)."""

    to_address: str
    customer_name: str | None
    request_title: str
    release_note: str
    quote_text: str
    quote_at: datetime
    unsubscribe_url: str


@dataclass(frozen=True)
class RenderedEmail:
    """The rendered parts and the whole message as it will be sent."""

    message_id: str
    subject: str
    text: str
    html: str
    payload: str  # RFC 5322, CRLF line ends, ASCII (quoted-printable bodies)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def new_message_id(sender: Sender) -> str:
    """A fresh, globally unique Message-ID in the sender's domain (stored with the row)."""
    return f"<loop.{uuid.uuid4().hex}@{sender.domain}>"


def render(email: LoopEmail, *, sender: Sender, message_id: str, now: datetime) -> RenderedEmail:
    """The subject, the text and HTML bodies, and the MIME message of ``email``."""
    to_address = normalise_address(email.to_address)
    if to_address is None:
        raise InvalidInput(f"email: not an email address: {email.to_address!r}")
    env = _environment()
    title = one_line(email.request_title, limit=TITLE_LIMIT)
    name = one_line(email.customer_name, limit=NAME_LIMIT)
    context = {
        "greeting_name": name.split(" ")[0] if name else "there",
        "request_title": title,
        "release_note": email.release_note.strip(),
        "quote_text": shorten_quote(email.quote_text),
        "quote_date": quote_date(email.quote_at, now=now),
        "unsubscribe_url": email.unsubscribe_url,
        "sender_name": sender.name or sender.address,
    }
    subject = one_line(env.get_template(f"{TEMPLATE}.subject").render(context), limit=250)
    text = env.get_template(f"{TEMPLATE}.txt").render(context)
    html = env.get_template(f"{TEMPLATE}.html").render(subject=subject, **context)

    message = EmailMessage(policy=POLICY)
    message["From"] = Address(display_name=sender.name, addr_spec=sender.address)
    message["To"] = Address(display_name=name, addr_spec=to_address)
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = message_id
    message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message["Precedence"] = "bulk"
    message.set_content(text, subtype="plain", cte="quoted-printable")
    message.add_alternative(html, subtype="html", cte="quoted-printable")
    payload = message.as_string(policy=POLICY)
    return RenderedEmail(
        message_id=message_id, subject=subject, text=text, html=html, payload=payload
    )
