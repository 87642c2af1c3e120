"""Fictional accounts and customers with names from many cultures."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

# Each culture: (first names, last names); "Display|ascii" where folding cannot romanise.
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "spanish": (
        ("Nuria", "Sofía", "Javier", "Lucía", "Álvaro", "Marta", "Íñigo", "Carmen", "Raúl"),
        ("Peña", "García", "Martínez", "Ibáñez", "Rodríguez", "Muñoz", "López", "Sánchez"),
    ),
    "german": (
        ("Jörg", "Anna", "Lukas", "Jürgen", "Katrin", "Matthias", "Björn", "Sabine", "Uwe"),
        ("Müller", "Schröder", "Weiß", "Hoffmann", "Köhler", "Bäcker", "Schäfer", "Krüger"),
    ),
    "polish": (
        ("Łukasz", "Agnieszka", "Paweł", "Małgorzata", "Wojciech", "Zofia", "Michał", "Ewa"),
        ("Nowak", "Wójcik", "Woźniak", "Mazur", "Krawczyk", "Zając", "Król", "Wieczorek"),
    ),
    "japanese": (
        ("Yuki", "Ryōta", "Haruka", "Kenji", "Aiko", "Shōhei", "Hanako", "Kenta"),
        ("Tanaka", "Satō", "Suzuki", "Watanabe", "Itō", "Yamamoto", "Nakamura", "Kobayashi"),
    ),
    "nigerian": (
        ("Chiamaka", "Adébáyọ̀", "Ngozi", "Oluwaseun", "Emeka", "Folake", "Tèmítọ́pẹ́", "Ifeanyi"),
        ("Okonkwo", "Ògúnlésì", "Adeyemi", "Eze", "Nwosu", "Balogun", "Okafor", "Abubakar"),
    ),
    "indian": (
        ("Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Deepika", "Siddharth"),
        ("Sharma", "Iyer", "Patel", "Reddy", "Nair", "Banerjee", "Gupta", "Krishnan"),
    ),
    "chinese": (
        ("Wei", "Xiaoling", "Jun", "Mei", "Hao", "Yan", "Lina", "Zihan"),
        ("Zhang", "Li", "Wang", "Chen", "Liu", "Huang", "Zhou", "Lü|Lyu"),
    ),
    "arabic": (
        ("Layla", "Omar", "Fatima", "Youssef", "Nour", "Karim", "Rania", "Tariq"),
        ("Al-Mansouri", "Haddad", "El-Sayed", "Khoury", "Nasser", "Bakr", "Farouk", "Saleh"),
    ),
    "french": (
        ("Hélène", "François", "Amélie", "Jérôme", "Chloé", "Benoît", "Léa", "Gaëlle"),
        ("Lefèvre", "Dubois", "Moreau", "Girard", "Fontaine", "Bélanger", "Rousseau", "Côté"),
    ),
    "brazilian": (
        ("João", "Conceição", "Thiago", "Luíza", "Gonçalo", "Ana Clara", "Vinícius", "Márcia"),
        ("Silva", "Gonçalves", "Araújo", "Conceição", "Magalhães", "Souza", "Simões", "Leão"),
    ),
    "swedish": (
        ("Åsa", "Björn", "Linnéa", "Sören", "Maja", "Göran", "Elin", "Ørjan"),
        ("Lindström", "Åberg", "Söderberg", "Nyström", "Ekström", "Holmqvist", "Sjöberg"),
    ),
    "english": (
        ("Emily", "James", "Olivia", "Michael", "Grace", "Daniel", "Hannah", "Ryan", "Zoe"),
        ("Smith", "O'Brien", "Thompson", "Walker", "Bennett", "Harris", "Clarke", "Murphy"),
    ),
}

# Some people write their name in their own script: (display, signed name, email local part).
_NATIVE: dict[str, tuple[tuple[str, str, str], ...]] = {
    "japanese": (
        ("田中 花子", "田中", "hanako.tanaka"),
        ("佐藤 健太", "佐藤", "kenta.sato"),
        ("鈴木 美咲", "鈴木", "misaki.suzuki"),
        ("山本 翔", "山本", "sho.yamamoto"),
    ),
    "chinese": (
        ("张伟", "张伟", "wei.zhang"),
        ("李娜", "李娜", "na.li"),
        ("王芳", "王芳", "fang.wang"),
        ("陈静", "陈静", "jing.chen"),
    ),
    "arabic": (("ليلى حداد", "ليلى", "layla.haddad"),),
}

_REGION_CULTURES: dict[str, tuple[str, ...]] = {
    "EMEA": ("german", "polish", "french", "spanish", "swedish", "nigerian", "arabic", "english"),
    "NA": ("english", "english", "indian", "chinese", "spanish", "french"),
    "APAC": ("japanese", "japanese", "chinese", "indian", "english"),
    "LATAM": ("spanish", "spanish", "brazilian", "brazilian", "english"),
}

_LEGAL: dict[str, tuple[str, ...]] = {
    "EMEA": ("GmbH", "Ltd", "S.L.", "Sp. z o.o.", "AB", "SAS", "B.V.", "Ltd"),
    "NA": ("Inc.", "LLC", "Co.", "Inc."),
    "APAC": ("Pte. Ltd.", "K.K.", "Pty Ltd", "Ltd"),
    "LATAM": ("S.A.", "Ltda.", "S.A. de C.V.", "SpA"),
}

_ROOTS = (
    "Bright",
    "North",
    "Blue",
    "Silver",
    "Iron",
    "Copper",
    "Maple",
    "Cedar",
    "Harbor",
    "Summit",
    "Pine",
    "River",
    "Stone",
    "Ember",
    "Nova",
    "Lumen",
    "Atlas",
    "Orbit",
    "Kite",
    "Fjord",
    "Sol",
    "Tierra",
    "Vela",
    "Alto",
    "Kora",
    "Oak",
    "Willow",
    "Falcon",
    "Coral",
    "Indigo",
    "Saffron",
    "Granite",
    "Aurora",
    "Meridian",
    "Juniper",
    "Cobalt",
    "Tundra",
    "Lark",
)
_ENDINGS = (
    "lane",
    "works",
    "field",
    "point",
    "forge",
    "wave",
    "line",
    "stack",
    "bridge",
    "craft",
    "yard",
    "path",
    "hub",
    "gate",
    "mark",
    "leaf",
    "peak",
    "wise",
)
_TRADES = (
    "Studio",
    "Consulting",
    "Logistics",
    "Architects",
    "Digital",
    "Events",
    "Engineering",
    "Media",
    "Labs",
    "Partners",
    "Agency",
    "Solutions",
)
_SPECIAL_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    ("Müller & Söhne Bau GmbH", "mueller-soehne", "EMEA"),
    ("Café Lumière SAS", "cafelumiere", "EMEA"),
    ("Łódź Logistics Sp. z o.o.", "lodzlogistics", "EMEA"),
    ("Sakura Kōgyō K.K.", "sakurakogyo", "APAC"),
    ("Ñandú Studio S.L.", "nandustudio", "LATAM"),
    ("São Bento Arquitetura Ltda.", "saobento", "LATAM"),
    ("Smith & O'Neil Partners LLC", "smithoneil", "NA"),
)
TITLES = (
    "Head of Ops",
    "Project Manager",
    "Finance Lead",
    "CTO",
    "Office Manager",
    "Founder",
    "Operations Director",
    "IT Admin",
    "Studio Manager",
    "Account Director",
    "COO",
    "Delivery Lead",
    "Controller",
    "Team Lead",
)
_SEGMENT_SHARE = (("enterprise", 0.25), ("mid-market", 0.33), ("smb", 0.42))
_ARR_RANGE = {
    "enterprise": (150_000, 1_200_000),
    "mid-market": (25_000, 150_000),
    "smb": (2_400, 25_000),
}
_SEGMENT_PEOPLE = {"enterprise": 3.0, "mid-market": 1.6, "smb": 0.7}
_FOLD = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "'": ""})


@dataclass(frozen=True)
class Account:
    """A fictional customer company."""

    name: str
    domain: str
    segment: str
    plan: str
    arr: int
    region: str
    is_at_risk: bool
    score_shift: float


@dataclass(frozen=True)
class Customer:
    """A person at an account who may give feedback."""

    email: str
    name: str
    first_name: str
    title: str
    consent: bool
    account: Account
    culture: str


def ascii_fold(text: str) -> str:
    """Romanise accented Latin text to plain ASCII (Łódź -> Lodz)."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in decomposed if ch.isascii())


def _split(name: str) -> tuple[str, str]:
    display, _, romanised = name.partition("|")
    return display, romanised or ascii_fold(display)


def _plan_for(rng: random.Random, segment: str) -> str:
    roll = rng.random()
    if segment == "enterprise":
        return "enterprise" if roll < 0.85 else "growth"
    if segment == "mid-market":
        return "growth" if roll < 0.7 else ("enterprise" if roll < 0.85 else "starter")
    return "starter" if roll < 0.7 else "growth"


def _company_name(rng: random.Random, region: str, used: set[str]) -> tuple[str, str]:
    for _ in range(5):
        base = rng.choice(_ROOTS) + rng.choice(_ENDINGS)
        if base.lower() not in used:
            break
    else:  # only at large scales: the name space is exhausted
        base = f"{rng.choice(_ROOTS)}{rng.choice(_ENDINGS)}{len(used)}"
    used.add(base.lower())
    trade = f" {rng.choice(_TRADES)}" if rng.random() < 0.4 else ""
    return f"{base}{trade} {rng.choice(_LEGAL[region])}", base.lower()


def build_accounts(rng: random.Random, count: int) -> list[Account]:
    """Build `count` accounts; about one in ten is at risk."""
    used: set[str] = set()
    accounts: list[Account] = []
    for index in range(count):
        segment = rng.choices([s for s, _ in _SEGMENT_SHARE], [w for _, w in _SEGMENT_SHARE])[0]
        if index < len(_SPECIAL_ACCOUNTS):
            name, domain_root, region = _SPECIAL_ACCOUNTS[index]
            used.add(domain_root)
        else:
            region = rng.choices(("EMEA", "NA", "APAC", "LATAM"), (0.42, 0.33, 0.15, 0.10))[0]
            name, domain_root = _company_name(rng, region, used)
        low, high = _ARR_RANGE[segment]
        arr = round(rng.uniform(low, high) / 100) * 100
        at_risk = index % 10 == 3
        shift = -1.2 if at_risk else rng.gauss(0.0, 0.5)
        accounts.append(
            Account(
                name,
                f"{domain_root}.example",
                segment,
                _plan_for(rng, segment),
                arr,
                region,
                at_risk,
                shift,
            )
        )
    return accounts


def _person_name(rng: random.Random, culture: str) -> tuple[str, str, str]:
    if culture in _NATIVE and rng.random() < 0.25:
        return rng.choice(_NATIVE[culture])
    firsts, lasts = _NAMES[culture]
    first, first_ascii = _split(rng.choice(firsts))
    last, last_ascii = _split(rng.choice(lasts))
    name = f"{last} {first}" if culture == "chinese" else f"{first} {last}"
    return name, first, f"{first_ascii}.{last_ascii}".lower().replace(" ", "").replace("-", "")


def build_customers(rng: random.Random, accounts: list[Account], count: int) -> list[Customer]:
    """Build `count` customers spread over accounts, bigger segments having more people."""
    weights = [_SEGMENT_PEOPLE[a.segment] for a in accounts]
    emails: set[str] = set()
    customers: list[Customer] = []
    # every account gets at least one person, then the rest by segment weight
    picks = list(accounts[:count]) + rng.choices(accounts, weights, k=max(0, count - len(accounts)))
    for account in picks:
        culture = rng.choice(_REGION_CULTURES[account.region])
        name, first, local = _person_name(rng, culture)
        email = f"{local}@{account.domain}"
        suffix = 2
        while email in emails:
            email = f"{local}{suffix}@{account.domain}"
            suffix += 1
        emails.add(email)
        customers.append(
            Customer(email, name, first, rng.choice(TITLES), rng.random() < 0.85, account, culture)
        )
    return customers
