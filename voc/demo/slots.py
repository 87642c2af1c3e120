"""Concrete specifics (features, browsers, devices, numbers, dates) filled into phrases."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from voc.demo.themes import PRODUCT

FEATURES = (
    "Gantt view",
    "timesheets",
    "invoice builder",
    "client portal",
    "Kanban board",
    "time tracking",
    "expense reports",
    "recurring invoices",
    "budget tracker",
    "resource planner",
    "portfolio view",
    "project templates",
)
BROWSERS = ("Chrome 126", "Firefox 128", "Safari 17.5", "Edge 125", "Chrome", "Brave", "Safari")
OSES = ("Windows 11", "macOS Sonoma", "Windows 10", "Ubuntu 22.04", "macOS Ventura", "ChromeOS")
DEVICES = (
    "iPhone 15",
    "iPhone 13 mini",
    "Pixel 8",
    "Samsung Galaxy S23",
    "iPad Air",
    "OnePlus 11",
    "Xiaomi 13",
    "iPhone SE",
    "Galaxy Tab S9",
    "Motorola Edge",
)
MOBILE_OSES = ("iOS 17.5", "iOS 17.4.1", "Android 14", "Android 13", "iPadOS 17")
IDPS = ("Okta", "Azure AD", "Google Workspace", "OneLogin", "JumpCloud", "Entra ID")
INTEGRATIONS = (
    "Slack",
    "Jira",
    "Salesforce",
    "HubSpot",
    "QuickBooks",
    "Xero",
    "Microsoft Teams",
    "GitHub",
    "Google Calendar",
    "Outlook",
    "DATEV",
    "Notion",
)
COMPETITORS = ("Asana", "Monday", "Harvest", "FreshBooks", "ClickUp", "Trello", "Basecamp")
AGENTS = ("Ana", "Tomás", "Priya", "Kwame", "Sigrid", "Mateo", "Yasmin", "Ola", "Dmitri", "Ines")
CURRENCIES = ("EUR", "GBP", "SEK", "PLN", "CHF", "BRL", "JPY")
SEARCH_TERMS = (
    "Q3 retainer",
    "invoice 2026-114",
    "Müller",
    "onboarding",
    "PO-7781",
    "website relaunch",
    "Łódź",
    "Acme rebrand",
)
_SLOTS: dict[str, Callable[[random.Random], str]] = {
    "product": lambda r: PRODUCT,
    "feature": lambda r: r.choice(FEATURES),
    "browser": lambda r: r.choice(BROWSERS),
    "os": lambda r: r.choice(OSES),
    "device": lambda r: r.choice(DEVICES),
    "device_screen": lambda r: r.choice(("13-inch", "small laptop", "4K", "ultrawide")),
    "android_device": lambda r: r.choice([d for d in DEVICES if not d.startswith("i")]),
    "app_version": lambda r: f"4.{r.randint(8, 14)}.{r.randint(0, 5)}",
    "excel_version": lambda r: r.choice(("2019", "2021", "365", "for Mac")),
    "idp": lambda r: r.choice(IDPS),
    "integration": lambda r: (
        r.choice(INTEGRATIONS[:7]) if r.random() < 0.8 else r.choice(INTEGRATIONS)
    ),
    "integration2": lambda r: r.choice(INTEGRATIONS),
    "competitor": lambda r: r.choice(COMPETITORS),
    "agent": lambda r: r.choice(AGENTS),
    "n": lambda r: str(r.choice((2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30, 40, 50))),
    "rows": lambda r: f"{r.choice((2, 5, 8, 10, 12, 20, 30, 45, 60, 100)) * 1000:,}",
    "seconds": lambda r: str(r.choice((8, 10, 12, 15, 20, 25, 30, 40, 45, 60, 90))),
    "minutes": lambda r: str(r.choice((2, 3, 5, 10, 15, 20, 30, 45))),
    "hours": lambda r: str(r.choice((2, 3, 4, 5, 6, 8, 10, 12))),
    "days": lambda r: str(r.choice((2, 3, 4, 5, 7, 10, 14))),
    "pct": lambda r: str(r.choice((10, 12, 15, 18, 20, 25, 30, 40))),
    "seats": lambda r: str(r.choice((5, 8, 12, 15, 20, 25, 30, 40, 60, 120))),
    "price": lambda r: f"${r.choice((9, 10, 12, 14))}",
    "price2": lambda r: f"${r.choice((15, 16, 18, 19, 22))}",
    "currency": lambda r: r.choice(CURRENCIES),
    "file": lambda r: r.choice(
        (
            "export.csv",
            "timesheets_june.xlsx",
            "clients.csv",
            "import_log.txt",
            "screenshot.png",
            "invoices-Q2.xlsx",
        )
    ),
    "error_code": lambda r: f"{r.choice(('SAML', 'AUTH', 'E'))}-{r.randint(100, 999)}",
    "invoice_no": lambda r: f"INV-2026-{r.randint(1000, 9999)}",
    "ticket_ref": lambda r: f"#{r.randint(10000, 19999)}",
    "cert": lambda r: r.choice(("ISO 27001", "SOC 2", "GDPR", "TISAX")),
    "region_office": lambda r: r.choice(
        (
            "Berlin",
            "São Paulo",
            "Lagos",
            "Tokyo",
            "Kraków",
            "Toronto",
            "Madrid",
            "Pune",
            "Stockholm",
            "Dubai",
        )
    ),
    "search_term": lambda r: r.choice(SEARCH_TERMS),
    "plan_name": lambda r: r.choice(("Starter", "Growth", "Enterprise")),
    "years": lambda r: r.choice(("two", "three", "four", "five", "six")),
    "team": lambda r: r.choice(
        (
            "finance",
            "design",
            "ops",
            "engineering",
            "marketing",
            "delivery",
            "R&D",
            "PMO",
            "customer success",
        )
    ),
    "url": lambda r: f"https://help.quillo.example/articles/{r.randint(100, 999)}",
}


class SlotFiller(dict[str, str]):
    """Mapping for `str.format_map` that invents a specific value for each slot on demand."""

    def __init__(self, rng: random.Random, when: datetime) -> None:
        """Bind the random source and the item's date (for month/weekday/date slots)."""
        super().__init__()
        self._rng = rng
        self._when = when

    def __missing__(self, key: str) -> str:
        """Create, remember and return a value for `key`."""
        if key == "mobile_os":  # must match the phone named in the same text
            apple = self["device"].startswith("i")
            value = self._rng.choice([v for v in MOBILE_OSES if v.startswith("i") == apple])
        elif key in _SLOTS:
            value = _SLOTS[key](self._rng)
        else:
            value = self._date_slot(key)
        self[key] = value
        return value

    def _date_slot(self, key: str) -> str:
        past = self._when - timedelta(days=self._rng.randint(2, 20))
        if key == "weekday":
            return past.strftime("%A")
        if key == "date":
            return f"{past.strftime('%B')} {past.day}"
        if key == "month":
            return (self._when + timedelta(days=self._rng.randint(20, 300))).strftime("%B")
        if key == "year":
            return str(self._when.year)
        raise KeyError(key)


def fill(template: str, slots: SlotFiller) -> str:
    """Fill `{slot}` placeholders of `template`."""
    return template.format_map(slots)
