"""The tables of an NPS campaign report, declared once for HTML, Markdown and CSV.

Each :class:`Column` has a heading (shown on the page and in Markdown) and/or a CSV name, a raw
value (what CSV writes) and the text shown for it. A column without a heading is a CSV-only
figure (every interval bound, every share); one without a CSV name is a shown-only combination
("95% CI" = "low to high"). :func:`report_tables` lists the tables of a report in the order
every format shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from voc.campaign.schemas import AccountHealth, CampaignReport, EmergingTheme, NpsEstimate


def num(digits: int = 0) -> Callable[[Any], str]:
    """Shown text of a number with ``digits`` decimals ('' for none)."""
    return lambda v: "" if v is None else f"{v:.{digits}f}"


def pct(value: float | None) -> str:
    """A share as a whole percentage."""
    return "" if value is None else f"{100 * value:.0f}%"


def money(value: float | None) -> str:
    """An amount with thousands separators."""
    return "" if value is None else f"{value:,.0f}"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _g3(value: float) -> str:
    return f"{value:.3g}"


@dataclass(frozen=True)
class Column:
    """One column of a report table (see the module docstring)."""

    heading: str | None = None
    csv: str | None = None
    value: Callable[[Any], Any] = lambda _row: None
    fmt: Callable[[Any], str] = _text  # the shown text of the value
    text: Callable[[Any], str] | None = None  # the shown text of the row, when not fmt(value)
    css: Callable[[Any], str] = lambda _row: ""
    title: Callable[[Any], str] = lambda _row: ""
    href: Callable[[Any], str] = lambda _row: ""  # a page to link the shown text to (HTML)

    def shown(self, row: Any) -> str:
        """The text a page or Markdown shows for ``row``."""
        return self.text(row) if self.text is not None else self.fmt(self.value(row))


@dataclass(frozen=True)
class Table:
    """A titled table: CSV file suffix ``name`` (empty for the main file), columns, rows."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: Sequence[Any] = field(default_factory=tuple)

    @property
    def shown_columns(self) -> tuple[Column, ...]:
        """The columns a page and Markdown show."""
        return tuple(c for c in self.columns if c.heading is not None)

    @property
    def csv_columns(self) -> tuple[Column, ...]:
        """The columns a CSV file holds."""
        return tuple(c for c in self.columns if c.csv is not None)


def _csv(name: str, value: Callable[[Any], Any]) -> Column:
    return Column(csv=name, value=value)


def _attr(name: str, of: Callable[[Any], Any] = lambda row: row) -> Callable[[Any], Any]:
    """The value of attribute ``name`` of ``of(row)``."""

    def value(row: Any) -> Any:
        return getattr(of(row), name)

    return value


def _estimate(prefix: str, get: Callable[[Any], NpsEstimate]) -> tuple[Column, ...]:
    fields = ("n", "promoters", "passives", "detractors", "nps", "ci_low", "ci_high", "confidence")
    return tuple(_csv(f"{prefix}{name}", _attr(name, get)) for name in fields)


def _interval(low: Callable[[Any], float], high: Callable[[Any], float], digits: int) -> Column:
    fmt = num(digits)
    return Column(heading="95% CI", text=lambda r: f"{fmt(low(r))} to {fmt(high(r))}")


def _main(report: CampaignReport) -> Table:
    shares = ("promoter_share", "passive_share", "detractor_share")
    columns = [
        _csv("campaign", lambda r: r.campaign),
        *_estimate("nps.", lambda r: r.overall),
        *(_csv(f"nps.{s}", _attr(s, lambda r: r.overall)) for s in shares),
    ]
    if report.change is not None:
        change = ("campaign", "compared_to", "difference", "ci_low", "ci_high", "is_moved",
                  "statement")  # fmt: skip
        columns += [_csv(f"change.{c}", _attr(c, lambda r: r.change)) for c in change]
    return Table("", "NPS", tuple(columns), (report,))


def _groups(report: CampaignReport) -> Table:
    small = f"small (n < {report.options.min_group_size}): not ranked"
    columns = (
        Column(report.by or "group", "key", lambda g: g.key),
        _csv("field", lambda g: g.field),
        *_estimate("estimate.", lambda g: g.estimate),
        Column("n", value=lambda g: g.estimate.n),
        Column("NPS", value=lambda g: g.estimate.nps, fmt=num()),
        _interval(lambda g: g.estimate.ci_low, lambda g: g.estimate.ci_high, 0),
        _csv("is_small", lambda g: g.is_small),
        Column("rank", "rank", lambda g: g.rank,
               text=lambda g: small if g.is_small else _text(g.rank),
               css=lambda g: "flag" if g.is_small else ""),
    )  # fmt: skip
    return Table("groups", f"By {report.by}", columns, report.groups)


def _themes(report: CampaignReport) -> Table:
    columns = (
        _csv("theme_id", lambda t: t.theme_id),
        Column("theme", "label", lambda t: t.label,
               text=lambda t: t.label + (" (small)" if t.is_small else "")),
        Column("n", "n_respondents", lambda t: t.n_respondents),
        Column("share", "share", lambda t: t.share, fmt=pct),
        Column("of promoters", "share_of_promoters", lambda t: t.share_of_promoters, pct),
        Column("of detractors", "share_of_detractors", lambda t: t.share_of_detractors, pct),
        Column("respondents' NPS", "respondents_nps", lambda t: t.respondents_nps, num()),
        Column("impact", "impact", lambda t: t.impact, num(1)),
        _csv("ci_low", lambda t: t.ci_low),
        _csv("ci_high", lambda t: t.ci_high),
        _interval(lambda t: t.ci_low, lambda t: t.ci_high, 1),
        _csv("is_small", lambda t: t.is_small),
    )  # fmt: skip
    title = "Parent theme impact on NPS" if report.level == "parent" else "Theme impact on NPS"
    return Table("themes", title, columns, report.impacts)


def _drivers(report: CampaignReport) -> Table:
    one = num(1)
    columns = (
        Column("rank", "rank", lambda d: d.rank),
        _csv("theme_id", lambda d: d.theme_id),
        Column("theme", "label", lambda d: d.label, css=lambda _d: "text"),
        Column("effect", "effect", lambda d: d.effect, one),
        _csv("effect_ci_low", lambda d: d.effect_ci_low),
        _csv("effect_ci_high", lambda d: d.effect_ci_high),
        _interval(lambda d: d.effect_ci_low, lambda d: d.effect_ci_high, 1),
        _csv("p_value", lambda d: d.p_value),
        Column("modelled impact", "modelled_impact", lambda d: d.modelled_impact, one),
        _csv("modelled_ci_low", lambda d: d.modelled_ci_low),
        _csv("modelled_ci_high", lambda d: d.modelled_ci_high),
        Column("simple impact (rank)", "impact", lambda d: d.impact,
               text=lambda d: f"{one(d.impact)} ({d.impact_rank})"),
        _csv("impact_rank", lambda d: d.impact_rank),
        Column("flag", "disagreement", lambda d: d.disagreement, css=lambda _d: "text flag"),
        _csv("baseline", lambda d: d.baseline),
    )  # fmt: skip
    return Table("drivers", "Key drivers", columns, report.drivers)


def _emerging(report: CampaignReport) -> Table:
    def status(e: EmergingTheme) -> str:
        return ("new" if e.is_new else "growing") if e.is_emerging else ""

    columns = (
        _csv("theme_id", lambda e: e.theme_id),
        Column("theme", "label", lambda e: e.label),
        _csv("count", lambda e: e.count),
        Column("share", "share", lambda e: e.share, text=lambda e: f"{pct(e.share)} ({e.count})"),
        _csv("previous_count", lambda e: e.previous_count),
        Column("before", "previous_share", lambda e: e.previous_share,
               text=lambda e: f"{pct(e.previous_share)} ({e.previous_count})"),
        Column("p", "p_value", lambda e: e.p_value, _g3),
        Column("adjusted p", "p_adjusted", lambda e: e.p_adjusted, _g3),
        _csv("test", lambda e: e.test),
        _csv("is_new", lambda e: e.is_new),
        Column("", "is_emerging", lambda e: e.is_emerging, text=status, css=lambda _e: "text"),
    )  # fmt: skip
    return Table("emerging", f"Emerging themes since {report.compared_to}", columns,
                 report.emerging)  # fmt: skip


def _component(i: int, name: str, weight: float) -> Column:
    def value(a: AccountHealth) -> float | None:
        return a.components[i].value

    return Column(f"{name} (w {weight})", value=value,
                  fmt=lambda v: "n/a" if v is None else num()(v),
                  title=lambda a: a.components[i].detail)  # fmt: skip


def _accounts(report: CampaignReport) -> Table:
    first = report.accounts[0].components if report.accounts else ()
    parts = "; ".join
    columns = (
        Column("#", "rank", lambda a: a.rank),
        _csv("account_id", lambda a: a.account_id),
        Column("account", "name", lambda a: a.name, href=lambda a: f"/accounts/{a.account_id}"),
        Column("health", "score", lambda a: a.score, num()),
        Column("ARR", "arr", lambda a: a.arr, money),
        *(_csv(name, _attr(name)) for name in (
            "n_people", "latest_nps", "previous_nps", "n_negative_basis", "negative_share",
            "n_tickets")),
        _csv("themes", lambda a: parts(a.themes)),
        *(_component(i, c.name, c.weight) for i, c in enumerate(first)),
        _csv("components", lambda a: parts(f"{c.name}={c.value}" for c in a.components)),
        Column("reason", "reason", lambda a: a.reason, css=lambda _a: "text"),
    )  # fmt: skip
    return Table("accounts", "Call this week", columns, report.accounts)


def _theme_arr(report: CampaignReport) -> Table:
    columns = (
        _csv("theme_id", lambda t: t.theme_id),
        Column("theme", "label", lambda t: t.label),
        Column("ARR", "arr", lambda t: t.arr, money),
        Column("accounts", "n_accounts", lambda t: t.n_accounts),
        Column("detractors", "n_detractors", lambda t: t.n_detractors),
    )
    return Table("theme_arr", "ARR behind each theme among detractors", columns, report.theme_arr)


BUILDERS: tuple[Callable[[CampaignReport], Table], ...] = (
    _main, _groups, _themes, _drivers, _emerging, _accounts, _theme_arr,
)  # fmt: skip


def report_tables(report: CampaignReport) -> list[Table]:
    """Every table of the report, the main one first (its rows may be empty)."""
    return [build(report) for build in BUILDERS]
