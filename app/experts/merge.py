"""Merging two expert profiles that turn out to be one person. Nothing is lost: every
authorship, affiliation, participation, claim and audit record moves to the survivor."""

from __future__ import annotations

import sqlalchemy as sa

from app.accounts.models import ProfileClaim
from app.audit.models import AuditEntry
from app.audit.services import record
from app.core.errors import Conflict
from app.experts.models import Affiliation, Expert
from app.extensions import db
from app.forums.models import Participation, ParticipationStatus
from app.publications.models import Authorship
from app.reports import ledger


def _union(*lists: list) -> list:
    return list(dict.fromkeys(item for items in lists for item in items or []))


def _move_authorships(loser: Expert, survivor: Expert) -> int:
    shared = sa.select(Authorship.publication_id).where(Authorship.expert_id == survivor.id)
    # Where both wrote the same work, the survivor's authorship already says so.
    dropped = db.session.execute(
        sa.delete(Authorship).where(
            Authorship.expert_id == loser.id, Authorship.publication_id.in_(shared)
        )
    ).rowcount
    db.session.execute(
        sa.update(Authorship).where(Authorship.expert_id == loser.id).values(expert_id=survivor.id)
    )
    return dropped


def _move_participations(loser: Expert, survivor: Expert) -> None:
    theirs = {
        p.session_id: p
        for p in db.session.scalars(
            sa.select(Participation).where(Participation.expert_id == survivor.id)
        )
    }
    for part in db.session.scalars(
        sa.select(Participation).where(Participation.expert_id == loser.id)
    ):
        kept = theirs.get(part.session_id)
        if kept is None:
            part.expert_id = survivor.id
            continue
        if part.status == ParticipationStatus.ACCEPTED:
            kept.status = ParticipationStatus.ACCEPTED
        db.session.delete(part)


def _move_affiliations(loser: Expert, survivor: Expert) -> None:
    have = {(a.centre_id, a.position, a.start_date, a.end_date) for a in survivor.affiliations}
    for aff in list(loser.affiliations):
        if (aff.centre_id, aff.position, aff.start_date, aff.end_date) in have:
            continue
        survivor.affiliations.append(
            Affiliation(
                centre_id=aff.centre_id,
                position=aff.position,
                start_date=aff.start_date,
                end_date=aff.end_date,
                assumed=aff.assumed,
                provenance=aff.provenance,
                source=aff.source,
            )
        )


def _merge_fields(loser: Expert, survivor: Expert) -> None:
    survivor.other_names = [
        n
        for n in _union(survivor.other_names, [loser.full_name], loser.other_names)
        if n != survivor.full_name
    ]
    survivor.languages = _union(survivor.languages, loser.languages)
    survivor.topics = _union(survivor.topics, loser.topics)
    for field in ("biography", "birth_year", "orcid"):
        if getattr(survivor, field) is None:
            setattr(survivor, field, getattr(loser, field))
    survivor.verified = survivor.verified or loser.verified


def merge_experts(loser: Expert, survivor: Expert) -> Expert:
    """Fold ``loser`` into ``survivor`` and delete it."""
    if loser.id == survivor.id:
        raise Conflict("An expert cannot be merged into itself.", {"into": ["Choose another."]})
    if loser.user_id and survivor.user_id:
        raise Conflict("Both profiles belong to users; deactivate one account first.")
    user_id, orcid = loser.user_id, loser.orcid
    dropped = _move_authorships(loser, survivor)
    _move_participations(loser, survivor)
    _move_affiliations(loser, survivor)
    db.session.execute(
        sa.update(ProfileClaim)
        .where(ProfileClaim.expert_id == loser.id)
        .values(expert_id=survivor.id)
    )
    db.session.execute(
        sa.update(AuditEntry)
        .where(AuditEntry.entity_type == "expert", AuditEntry.entity_id == loser.id)
        .values(entity_id=survivor.id)
    )
    ledger.refresh_everything(db.session)  # the updates above bypass the flush listener
    loser.user_id, loser.orcid = None, None  # free the unique slots before moving them
    db.session.flush()
    _merge_fields(loser, survivor)
    survivor.orcid = survivor.orcid or orcid
    survivor.user_id = survivor.user_id or user_id
    record(
        "merge",
        "expert",
        survivor.id,
        {"merged": loser.id, "name": loser.full_name, "duplicate_authorships": dropped},
    )
    db.session.delete(loser)
    db.session.flush()
    return survivor
