"""Users: creation rules, password sign-in, personal API tokens stored hashed and revocable."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from voc.errors import Conflict, InvalidInput, NotFound
from voc.user import service as user_service
from voc.user.models import ApiToken, Permission, Role

PASSWORD = "correct horse battery"


def test_create_user_normalises_email_and_hashes_password(db_session: Session) -> None:
    user = user_service.create_user(
        db_session, email="  Ada@Example.COM ", role=Role.EDITOR, password=PASSWORD
    )

    assert user.email == "ada@example.com"
    assert user.role == "editor"
    assert user.is_active
    assert user.password_hash is not None
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("$argon2")
    assert [u.email for u in user_service.list_users(db_session)] == ["ada@example.com"]


def test_duplicate_email_is_a_conflict(db_session: Session) -> None:
    user_service.create_user(db_session, email="ada@example.com", role="viewer")

    with pytest.raises(Conflict, match="already exists"):
        user_service.create_user(db_session, email="ADA@example.com", role="admin")


def test_unknown_role_is_refused_with_the_choices(db_session: Session) -> None:
    with pytest.raises(InvalidInput, match="role: 'owner' is not one of viewer, editor"):
        user_service.create_user(db_session, email="ada@example.com", role="owner")


@pytest.mark.parametrize("email", ["not-an-email", "@example.com", "ada@"])
def test_malformed_email_is_refused(db_session: Session, email: str) -> None:
    with pytest.raises(InvalidInput, match="email"):
        user_service.create_user(db_session, email=email, role="viewer")


def test_short_password_is_refused(db_session: Session) -> None:
    with pytest.raises(InvalidInput, match="password: at least 8 characters"):
        user_service.create_user(
            db_session, email="ada@example.com", role="viewer", password="short"
        )
    assert user_service.list_users(db_session) == []


def test_authenticate_password_right_wrong_unknown_and_revoked(db_session: Session) -> None:
    user = user_service.create_user(
        db_session, email="ada@example.com", role="viewer", password=PASSWORD
    )

    def sign_in(email: str, password: str) -> object:
        return user_service.authenticate_password(db_session, email=email, password=password)

    assert sign_in("ADA@example.com", PASSWORD) is user
    assert sign_in("ada@example.com", "wrong password") is None
    assert sign_in("bob@example.com", PASSWORD) is None

    user_service.revoke_user(db_session, email="ada@example.com")

    assert sign_in("ada@example.com", PASSWORD) is None


def test_token_only_users_cannot_sign_in_with_a_password(db_session: Session) -> None:
    user_service.create_user(db_session, email="bot@example.com", role="viewer")

    found = user_service.authenticate_password(
        db_session, email="bot@example.com", password=PASSWORD
    )

    assert found is None


def test_tokens_are_stored_hashed_and_authenticate_their_owner(db_session: Session) -> None:
    user = user_service.create_user(db_session, email="ada@example.com", role="editor")

    token, plaintext = user_service.create_token(db_session, user_id=user.id, name="laptop")

    stored = db_session.scalars(select(ApiToken.token_hash)).all()
    assert stored == [user_service.hash_token(plaintext)]
    assert plaintext not in stored
    assert token.prefix == plaintext[:12]
    assert user_service.authenticate_token(db_session, token=plaintext) is user
    assert user_service.authenticate_token(db_session, token=plaintext + "x") is None
    assert user_service.authenticate_token(db_session, token="not-a-voc-token") is None


def test_revoking_a_user_revokes_every_token(db_session: Session) -> None:
    user = user_service.create_user(db_session, email="ada@example.com", role="admin")
    plaintexts = [
        user_service.create_token(db_session, user_id=user.id, name=name)[1]
        for name in ("laptop", "ci")
    ]

    user_service.revoke_user(db_session, email="ada@example.com")

    assert all(user_service.authenticate_token(db_session, token=p) is None for p in plaintexts)
    revoked = db_session.scalars(select(ApiToken.revoked_at)).all()
    assert len(revoked) == 2
    assert all(r is not None for r in revoked)
    with pytest.raises(NotFound):
        user_service.create_token(db_session, user_id=user.id, name="again")


def test_revoking_an_unknown_user_is_not_found(db_session: Session) -> None:
    with pytest.raises(NotFound, match=r"no user with email ghost@example\.com"):
        user_service.revoke_user(db_session, email="Ghost@example.com")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.VIEWER, {Permission.READ}),
        (Role.EDITOR, {Permission.READ, Permission.CURATE, Permission.LINK_REQUESTS}),
        (Role.CS_OPS, {Permission.READ, Permission.LOOP_CLOSURE}),
        (Role.ADMIN, set(Permission)),
    ],
)
def test_role_grants_exactly_its_permissions(
    db_session: Session, role: Role, allowed: set[Permission]
) -> None:
    user = user_service.create_user(db_session, email=f"{role}@example.com", role=role)

    assert {p for p in Permission if user.can(p)} == allowed
