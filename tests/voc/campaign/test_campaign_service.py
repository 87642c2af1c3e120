"""Campaign service on a real database built by the migrations (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from voc.campaign import service
from voc.campaign.schemas import AnalysisOptions
from voc.customer.models import Account, Customer
from voc.errors import InvalidInput, NotFound
from voc.feedback.models import Feedback
from voc.theme.models import Theme, ThemeAssignment, ThemeParent

Q1 = datetime(2026, 3, 1, tzinfo=UTC)
Q2 = datetime(2026, 6, 1, tzinfo=UTC)


class Factory:
    """Small readable builders of accounts, people, themes and feedback."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.n = 0

    def account(self, name: str, *, arr: float, plan: str) -> Account:
        acc = Account(name=name, arr=arr, plan=plan, segment="mid", region="eu")
        self.session.add(acc)
        self.session.flush()
        return acc

    def person(self, account: Account, email: str) -> Customer:
        person = Customer(email=email, account_id=account.id)
        self.session.add(person)
        self.session.flush()
        return person

    def theme(self, label: str) -> Theme:
        theme = Theme(machine_label=label)
        self.session.add(theme)
        self.session.flush()
        return theme

    def feedback(
        self,
        *,
        text: str,
        score: int | None,
        campaign: str | None,
        at: datetime,
        person: Customer | None = None,
        theme: Theme | None = None,
        source: str = "nps",
        sentiment: str | None = None,
    ) -> Feedback:
        self.n += 1
        item = Feedback(
            source=source,
            external_id=f"x{self.n}",
            text=text,
            text_hash=f"h{self.n}",
            content_hash=f"c{self.n}",
            score=score,
            created_at=at,
            campaign=campaign,
            customer_id=person.id if person else None,
            meta={"channel": "email"},
            sentiment_label=sentiment,
        )
        self.session.add(item)
        self.session.flush()
        if theme is not None:
            self.session.add(
                ThemeAssignment(
                    feedback_id=item.id,
                    theme_id=theme.id,
                    confidence=0.9,
                    method="cluster",
                    feedback_created_at=item.created_at,
                )
            )
        return item


@pytest.fixture
def seeded(db_session: Session) -> Session:
    """Q1: 6 responses (NPS +50); Q2: 8 responses (NPS -25), 'Export <b>broken</b>' new in Q2."""
    f = Factory(db_session)
    acme = f.account("Acme", arr=120_000, plan="pro")
    globex = f.account("Globex", arr=30_000, plan="free")
    ann, bob = f.person(acme, "ann@acme.test"), f.person(globex, "bob@globex.test")
    export, praise = f.theme("Export <b>broken</b>"), f.theme("Support praise")
    for score in (10, 10, 9, 9, 8, 3):
        f.feedback(text="ok", score=score, campaign="Q1", at=Q1, person=ann, theme=praise)
    for score, who, theme in [
        (2, ann, export),
        (3, ann, export),
        (1, ann, export),
        (10, bob, praise),
        (9, bob, praise),
        (8, bob, None),
        (7, bob, None),
        (6, bob, None),
    ]:
        f.feedback(text="t", score=score, campaign="Q2", at=Q2, person=who, theme=theme)
    f.feedback(text="no score", score=None, campaign="Q2", at=Q2, person=bob)
    f.feedback(
        text="export fails",
        score=None,
        campaign=None,
        at=Q2,
        person=ann,
        theme=export,
        source="ticket",
        sentiment="negative",
    )
    return db_session


def test_list_campaigns_counts_in_sql(seeded: Session) -> None:
    rows = service.list_campaigns(seeded)
    assert [(r.name, r.n_responses, r.n_scored) for r in rows] == [("Q1", 6, 6), ("Q2", 9, 8)]
    assert rows[0].estimate is not None
    assert rows[0].estimate.nps == pytest.approx(50.0)


def test_report_has_change_groups_impact_drivers_and_emerging(seeded: Session) -> None:
    report = service.build_report(
        seeded,
        campaign="Q2",
        compare="Q1",
        by="plan",
        options=AnalysisOptions(min_group_size=5, min_theme_size=2),
    )
    # Q2: promoters 10, 9; detractors 2, 3, 1, 6 -> 100 * (2 - 4) / 8 = -25
    assert report.overall.nps == pytest.approx(-25.0)
    assert report.change is not None
    assert report.change.difference == pytest.approx(-75.0)
    assert {g.key: g.estimate.n for g in report.groups} == {"pro": 3, "free": 5}
    assert [g.rank for g in report.groups if g.key == "pro"] == [None]
    worst = report.impacts[0]
    assert worst.label == "Export <b>broken</b>"
    assert worst.impact < 0
    assert {e.label: e.is_new for e in report.emerging}["Export <b>broken</b>"]
    assert report.drivers
    assert report.n_unthemed == 3
    assert report.accounts[0].name == "Acme"
    assert report.theme_arr[0].arr == pytest.approx(120_000)


def test_report_at_the_parent_level_groups_the_themes_of_each_parent(seeded: Session) -> None:
    themes = {t.machine_label: t for t in seeded.scalars(select(Theme))}
    product = ThemeParent(machine_label="Product", keywords=[], size=0)
    seeded.add(product)
    seeded.flush()
    # both themes under one parent: at the parent level every themed response is in it
    themes["Export <b>broken</b>"].parent_id = product.id
    themes["Support praise"].parent_id = product.id
    seeded.flush()
    options = AnalysisOptions(min_group_size=5, min_theme_size=2)
    fine = service.build_report(seeded, campaign="Q2", compare="Q1", options=options)
    parent = service.build_report(
        seeded, campaign="Q2", compare="Q1", options=options, level="parent"
    )
    assert parent.level == "parent"
    assert [(i.theme_id, i.label) for i in parent.impacts] == [(product.id, "Product")]
    (impact,) = parent.impacts
    assert impact.n_respondents == sum(i.n_respondents for i in fine.impacts) == 5
    # respondents of the parent: 10, 9 promoters; 2, 3, 1 detractors -> 100 * (2 - 3) / 5
    assert impact.respondents_nps == pytest.approx(-20.0)
    assert parent.overall.nps == fine.overall.nps
    assert parent.n_unthemed == fine.n_unthemed
    with pytest.raises(InvalidInput, match="level"):
        service.build_report(seeded, campaign="Q2", level="domain")  # type: ignore[arg-type]


def test_unknown_campaign_names_the_known_ones(seeded: Session) -> None:
    with pytest.raises(NotFound, match="known campaigns: Q1, Q2"):
        service.build_report(seeded, campaign="Q9")


def test_campaign_without_scores_is_refused(db_session: Session) -> None:
    Factory(db_session).feedback(text="hi", score=None, campaign="Empty", at=Q1)
    with pytest.raises(InvalidInput, match=r"none with a 0\.\.10 score"):
        service.build_report(db_session, campaign="Empty")


def test_accounts_at_risk_ranks_the_falling_account_first(seeded: Session) -> None:
    (first, second) = service.accounts_at_risk(seeded, limit=5)
    assert first.name == "Acme"
    assert first.score < second.score
    assert "since Q1" in first.reason
    assert "Export <b>broken</b>" in first.reason
