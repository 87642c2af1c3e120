"""Compose one feedback text: core phrase, context, greeting, signature and noise."""

from __future__ import annotations

import html
import random
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from voc.demo.people import Customer
from voc.demo.phrases_business import BUSINESS_PHRASES
from voc.demo.phrases_product import PRODUCT_PHRASES
from voc.demo.slots import SlotFiller, fill
from voc.demo.themes import MIXED, NEGATIVE, NEUTRAL, POSITIVE
from voc.demo.typos import add_typos, shout

PHRASES = {**PRODUCT_PHRASES, **BUSINESS_PHRASES}

GREETINGS = (
    "Hi team,",
    "Hello Quillo support,",
    "Hi there,",
    "Hey,",
    "Dear Quillo team,",
    "Hi Quillo folks,",
    "Good morning,",
    "Hello,",
    "Hi {agent},",
    "Dear Sir or Madam,",
    "Hi all -",
    "Hello again,",
)
LOCAL_GREETINGS = {
    "spanish": "Hola equipo,",
    "german": "Hallo zusammen,",
    "french": "Bonjour,",
    "swedish": "Hej!",
    "brazilian": "Olá pessoal,",
    "polish": "Dzień dobry,",
    "japanese": "お世話になっております。",
}
LOCAL_SIGNOFFS = {
    "spanish": ("Saludos,", "Un saludo,"),
    "german": ("Mit freundlichen Grüßen", "Viele Grüße"),
    "french": ("Cordialement,", "Bien à vous,"),
    "polish": ("Pozdrawiam,",),
    "brazilian": ("Obrigado!", "Abraços,"),
    "swedish": ("Med vänliga hälsningar",),
    "japanese": ("よろしくお願いいたします。",),
}
OPENERS = (
    "We've been using {product} for about {years} years.",
    "Quick one.",
    "Not sure this is the right place, but here goes.",
    "I'm writing on behalf of our {team} team.",
    "Following up on my earlier message.",
    "Long-time customer here.",
    "This is the second time I'm reporting this.",
    "Our team of {n} uses {product} daily.",
    "Honest feedback, since you asked:",
    "Context: we're an agency with {n} people.",
    "We switched from {competitor} last year.",
    "I manage {product} for our {team} department.",
    "Sorry for the long message.",
    "Our Q&A with your sales team didn't cover this, so asking here.",
    "Writing this from the train, sorry for typos.",
    "Two things, but mainly this one.",
    "Our R&D lead asked me to pass this on.",
    "We're a small shop but {product} is central to how we work.",
)
# theme-agnostic context that makes a ticket a long one
STORY = (
    "We first noticed it on {date}.",
    "I already tried logging out, clearing the cache and another browser.",
    "Two of my colleagues can reproduce it on their machines.",
    "Your status page said everything was operational at the time.",
    "Our account manager said it was a known issue, but we haven't heard anything since.",
    "It's not blocking everyone, but the people it hits lose real time.",
    "I can share my screen if that helps your engineers.",
    "We're on the {plan_name} plan with about {seats} seats, in case that matters.",
    "Last time something similar happened it was fixed within a day, so I hope this is quick.",
    "I'd rather not open a second ticket for this, so please merge it with my earlier one.",
    "For context, this is for a client deliverable due on {weekday}.",
    "Nothing changed on our side as far as I know, no new integrations or settings.",
    "I've attached two screenshots that show the problem.",
    "My manager asked me to follow up on this personally.",
    "We have a board meeting next week where I need this working.",
    "I checked the help center first but couldn't find anything about it.",
    "To be fair, your team has been responsive in the past.",
    "It seems to happen more often in the afternoon, European time.",
    "We did have a short internet outage that morning, but it kept happening afterwards.",
    "I'm the admin for our workspace, so people come to me with this every day.",
    "This also came up in our weekly team meeting, so it's not just me.",
    "Our IT department checked the firewall and proxy, nothing is being blocked.",
    "If there's a workaround, I'm happy to use it until the real fix is out.",
    "Please don't close this ticket until it's actually solved.",
    "We are happy to test a beta build if that helps.",
    "I'm writing from my personal address because work email is down.",
)
# prefix -> whether the following phrase continues the same sentence
PRAISE_PREFIXES = {
    "Love the app, but ": True,
    "{product} is great overall, however ": True,
    "Honestly the product is solid. That said, ": True,
    "We really like {product} and use it every day. But ": True,
    "The boards and time tracking are excellent. ": False,
    "Most things work beautifully, but ": True,
    "Big fan of the product! One big complaint: ": False,
    "9 out of 10 things are great. The tenth: ": False,
    "Overall a great tool and the team likes it. However, ": True,
    "No complaints about the core product. ": False,
}
_PREFIX_KEYS = tuple(PRAISE_PREFIXES)
CLOSERS: dict[str, tuple[str, ...]] = {
    NEGATIVE: (
        "Please fix this asap.",
        "This is becoming a dealbreaker for us.",
        "Really frustrating.",
        "Any ETA?",
        "Please escalate.",
        "We need a fix before month end.",
        "Not impressed.",
        "Disappointing, honestly.",
        "Let me know if you need more info.",
        "It's costing us hours every week.",
        "This needs attention.",
        "Please look into it.",
        "I expected better, to be honest.",
        "Happy to share more details on a call.",
    ),
    NEUTRAL: (
        "Thanks for considering!",
        "Would be much appreciated.",
        "Happy to jump on a call to explain.",
        "Let me know if that's on the roadmap.",
        "Thanks in advance.",
    ),
    POSITIVE: (
        "Keep it up!",
        "Thank you!",
        "You guys rock.",
        "Great job, really.",
        "Happy customer here :)",
    ),
    MIXED: (
        "Otherwise, keep up the good work.",
        "Still recommending you, for now.",
        "Fix that and it's a 10.",
        "Thanks anyway.",
    ),
}
AT_RISK_CLOSERS = (
    "Our renewal is in {month} and this is on the list.",
    "We are evaluating alternatives.",
    "My boss is asking why we pay for this.",
    "Escalating to our account manager.",
    "If this isn't fixed we will not renew.",
)
SIGNATURES = (
    "Thanks,\n{first}",
    "Best regards,\n{name}\n{title}, {account}",
    "Sent from my iPhone",
    "Cheers,\n{first}",
    "--\n{name} | {title}\n{account}",
    "Kind regards, {name}",
    "Thx, {first}",
    "Sent from Outlook for Android",
    "Regards,\n{name}",
    "{first}\n\nSent from my iPad",
    "Best, {first} ({title})",
)
LINKS = (
    "Screenshot: https://share.quillo.example/s/{code}",
    "See https://app.quillo.example/p/{code}/board",
    "cc @{handle}",
    "@QuilloHQ fyi",
    "Loom video: https://loom.example/share/{code}",
)
_SHORT_RATE = {"nps": 0.16, "survey": 0.1, "chat": 0.25, "web": 0.08, "email": 0.03}
_DETAIL_RATE = {"nps": 0.25, "survey": 0.35, "chat": 0.3, "web": 0.5, "email": 0.65}
_OPENER_RATE = {"nps": 0.12, "survey": 0.1, "chat": 0.15, "web": 0.35, "email": 0.5}
_CLOSER_RATE = {"nps": 0.2, "survey": 0.2, "chat": 0.3, "web": 0.4, "email": 0.55}
_GREETING_RATE = {"nps": 0.02, "survey": 0.02, "chat": 0.35, "web": 0.3, "email": 0.75}
_SIGNATURE_RATE = {"nps": 0.03, "survey": 0.0, "chat": 0.0, "web": 0.2, "email": 0.75}
_TYPO_RATE = {"nps": 0.25, "survey": 0.2, "chat": 0.45, "web": 0.25, "email": 0.2}


@dataclass(frozen=True)
class TextRequest:
    """What one text must say and where it comes from."""

    theme_key: str
    sentiment: str
    kind: str  # "nps", "survey" or a ticket channel ("email", "chat", "web")
    customer: Customer
    created_at: datetime


def dominant_sentiment(theme_key: str) -> str:
    """The sentiment of the theme's short one-liners."""
    phrases = PHRASES[theme_key]
    return (
        POSITIVE
        if POSITIVE in phrases and NEGATIVE not in phrases
        else (NEUTRAL if theme_key in ("reporting_requests", "missing_integrations") else NEGATIVE)
    )


def _lower_first(text: str) -> str:
    word = text.split(" ", 1)[0]
    if len(word) > 1 and word[1:].islower() and word not in ("Quillo", "Excel", "Android"):
        return text[0].lower() + text[1:]
    return text


class Picker:
    """Seeded choice that avoids the phrases used in the last `window` items a reader saw."""

    def __init__(self, rng: random.Random, window: int = 20) -> None:
        """Remember the phrases picked for the last `window` items."""
        self.rng = rng
        self._items: deque[list[str]] = deque([[]])
        self._counts: Counter[str] = Counter()
        self._window = window

    def next_item(self) -> None:
        """Start a new item; forget the phrases of the item that leaves the window."""
        self._items.append([])
        if len(self._items) > self._window:
            for old in self._items.popleft():
                self._counts[old] -= 1
                if not self._counts[old]:
                    del self._counts[old]

    def pick(self, options: Sequence[str]) -> str:
        """Choose one option, among those not used recently when there are any."""
        fresh = [option for option in options if option not in self._counts]
        choice = self.rng.choice(fresh or options)
        self._items[-1].append(choice)
        self._counts[choice] += 1
        return choice


def _core(picker: Picker, theme_key: str, sentiment: str) -> str:
    phrases = PHRASES[theme_key]
    own = phrases.get(sentiment, ())
    complaints = phrases.get(NEGATIVE) or phrases.get(NEUTRAL)
    if sentiment == MIXED and complaints and (not own or picker.rng.random() < 0.45):
        base = picker.pick(complaints)
        prefix = picker.pick(_PREFIX_KEYS)
        return prefix + (_lower_first(base) if PRAISE_PREFIXES[prefix] else base)
    if not own:
        own = phrases[dominant_sentiment(theme_key)]
    return picker.pick(own)


def _body(picker: Picker, req: TextRequest, at_risk: bool) -> tuple[list[str], int]:
    """Pick the phrases of the body; return them and the position of the core phrase."""
    rng, phrases, kind = picker.rng, PHRASES[req.theme_key], req.kind
    short = req.sentiment == dominant_sentiment(req.theme_key) and "short" in phrases
    if short and rng.random() < _SHORT_RATE[kind]:
        return [picker.pick(phrases["short"])], 0
    parts: list[str] = []
    if rng.random() < _OPENER_RATE[kind]:
        parts.append(picker.pick(OPENERS))
    core_at = len(parts)
    parts.append(_core(picker, req.theme_key, req.sentiment))
    details = phrases.get("detail", ())
    for _ in range((rng.random() < _DETAIL_RATE[kind]) + (rng.random() < 0.2)):
        detail = picker.pick(details)
        if detail not in parts:
            parts.append(detail)
    if kind in ("email", "web") and req.sentiment != POSITIVE and rng.random() < 0.35:
        parts.extend(picker.pick(STORY) for _ in range(rng.randint(1, 3)))
    if at_risk and req.sentiment == NEGATIVE and rng.random() < 0.5:
        parts.append(picker.pick(AT_RISK_CLOSERS))
    elif rng.random() < _CLOSER_RATE[kind]:
        parts.append(picker.pick(CLOSERS[req.sentiment]))
    return parts, core_at


def _join(rng: random.Random, parts: list[str], kind: str) -> str:
    if kind in ("email", "web") and len(parts) > 3 and rng.random() < 0.5:
        cut = rng.randint(1, len(parts) - 1)
        return " ".join(parts[:cut]) + "\n\n" + " ".join(parts[cut:])
    return " ".join(parts)


def _signature(picker: Picker, customer: Customer, local: bool) -> str:
    template = picker.pick(SIGNATURES)
    if local and customer.culture in LOCAL_SIGNOFFS:
        signoff = picker.rng.choice(LOCAL_SIGNOFFS[customer.culture])
        template = signoff + picker.rng.choice(("\n{first}", "\n{name}", "\n{name}\n{account}"))
    return template.format(
        first=customer.first_name,
        name=customer.name,
        title=customer.title,
        account=customer.account.name,
    )


def _frame(picker: Picker, body: str, req: TextRequest, slots: SlotFiller) -> str:
    rng, kind, customer = picker.rng, req.kind, req.customer
    text = body
    local = rng.random() < 0.35
    if rng.random() < _GREETING_RATE[kind]:
        sep = "\n\n" if kind == "email" else " "
        greeting = LOCAL_GREETINGS.get(customer.culture, "") if local else ""
        text = (greeting or fill(picker.pick(GREETINGS), slots)) + sep + text
    if rng.random() < (0.1 if kind in ("email", "web", "chat") else 0.015):
        handle = customer.email.split("@", 1)[0].split(".")[0]
        link = rng.choice(LINKS).format(code=f"{rng.getrandbits(32):08x}", handle=handle)
        text = text + ("\n" if kind == "email" else " ") + link
    if rng.random() < _SIGNATURE_RATE[kind]:
        text = text + "\n\n" + _signature(picker, customer, local)
    if (kind == "web" and rng.random() < 0.5) or (kind == "email" and rng.random() < 0.05):
        text = html.escape(text, quote=True)  # web forms that stored entity-encoded text
    return text


def compose(picker: Picker, req: TextRequest) -> str:
    """Write the text of one feedback item."""
    rng = picker.rng
    picker.next_item()
    slots = SlotFiller(rng, req.created_at)
    at_risk = req.customer.account.is_at_risk
    templates, core_at = _body(picker, req, at_risk)
    parts = [fill(template, slots) for template in templates]
    if req.sentiment == NEGATIVE and rng.random() < (0.2 if at_risk else 0.04):
        parts[core_at] = shout(parts[core_at])
    body = _join(rng, parts, req.kind)
    if rng.random() < _TYPO_RATE[req.kind] + (0.15 if at_risk else 0.0):
        body = add_typos(rng, body)  # people in a hurry
    return _frame(picker, body, req, slots)
