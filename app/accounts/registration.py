"""Registration from the page: a new profile, or a claim on an existing one ("is this
you?") when the name matches profiles nobody owns yet, so that no duplicate is made."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.accounts import services
from app.accounts.mails import send_verification
from app.accounts.models import ProfileClaim, Role, User
from app.centres.models import Centre
from app.claims.services import create_claim
from app.core.errors import DomainError
from app.experts.models import Affiliation, Expert
from app.extensions import db
from app.search.services import duplicates

NEW = "new"  # the choice "none of these is me"


def candidates(full_name: str) -> list[Expert]:
    """Profiles nobody owns whose name, in any script, folds to the same as ``full_name``
    (the directory's search keys)."""
    found = duplicates(db.session, "expert", [full_name])
    if not found:
        return []
    stmt = (
        sa.select(Expert)
        .where(Expert.id.in_(found), Expert.user_id.is_(None))
        .options(orm.selectinload(Expert.affiliations).joinedload(Affiliation.centre))
        .order_by(Expert.id)
    )
    return list(db.session.scalars(stmt))


def latest_centre(expert: Expert) -> Centre | None:
    """Where the expert works now (an open affiliation), else where they worked last."""
    current = [a for a in expert.affiliations if a.end_date is None] or expert.affiliations
    return current[-1].centre if current else None


def register(
    data: dict[str, Any], choice: str, language: str | None
) -> tuple[User, ProfileClaim | None]:
    """Register with a new profile (``choice`` empty or :data:`NEW`), or claim the profile
    whose id ``choice`` is; either way the verification link is mailed."""
    claim = None
    if choice in ("", NEW):
        user = services.register_expert(data, language)
    else:
        expert = _chosen(data["full_name"], choice)
        user = services.create_user(data["email"], data["password"], Role.EXPERT, verified=False)
        user.language = language
        claim = create_claim(user, expert, None)
    send_verification(user)
    return user, claim


def _chosen(full_name: str, choice: str) -> Expert:
    for expert in candidates(full_name):
        if str(expert.id) == choice:
            return expert
    raise DomainError("Choose one of the profiles shown.", {"profile": ["Not offered."]})
