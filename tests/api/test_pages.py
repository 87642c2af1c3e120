"""HTML pages through TestClient: login, every page, roles, CSRF, escaping, CSV, empty states."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session

from api.app import create_app
from api.deps import get_session, get_session_factory
from voc.config import AuthSettings, Settings
from voc.customer.models import Account, Customer
from voc.feedback.models import Feedback
from voc.theme import stats as theme_stats
from voc.theme.models import AnalysisRun, RunStatus, Theme, ThemeAssignment, ThemeLineage
from voc.user import service as user_service

PASSWORD = "correct horse battery"
HOSTILE = "<script>alert(1)</script> the export page froze"
FORMULA = '=HYPERLINK("http://evil.example","click")'
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class World:
    """Ids of the seeded rows."""

    export_id: int
    login_id: int
    hidden_id: int
    run_id: int


def _item(session: Session, n: int, text: str, **kw: object) -> Feedback:
    base = datetime(2024, 5, 27, 9, 0, tzinfo=UTC)
    item = Feedback(
        source=kw.get("source", "nps"),
        external_id=f"ext-{n}",
        text=text,
        text_hash=hashlib.sha256(text.encode()).hexdigest(),
        content_hash=hashlib.sha256(f"{n}{text}".encode()).hexdigest(),
        score=kw.get("score", 3),
        created_at=base - timedelta(days=n),
        customer_id=kw.get("customer_id"),
        sentiment_label=kw.get("label", "negative"),
        sentiment_score=kw.get("sentiment", -0.6),
    )
    session.add(item)
    return item


def seed(session: Session) -> World:
    """Three themes (one hidden), 36 items and one finished run with lineage."""
    acme = Account(name="Acme", segment="enterprise")
    session.add(acme)
    session.flush()
    customer = Customer(email="ana@acme.test", name="Ana", account_id=acme.id)
    session.add(customer)
    session.flush()
    run = AnalysisRun(status=RunStatus.SUCCEEDED, trigger="cli", n_items=36, n_assigned=35)
    run.coverage, run.n_themes = 35 / 36, 3
    session.add(run)
    session.flush()
    themes = [
        Theme(machine_label="csv export broken", keywords=["csv", "export"], created_run_id=run.id),
        Theme(machine_label="cannot log in", keywords=["login", "password"], created_run_id=run.id),
        Theme(machine_label="=SUM(spam)", keywords=["spam"], is_hidden=True),
    ]
    session.add_all(themes)
    session.flush()
    export, login, hidden = themes
    items = [_item(session, 0, HOSTILE, customer_id=customer.id)]
    items.append(_item(session, 1, FORMULA, source="ticket", score=None))
    items += [_item(session, n, f"CSV export number {n} drops accents") for n in range(2, 30)]
    items += [
        _item(session, 30 + n, f"Login loop number {n}", label="positive", sentiment=0.4, score=9)
        for n in range(4)
    ]
    items.append(_item(session, 34, "Buy cheap watches"))
    items.append(_item(session, 35, "Unrelated praise", label="positive", sentiment=0.9))
    session.flush()
    owners = [export] * 30 + [login] * 4 + [hidden]
    session.add_all(
        ThemeAssignment(
            feedback_id=i.id,
            theme_id=t.id,
            confidence=0.9,
            method="cluster",
            feedback_created_at=i.created_at,
        )
        for i, t in zip(items, owners, strict=False)
    )
    session.add(ThemeLineage(run_id=run.id, kind="new", theme_id=export.id, size=30))
    session.add(ThemeLineage(run_id=run.id, kind="new", theme_id=login.id, size=4))
    session.flush()
    theme_stats.refresh(session)
    return World(export.id, login.id, hidden.id, run.id)


@pytest.fixture
def client(db_session: Session, database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The real app; every request uses the test's rolled-back session."""
    settings = Settings(
        environment="test",
        database_url=database_url,
        data_dir=tmp_path,
        auth=AuthSettings(secret_key=SecretStr("pages-test-secret")),
    )
    app = create_app(settings, migrate=False)

    def _session() -> Iterator[Session]:
        yield db_session  # the app's commit/close stay out: the test rolls everything back
        db_session.flush()

    def _sessions() -> Callable[[], Session]:  # streamed exports read in sessions of their own
        return lambda: Session(
            bind=db_session.connection(), join_transaction_mode="create_savepoint"
        )

    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_session_factory] = _sessions
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def world(db_session: Session) -> World:
    return seed(db_session)


def csrf_of(client: TestClient, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = CSRF_INPUT.search(page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def add_user(session: Session, role: str) -> str:
    """A user with this role (email ``<role>@voc.test``); returns the email."""
    email = f"{role}@voc.test"
    user_service.create_user(session, email=email, role=role, password=PASSWORD)
    session.flush()
    return email


def login(client: TestClient, session: Session, role: str) -> None:
    """Create a user with ``role`` and sign in through the form."""
    email = add_user(session, role)
    token = csrf_of(client, "/login")
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )
    assert response.status_code == 303, response.text
    client.get("/themes")  # drop the "/" redirect


@pytest.fixture
def viewer(client: TestClient, db_session: Session, world: World) -> TestClient:
    login(client, db_session, "viewer")
    return client


@pytest.fixture
def editor(client: TestClient, db_session: Session, world: World) -> TestClient:
    login(client, db_session, "editor")
    return client


def test_pages_redirect_to_login_and_back(
    client: TestClient, db_session: Session, world: World
) -> None:
    add_user(db_session, "viewer")
    response = client.get("/themes?source=nps")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/themes%3Fsource%3Dnps"
    token = csrf_of(client, response.headers["location"])
    signed_in = client.post(
        "/login",
        data={
            "email": "viewer@voc.test",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/themes?source=nps",
        },
    )
    assert signed_in.headers["location"] == "/themes?source=nps"


def test_wrong_password_shows_the_form_again(client: TestClient, db_session: Session) -> None:
    add_user(db_session, "viewer")
    token = csrf_of(client, "/login")
    response = client.post(
        "/login",
        data={"email": "viewer@voc.test", "password": "nope-nope", "csrf_token": token},
    )
    assert response.status_code == 401
    assert "do not match an active account" in response.text
    assert client.get("/themes").status_code == 303


@pytest.mark.parametrize(
    "path", ["/themes", "/themes?hidden=true", "/feedback", "/feedback?q=export", "/runs"]
)
def test_every_list_page_renders_for_a_viewer(viewer: TestClient, path: str) -> None:
    response = viewer.get(path)
    assert response.status_code == 200, response.text
    assert "text/html" in response.headers["content-type"]
    assert "viewer@voc.test" in response.text
    assert "https://" not in response.text.split("</head>")[0]  # no CDN assets


def test_home_redirects_to_the_overview(viewer: TestClient) -> None:
    response = viewer.get("/")
    assert response.status_code == 303
    assert response.headers["location"] == "/themes"


def test_overview_lists_visible_themes_with_stats(viewer: TestClient, world: World) -> None:
    page = viewer.get("/themes").text
    assert f'href="/themes/{world.export_id}"' in page
    assert f'href="/themes/{world.login_id}"' in page
    assert f'href="/themes/{world.hidden_id}"' not in page
    assert 'class="spark"' in page
    assert "Negative 100%" in page
    # the newest item is from Monday 2024-05-27 (years before today): the trend ends that week
    assert "(06 May 2024 to 02 Jun 2024, ending with the week of the newest item" in page
    shown = viewer.get("/themes?hidden=true").text
    assert f'href="/themes/{world.hidden_id}"' in shown


def test_overview_sorts_and_filters(viewer: TestClient, world: World) -> None:
    by_label = viewer.get("/themes?sort=label&dir=asc").text
    assert by_label.index("cannot log in") < by_label.index("csv export broken")
    tickets = viewer.get("/themes?source=ticket").text
    assert f'href="/themes/{world.export_id}"' in tickets
    assert f'href="/themes/{world.login_id}"' not in tickets
    bad = viewer.get("/themes?start=31/05/2024")
    assert bad.status_code == 422
    assert "start" in bad.text
    assert "2024-03-31" in bad.text


def test_theme_detail_shows_quotes_with_scores_and_charts(viewer: TestClient, world: World) -> None:
    page = viewer.get(f"/themes/{world.export_id}").text
    assert "What customers say" in page
    assert "▼ neg" in page
    assert "-0.60" in page
    assert 'class="trend"' in page
    assert "Segments" in page
    assert "enterprise" in page
    negative = page[page.index('id="h-negative"') : page.index('id="h-trend"')]
    assert negative.count("<blockquote>") == 5
    assert "-0.60" in negative
    praise = viewer.get(f"/themes/{world.login_id}").text
    assert "None of the items closest to this theme" in praise
    assert "+0.40" in praise  # the theme's average score


def test_overview_shows_and_exports_the_average_sentiment(viewer: TestClient, world: World) -> None:
    page = viewer.get("/themes?sort=avg_sentiment&dir=asc").text
    assert page.index("csv export broken") < page.index("cannot log in")
    assert "Avg score" in page
    rows = list(csv.DictReader(io.StringIO(viewer.get("/themes?format=csv").text.lstrip("\ufeff"))))
    averages = {row["label"]: float(row["avg_sentiment_score"]) for row in rows}
    assert averages == {"csv export broken": -0.6, "cannot log in": 0.4}


def test_theme_items_page_with_a_cursor(viewer: TestClient, world: World) -> None:
    first = viewer.get(f"/themes/{world.export_id}").text
    assert first.count('class="text-cell"') == 25
    older = re.search(r'href="([^"]*cursor=[^"]+)">Older items', first)
    assert older, "no link to older items"
    second = viewer.get(older.group(1).replace("&amp;", "&")).text
    assert second.count('class="text-cell"') == 5


def test_viewer_sees_no_controls_editor_does(
    client: TestClient, db_session: Session, world: World
) -> None:
    login(client, db_session, "viewer")
    viewer_page = client.get(f"/themes/{world.export_id}").text
    assert "/rename" not in viewer_page
    assert "Curate" not in viewer_page
    assert "Run analysis now" not in client.get("/runs").text
    client.cookies.clear()
    login(client, db_session, "editor")
    editor_page = client.get(f"/themes/{world.export_id}").text
    for action in ("rename", "hide", "merge", "split", "move", "undo"):
        assert f'action="/themes/{world.export_id}/{action}"' in editor_page
    assert "Run analysis now" in client.get("/runs").text


def test_viewer_cannot_post_a_curation_form(viewer: TestClient, world: World) -> None:
    token = csrf_of(viewer, f"/themes/{world.export_id}")
    response = viewer.post(
        f"/themes/{world.export_id}/rename", data={"label": "Mine now", "csrf_token": token}
    )
    assert response.status_code == 403
    assert "editor" in response.text
    assert "Mine now" not in viewer.get("/themes").text


def test_editor_renames_and_undoes_through_forms(editor: TestClient, world: World) -> None:
    path = f"/themes/{world.export_id}"
    token = csrf_of(editor, path)
    response = editor.post(
        f"{path}/rename", data={"label": "CSV export loses accents", "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["location"] == path
    page = editor.get(path).text
    assert "Renamed to “CSV export loses accents”." in page
    assert '<h1 id="theme-label">CSV export loses accents</h1>' in page
    editor.post(f"{path}/undo", data={"csrf_token": token})
    assert '<h1 id="theme-label">csv export broken</h1>' in editor.get(path).text


def test_refused_edit_is_explained_and_changes_nothing(editor: TestClient, world: World) -> None:
    path = f"/themes/{world.export_id}"
    token = csrf_of(editor, path)
    response = editor.post(f"{path}/move", data={"to_id": str(world.login_id), "csrf_token": token})
    assert response.status_code == 303
    assert "tick at least one item" in editor.get(path).text


def test_post_without_csrf_token_is_refused_with_help(editor: TestClient, world: World) -> None:
    path = f"/themes/{world.export_id}/rename"
    missing = editor.post(path, data={"label": "Hijacked"})
    assert missing.status_code == 403
    assert "security token" in missing.text
    assert "Reload the page" in missing.text
    forged = editor.post(path, data={"label": "Hijacked", "csrf_token": "abc.def.ghi"})
    assert forged.status_code == 403
    editor.cookies.delete("voc_csrf")
    token_without_cookie = editor.post(path, data={"label": "Hijacked", "csrf_token": "x"})
    assert token_without_cookie.status_code == 403
    assert "Hijacked" not in editor.get("/themes").text


def test_csrf_token_of_another_browser_is_refused(
    editor: TestClient, client: TestClient, world: World
) -> None:
    token = csrf_of(editor, f"/themes/{world.export_id}")
    editor.cookies.set("voc_csrf", "another-browser-cookie-value-0123456789")
    response = editor.post(
        f"/themes/{world.export_id}/rename", data={"label": "Hijacked", "csrf_token": token}
    )
    assert response.status_code == 403
    assert "another browser session" in response.text


def test_hostile_feedback_text_is_escaped_everywhere(viewer: TestClient, world: World) -> None:
    for path in (f"/themes/{world.export_id}", "/feedback", "/feedback?q=froze"):
        page = viewer.get(path).text
        assert "<script>alert(1)</script>" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
    assert "<script" not in viewer.get("/themes").text


def test_csv_exports_neutralise_formulas(viewer: TestClient, world: World) -> None:
    response = viewer.get("/feedback?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert len(rows) == 36
    texts = {row["text"] for row in rows}
    assert "'" + FORMULA in texts
    assert FORMULA not in texts
    assert HOSTILE in texts  # CSV is not HTML: text kept as is
    themes = list(csv.DictReader(io.StringIO(viewer.get("/themes?hidden=true&format=csv").text)))
    assert "'=SUM(spam)" in {row["label"] for row in themes}
    items = viewer.get(f"/themes/{world.export_id}?format=csv").text
    assert items.count("\r\n") == 31  # header + 30 items
    assert viewer.get("/runs?format=csv").text.count("\r\n") == 2


def test_empty_states_tell_what_to_run(client: TestClient, db_session: Session) -> None:
    login(client, db_session, "viewer")
    themes = client.get("/themes").text
    assert "No themes yet" in themes
    assert "voc ingest" in themes
    assert "voc analyze" in themes
    assert "No feedback yet" in client.get("/feedback").text
    assert "No analysis has run yet" in client.get("/runs").text


def test_missing_theme_is_a_helpful_404(viewer: TestClient) -> None:
    response = viewer.get("/themes/987654")
    assert response.status_code == 404
    assert "theme 987654 does not exist" in response.text
    assert 'action="/feedback"' in response.text
    assert 'href="/themes"' in response.text


def test_logout_ends_the_session(viewer: TestClient) -> None:
    token = csrf_of(viewer, "/themes")
    response = viewer.post("/logout", data={"csrf_token": token})
    assert response.headers["location"] == "/login"
    assert viewer.get("/themes").status_code == 303


def test_static_css_is_served_by_the_app(client: TestClient) -> None:
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert "--neg" in response.text


def test_html_entities_are_shown_decoded_and_stored_as_typed(
    viewer: TestClient, db_session: Session, world: World
) -> None:
    typed = "I&#x27;m stuck: &lt;b&gt;export&lt;/b&gt; &amp; import both fail"
    item = _item(db_session, -1, typed)  # the newest item
    db_session.flush()
    db_session.add(
        ThemeAssignment(feedback_id=item.id, theme_id=world.export_id, confidence=0.95,
                        method="cluster", feedback_created_at=item.created_at)
    )  # fmt: skip
    db_session.flush()
    shown = "I&#39;m stuck: &lt;b&gt;export&lt;/b&gt; &amp; import both fail"  # decoded, escaped
    for path in ("/feedback", f"/themes/{world.export_id}"):
        page = viewer.get(path).text
        assert shown in page, path
        assert "&amp;#x27;" not in page
        assert "<b>export" not in page
    exported = viewer.get("/feedback?format=csv").text
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert rows[0]["text"] == "I'm stuck: <b>export</b> & import both fail"
    db_session.expire(item)
    assert db_session.get(Feedback, item.id).text == typed  # type: ignore[union-attr]
