"""The email: headers no customer text can add to, the quote, escaping, RFC 8058, Message-ID."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_string, policy
from email.message import EmailMessage

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loop_closure import message as email_message
from loop_closure import tokens
from loop_closure.outbox import Recipient, render_for
from voc.config import Settings
from voc.errors import InvalidInput

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
SETTINGS = Settings(
    environment="test", database_url="sqlite://", public_url="https://voc.example.com"
)
EXPECTED_HEADERS = {
    "from", "to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post",
    "auto-submitted", "precedence", "mime-version", "content-type",
}  # fmt: skip
HOSTILE = [
    "Ann\r\nBcc: victim@evil.example",
    "Ann\nX-Injected: 1",
    "Ann\rX-Injected: 1",
    "Ann\r\n\r\n<html>body takeover</html>",
    "=?utf-8?b?QmNjOiB2aWN0aW1AZXZpbC5leGFtcGxl?=",
    "=?UTF-8?Q?X-Injected=3A_1?= =?utf-8?q?=0D=0ABcc=3A_x=40y?=",
    "Subject: free money",
    "<script>alert(1)</script>",
    '"; DROP TABLE customers; --',
    "Ann\u2028X-Injected: 1\u2029",
    "Ann\x00\x0bX-Injected: 1",
    "Ann\u0085Bcc: victim@evil.example",
    "a" * 5000,
    ("word " * 2000).strip(),
    "Zoë 🚀 Ünïcödé\r\nBcc: x@y",
    "\r\n.\r\nMAIL FROM:<x@y>\r\n",
]


def _recipient(name: str | None, quote: str, email: str = "ann@example.com") -> Recipient:
    return Recipient(customer_id=1, email=email, name=name, feedback_id=1, quote_text=quote,
                     quote_at=datetime(2026, 3, 2, tzinfo=UTC), source="nps")  # fmt: skip


def _parse(payload: str) -> EmailMessage:
    parsed = message_from_string(payload, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _render(name: str | None, quote: str, title: str = "Dark mode", note: str = "It is live.",
            email: str = "ann@example.com") -> email_message.RenderedEmail:  # fmt: skip
    return render_for(SETTINGS, recipient=_recipient(name, quote, email), request_title=title,
                      release_note=note, now=NOW)  # fmt: skip


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_quotes_and_titles_add_no_header(hostile: str) -> None:
    rendered = _render(hostile, hostile, title=hostile, note=hostile)
    parsed = _parse(rendered.payload)
    assert {k.lower() for k in parsed} == EXPECTED_HEADERS
    assert len(parsed.keys()) == len(EXPECTED_HEADERS)
    for header in ("Subject", "To"):
        value = str(parsed[header])
        assert "\r" not in value
        assert "\n" not in value
        assert "=?" not in value  # a typed encoded word stays text once decoded
    assert parsed["To"].addresses[0].addr_spec == "ann@example.com"
    assert all(len(line) <= 998 for line in rendered.payload.split("\r\n"))
    assert rendered.payload.isascii()
    html = parsed.get_body(("html",))
    assert html is not None
    assert "<script>" not in html.get_content()


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=300), quote=st.text(max_size=600), title=st.text(max_size=300))
def test_any_text_adds_no_header(name: str, quote: str, title: str) -> None:
    rendered = _render(name, quote, title=title)
    parsed = _parse(rendered.payload)
    assert {k.lower() for k in parsed} == EXPECTED_HEADERS
    assert len(parsed.keys()) == len(EXPECTED_HEADERS)


def test_the_email_quotes_the_customer_with_the_date_and_escapes_markup() -> None:
    rendered = _render("Ann Lee", "Please <b>add</b> dark mode & more. It hurts at night!")
    parsed = _parse(rendered.payload)
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert text is not None
    assert html is not None
    assert "On 2 March you wrote:" in text.get_content()
    assert "Please <b>add</b> dark mode & more." in text.get_content()
    assert "Please &lt;b&gt;add&lt;/b&gt; dark mode &amp; more." in html.get_content()
    assert "Hi Ann," in text.get_content()
    assert parsed["Subject"] == "You asked, we shipped: Dark mode"
    assert str(parsed["From"]) == "Product team <product@example.com>"
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Precedence"] == "bulk"


def test_list_unsubscribe_is_a_signed_https_link_with_one_click() -> None:
    parsed = _parse(_render("Ann", "Dark mode please.", email="Ann@Example.com").payload)
    link = str(parsed["List-Unsubscribe"])
    assert link.startswith("<https://voc.example.com/u/")
    assert link.endswith(">")
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link[1:-1].rsplit("/", 1)[1]
    assert tokens.address_of_token(SETTINGS, token) == "ann@example.com"
    with pytest.raises(InvalidInput, match="not valid"):
        tokens.address_of_token(
            SETTINGS, token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
        )
    other = Settings(environment="test", database_url="sqlite://", auth={"secret_key": "other"})
    with pytest.raises(InvalidInput):
        tokens.address_of_token(other, token)


def test_message_id_is_the_one_given_and_in_the_sender_domain() -> None:
    sender = email_message.Sender.parse(SETTINGS.email.sender)
    first = email_message.new_message_id(sender)
    assert first.endswith("@example.com>")
    assert first != email_message.new_message_id(sender)
    rendered = render_for(SETTINGS, recipient=_recipient("Ann", "x"), request_title="T",
                          release_note="", message_id=first, now=NOW)  # fmt: skip
    assert _parse(rendered.payload)["Message-ID"] == first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Short and sweet.", "Short and sweet."),
        ("First sentence here. " + "Second one is long " * 20, "First sentence here."),
        ("Is it there yet? " * 3 + "x" * 300, "Is it there yet? Is it there yet? Is it there yet?"),
        ("no sentence end at all " * 30, None),
    ],
)
def test_quotes_are_shortened_at_a_sentence_end(text: str, expected: str | None) -> None:
    short = email_message.shorten_quote(text, limit=120)
    assert len(short) <= 120
    if expected is None:
        assert short.endswith("…")
        assert not short.endswith(" …")
    else:
        assert short == expected


def test_a_date_of_another_year_says_the_year() -> None:
    assert email_message.quote_date(datetime(2025, 3, 2, tzinfo=UTC), now=NOW) == "2 March 2025"
    assert email_message.quote_date(datetime(2026, 3, 2, tzinfo=UTC), now=NOW) == "2 March"


@pytest.mark.parametrize("address", ["", "no-at-sign", "a@b", "a b@c.com", "a@b.com\r\nBcc: x@y",
                                     "<a@b.com>", "ü@b.com"])  # fmt: skip
def test_bad_recipient_addresses_are_refused(address: str) -> None:
    with pytest.raises(InvalidInput, match="email: not an email address"):
        _render("Ann", "quote", email=address)
