"""Who am I, and user administration (admin)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import Admin, CurrentUser, SessionDep
from voc.user import service as user_service
from voc.user.models import Role
from voc.user.schemas import UserRead

router = APIRouter(tags=["users"])


class UserCreate(BaseModel):
    """A new user; without a password they sign in with API tokens only."""

    email: str = Field(min_length=3, max_length=320)
    role: Role
    name: str | None = Field(default=None, max_length=255)
    password: str | None = Field(default=None, min_length=8, max_length=1_000)


@router.get("/me", response_model=UserRead)
def me(user: CurrentUser) -> UserRead:
    """The authenticated user."""
    return UserRead.model_validate(user)


@router.get("/users", response_model=list[UserRead])
def list_users(session: SessionDep, _user: Admin) -> list[UserRead]:
    """Every user."""
    return [UserRead.model_validate(u) for u in user_service.list_users(session)]


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(session: SessionDep, _user: Admin, body: UserCreate) -> UserRead:
    """Create a user with a role."""
    user = user_service.create_user(
        session, email=body.email, role=body.role, password=body.password, name=body.name
    )
    return UserRead.model_validate(user)
