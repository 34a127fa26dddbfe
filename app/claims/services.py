"""Claiming an existing expert profile: a user asks, an admin approves or rejects."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import ClaimStatus, ProfileClaim, User
from app.audit.services import record
from app.core.errors import Conflict, NotFound
from app.core.models import utcnow
from app.core.versioning import lock
from app.experts.models import Expert
from app.experts.services import get_expert
from app.extensions import db
from app.forums.models import Participation
from app.publications.models import Authorship


def create_claim(user: User, expert: Expert, message: str | None) -> ProfileClaim:
    """Ask to take over ``expert``; only a profile nobody owns can be claimed."""
    if expert.user_id == user.id:
        raise Conflict("This profile is already yours.")
    if expert.user_id is not None:
        raise Conflict("This profile belongs to another user; ask an admin if it is yours.")
    pending = db.session.scalar(
        sa.select(ProfileClaim.id).where(
            ProfileClaim.user_id == user.id,
            ProfileClaim.expert_id == expert.id,
            ProfileClaim.status == ClaimStatus.PENDING,
        )
    )
    if pending is not None:
        raise Conflict(
            "You already asked for this profile; an admin will answer.",
            {"claim_id": [str(pending)]},
        )
    claim = ProfileClaim(user=user, expert_id=expert.id, message=message)
    db.session.add(claim)
    db.session.flush()
    return claim


def claims_query(viewer: User, status: ClaimStatus | None) -> sa.Select:
    """Admins see every claim; anyone else only their own."""
    stmt = sa.select(ProfileClaim).order_by(ProfileClaim.id.desc())
    if not viewer.is_admin:
        stmt = stmt.where(ProfileClaim.user_id == viewer.id)
    if status is not None:
        stmt = stmt.where(ProfileClaim.status == status)
    return stmt


def get_claim(viewer: User, claim_id: int) -> ProfileClaim:
    """A claim its viewer may see; someone else's is 404, as if it did not exist."""
    claim = db.session.get(ProfileClaim, claim_id)
    if claim is None or not (viewer.is_admin or claim.user_id == viewer.id):
        raise NotFound("No such claim.")
    return claim


def _is_empty(expert: Expert) -> bool:
    """A profile with nothing but its own fields: no works, posts or sessions."""
    for model, column in (
        (Authorship, Authorship.expert_id),
        (Participation, Participation.expert_id),
    ):
        if db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(column == expert.id)
        ):
            return False
    return not expert.affiliations


def _decide(admin: User, claim: ProfileClaim, status: ClaimStatus, note: str | None) -> None:
    lock(claim)  # two admins deciding at once: the second waits, then sees the first
    if claim.status != ClaimStatus.PENDING:
        raise Conflict(f"This claim was already {claim.status.value}.")
    claim.status = status
    claim.decided_by = admin
    claim.decided_at = utcnow()
    claim.decision_note = note


def approve(admin: User, claim: ProfileClaim, note: str | None) -> ProfileClaim:
    """Move the user's link to the claimed profile, keeping everything the profile holds.

    The profile the user made at registration is deleted when it holds nothing
    else, and kept unowned (for a merge) when it does.
    """
    _decide(admin, claim, ClaimStatus.APPROVED, note)
    target = lock(get_expert(claim.expert_id))
    if target.user_id is not None:
        raise Conflict("The profile was taken by another user meanwhile.")
    previous = claim.user.expert
    if previous is not None:
        previous.user_id = None
        db.session.flush()
        if _is_empty(previous):
            db.session.delete(previous)
    target.user_id = claim.user_id
    target.verified = True
    db.session.flush()
    record(
        "approve_claim",
        "claim",
        claim.id,
        {
            "expert_id": target.id,
            "user_id": claim.user_id,
            "previous_expert_id": previous.id if previous else None,
        },
    )
    return claim


def reject(admin: User, claim: ProfileClaim, note: str | None) -> ProfileClaim:
    _decide(admin, claim, ClaimStatus.REJECTED, note)
    db.session.flush()
    record("reject_claim", "claim", claim.id, {"expert_id": claim.expert_id})
    return claim
