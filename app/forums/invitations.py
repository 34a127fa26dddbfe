"""Participants and invitations: an organiser invites, the invited expert answers once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.accounts.models import User
from app.core import mail
from app.core.errors import Conflict, NotFound
from app.core.lookup import get_or_404
from app.core.models import utcnow
from app.core.versioning import lock
from app.experts.models import Expert
from app.extensions import db
from app.forums import publishing, times
from app.forums.models import ForumSession, Participation, ParticipationStatus
from app.forums.words import FORMATS, ROLES


def invite(session: ForumSession, data: dict[str, Any]) -> Participation:
    """Add an expert to a session; the participation starts as an invitation."""
    expert = get_or_404(Expert, data["expert_id"], "expert")
    taken = db.session.scalar(
        sa.select(Participation.id).filter_by(session_id=session.id, expert_id=expert.id)
    )
    if taken is not None:
        raise Conflict(
            "This expert is already in the session.",
            {"expert_id": [f"Already invited: participation {taken}."]},
        )
    part = Participation(session=session, expert=expert, role=data["role"])
    db.session.add(part)
    db.session.flush()
    _tell(part)
    return part


def _tell(part: Participation) -> None:
    """Mail the invited expert, in their language, where the profile is someone's with a
    confirmed address (a seeded profile nobody claimed has no one to tell)."""
    user = part.expert.user
    if user is None or not user.active or not user.email_verified:
        return
    mail.send(
        user.email,
        "invitation",
        user.language,
        part=part,
        session=part.session,
        link=mail.absolute_url("forums_pages.my_invitations"),
        formats=FORMATS,
        roles=ROLES,
        times=times,
    )


def my_invitations(user: User, status: ParticipationStatus | None) -> sa.Select:
    stmt = (
        sa.select(Participation)
        .join(Expert, Expert.id == Participation.expert_id)
        .where(Expert.user_id == user.id)
        .options(
            orm.joinedload(Participation.session).joinedload(ForumSession.forum),
            orm.joinedload(Participation.session).joinedload(ForumSession.room),
        )
        .order_by(Participation.id.desc())
    )
    if status is not None:
        stmt = stmt.where(Participation.status == status)
    return stmt


def own_invitation(user: User, participation_id: int) -> Participation:
    """The user's own invitation; anyone else's is 404, as if it did not exist."""
    part = db.session.get(Participation, participation_id)
    if part is None or part.expert.user_id != user.id:
        raise NotFound("No such invitation.")
    return part


def answer(part: Participation, status: ParticipationStatus) -> Participation:
    """Accept or decline, once; the organiser may reopen."""
    lock(part)  # a second answer sent at once waits, then finds this one
    if part.status != ParticipationStatus.INVITED:
        raise Conflict(
            f"You already answered ({part.status.value}); ask the organiser to "
            "reopen the invitation."
        )
    part.status = status
    part.responded_at = utcnow()
    if status == ParticipationStatus.ACCEPTED:
        publishing.note_participant(part, joined=True)
    db.session.flush()
    return part


def reopen(part: Participation) -> Participation:
    lock(part)
    if part.status == ParticipationStatus.INVITED:
        raise Conflict("The invitation is open already.")
    if part.status == ParticipationStatus.ACCEPTED:
        publishing.note_participant(part, joined=False)
    part.status = ParticipationStatus.INVITED
    part.responded_at = None
    db.session.flush()
    return part


def get_participation(participation_id: int) -> Participation:
    return get_or_404(Participation, participation_id, "participation")
