"""Ground-truth themes of the Quillo demo sample and their planted effects."""

from __future__ import annotations

from dataclasses import dataclass

PRODUCT = "Quillo"

NEGATIVE = "negative"
NEUTRAL = "neutral"
POSITIVE = "positive"
MIXED = "mixed"
SENTIMENTS: tuple[str, ...] = (NEGATIVE, NEUTRAL, POSITIVE, MIXED)

EMERGING_THEME = "billing_redesign"
SHRINKING_THEME = "data_import"
DETRACTOR_THEME = "mobile_crashes"
NO_EFFECT_THEME = "notification_noise"
PRAISE_THEME = "support_praise"
NO_COMMENT_THEME = "no_comment"


@dataclass(frozen=True)
class DemoTheme:
    """One underlying theme of the demo sample, with its planted NPS score effect."""

    key: str
    label: str
    description: str
    score_effect: float
    nps_weight: float
    ticket_weight: float
    survey_weight: float
    late_factor: float
    sentiment_mix: tuple[tuple[str, float], ...]


def _mix(neg: float, neu: float, pos: float, mixed: float) -> tuple[tuple[str, float], ...]:
    return ((NEGATIVE, neg), (NEUTRAL, neu), (POSITIVE, pos), (MIXED, mixed))


THEMES: tuple[DemoTheme, ...] = (
    DemoTheme(
        "csv_export",
        "CSV / Excel export broken",
        "Exports to CSV and Excel fail, time out, drop rows or mangle accents and dates.",
        -1.8,
        10,
        12,
        3,
        1.0,
        _mix(0.8, 0.05, 0, 0.15),
    ),
    DemoTheme(
        "dashboard_performance",
        "Slow dashboard and page loads",
        "The dashboard and big projects load slowly; spinners, timeouts, laggy boards.",
        -1.5,
        9,
        7,
        4,
        1.0,
        _mix(0.8, 0.05, 0, 0.15),
    ),
    DemoTheme(
        "billing_redesign",
        "New billing page and invoices confusing",
        "The redesigned billing page (July 2026) hides invoices, VAT details and seat counts.",
        -2.4,
        0.5,
        0.5,
        0.4,
        32.0,
        _mix(0.7, 0.05, 0, 0.25),
    ),
    DemoTheme(
        "sso_login",
        "SSO and login problems",
        "SAML/SSO loops, expired sessions, 2FA codes that never arrive, lockouts.",
        -1.6,
        5,
        11,
        1,
        1.0,
        _mix(0.85, 0.05, 0, 0.1),
    ),
    DemoTheme(
        "mobile_crashes",
        "Mobile app crashes",
        "The iOS and Android apps crash on launch, on upload or when switching projects.",
        -3.0,
        6,
        10,
        2,
        1.0,
        _mix(0.85, 0, 0, 0.15),
    ),
    DemoTheme(
        "missing_integrations",
        "Missing integrations (Slack, Jira, Salesforce)",
        "Requests for native integrations with Slack, Jira, Salesforce, HubSpot, Xero and co.",
        -0.6,
        8,
        4,
        10,
        1.0,
        _mix(0.3, 0.5, 0, 0.2),
    ),
    DemoTheme(
        "support_praise",
        "Great customer support",
        "Fast, friendly, competent support agents; praise for named people on the team.",
        2.0,
        11,
        4,
        4,
        1.0,
        _mix(0, 0, 0.85, 0.15),
    ),
    DemoTheme(
        "pricing",
        "Pricing too expensive",
        "Per-seat pricing and the last price increase feel too expensive for small teams.",
        -1.2,
        8,
        3,
        5,
        1.0,
        _mix(0.75, 0.1, 0, 0.15),
    ),
    DemoTheme(
        "search",
        "Search doesn't find things",
        "Global search misses tasks, invoices and comments; no filters, exact names fail.",
        -0.9,
        6,
        6,
        5,
        1.0,
        _mix(0.8, 0.1, 0, 0.1),
    ),
    DemoTheme(
        "notification_noise",
        "Too many notification emails",
        "Notification spam: an email for every comment, no digest, settings that do not stick.",
        0.0,
        7,
        5,
        5,
        1.0,
        _mix(0.75, 0.15, 0, 0.1),
    ),
    DemoTheme(
        "onboarding_docs",
        "Onboarding and documentation",
        "Onboarding calls and tutorials, help-center articles that are outdated or missing.",
        0.6,
        5,
        5,
        16,
        1.0,
        _mix(0.3, 0.15, 0.3, 0.25),
    ),
    DemoTheme(
        "reporting_requests",
        "Custom reports and dashboards",
        "Requests for custom reports, saved filters, scheduled reports and dashboard widgets.",
        -0.4,
        7,
        4,
        12,
        1.0,
        _mix(0.3, 0.55, 0, 0.15),
    ),
    DemoTheme(
        "permissions_roles",
        "Permissions and roles too coarse",
        "Roles are all-or-nothing: guests see budgets, no read-only role, per-project rights.",
        -0.8,
        5,
        9,
        5,
        1.0,
        _mix(0.75, 0.15, 0, 0.1),
    ),
    DemoTheme(
        "data_import",
        "Data import failures",
        "Importing from CSV, Asana or Trello fails, duplicates records or loses assignees.",
        -1.8,
        8,
        11,
        8,
        0.25,
        _mix(0.85, 0.05, 0, 0.1),
    ),
    DemoTheme(
        "ui_polish",
        "Dark mode and UI polish",
        "Praise for the clean UI; requests for dark mode, denser lists and keyboard shortcuts.",
        1.0,
        7,
        2,
        10,
        1.0,
        _mix(0.1, 0.3, 0.35, 0.25),
    ),
)

THEME_BY_KEY: dict[str, DemoTheme] = {theme.key: theme for theme in THEMES}
