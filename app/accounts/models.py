"""User accounts."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import secrets
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.derived import Audited
from app.core.models import Base, UTCDateTime, created_at, enum_column, intpk
from app.core.versioning import Versioned

if TYPE_CHECKING:
    from app.experts.models import Expert


class Role(enum.StrEnum):
    EXPERT = "expert"
    ORGANISER = "organiser"
    ADMIN = "admin"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class User(Versioned, Audited, Base):
    """A login. ``session_token`` is the id Flask-Login stores in the cookie; rotating it
    cuts every session that carries the old one."""

    __audit__ = "user"
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lowercase"),
        sa.CheckConstraint("length(email) >= 3", name="email_not_empty"),
        sa.CheckConstraint("language IN ('en', 'ru', 'kk')", name="language_known"),
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
    # When the owner proved the address is theirs (the link mailed at registration); until
    # then their own profile stays private.
    email_verified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The interface language mail is written in (en, ru or kk); None: the site's default.
    language: Mapped[str | None] = mapped_column(sa.String(2))
    created_at: Mapped[created_at]

    expert: Mapped[Expert | None] = relationship(back_populates="user")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

    # Flask-Login's user protocol. The cookie carries the rotating token, not the id.
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return self.session_token

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def rotate_session_token(self) -> None:
        """Cut every cookie session of this user."""
        self.session_token = new_session_token()

    @property
    def expert_id(self) -> int | None:
        """The id of this user's expert profile. Unless the profile is loaded already (or
        was just linked), one scalar statement rather than loading the whole expert (with
        the session statements built once, a profile page 14.36 -> 11.79 M instructions,
        bench.instructions); the session flushes first, so a link made earlier counts."""
        session = orm.object_session(self)
        if "expert" in self.__dict__ or session is None:
            return self.expert.id if self.expert else None
        return session.scalar(_expert_id(), {"user_id": self.id})

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_organiser(self) -> bool:
        """Organisers, and admins, who can do everything an organiser can."""
        return self.role in (Role.ORGANISER, Role.ADMIN)


@functools.cache
def _expert_id() -> sa.Select:
    """The expert id of ``:user_id``: built once."""
    from app.experts.models import Expert

    return sa.select(Expert.id).where(Expert.user_id == sa.bindparam("user_id", type_=sa.Integer))


class TokenScope(enum.StrEnum):
    READ = "read"
    WRITE = "write"
    # Only your calendar feed, and also as ``?token=`` in its URL: calendar programs
    # subscribe to a URL and cannot send a header.
    CALENDAR = "calendar"


class ApiToken(Audited, Base):
    """A personal token for scripts. Only a SHA-256 of the secret is kept; ``prefix`` lets
    its owner recognise it in a list."""

    __audit__ = "token"
    __tablename__ = "api_tokens"

    id: Mapped[intpk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[created_at]
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def calendar_only(self) -> bool:
        """Reads the calendar feed and nothing else; the only kind taken from a URL."""
        return self.scopes == [TokenScope.CALENDAR]

    def usable_at(self, moment: dt.datetime) -> bool:
        """Neither revoked nor expired at ``moment``."""
        expired = self.expires_at is not None and self.expires_at <= moment
        return self.revoked_at is None and not expired


class ClaimStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class ProfileClaim(Versioned, Audited, Base):
    """A user's request to take over an existing (for example seeded) expert profile."""

    __audit__ = "claim"
    __tablename__ = "profile_claims"
    __table_args__ = (
        # One open claim per user and profile; decided claims stay as history.
        sa.Index(
            "uq_profile_claims_one_pending",
            "expert_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        ),
    )

    id: Mapped[intpk]
    expert_id: Mapped[int] = mapped_column(
        sa.ForeignKey("experts.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ClaimStatus] = mapped_column(
        enum_column(ClaimStatus, "claim_status"), default=ClaimStatus.PENDING
    )
    message: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[created_at]
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    expert: Mapped[Expert] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
