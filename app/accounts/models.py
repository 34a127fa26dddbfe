"""User accounts."""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.models import Base, UTCDateTime, created_at, enum_column, intpk

if TYPE_CHECKING:
    from app.experts.models import Expert


class Role(enum.StrEnum):
    EXPERT = "expert"
    ORGANISER = "organiser"
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(Base):
    """A login. ``session_token`` is the id Flask-Login stores in the cookie; rotating it
    cuts every session that carries the old one."""

    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("length(email) >= 3", name="email_not_empty"),
    )

    id: Mapped[intpk]
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "user_role"), default=Role.EXPERT)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[created_at]

    expert: Mapped[Expert | None] = relationship(back_populates="user")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"
