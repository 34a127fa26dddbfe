"""Merging two records of one centre: its people, works, projects and units move to the
survivor, and its names become the survivor's alternative names."""

from __future__ import annotations

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.audit.services import record
from app.centres.models import Centre
from app.core.errors import Conflict
from app.experts.models import Affiliation
from app.extensions import db
from app.projects.models import ProjectCentre
from app.publications.models import Authorship
from app.reports import ledger


def merge_centres(loser: Centre, survivor: Centre) -> Centre:
    """Fold ``loser`` into ``survivor`` and delete it."""
    if loser.id == survivor.id:
        raise Conflict("A centre cannot be merged into itself.", {"into": ["Choose another."]})
    node = survivor
    while node is not None:
        if node.id == loser.id:
            raise Conflict("The survivor is a unit of the centre merged into it.")
        node = node.parent
    for model, column in ((Affiliation, Affiliation.centre_id), (Authorship, Authorship.centre_id)):
        db.session.execute(sa.update(model).where(column == loser.id).values(centre_id=survivor.id))
    joined = sa.select(ProjectCentre.project_id).where(ProjectCentre.centre_id == survivor.id)
    db.session.execute(
        sa.delete(ProjectCentre).where(
            ProjectCentre.centre_id == loser.id, ProjectCentre.project_id.in_(joined)
        )
    )
    db.session.execute(
        sa.update(ProjectCentre)
        .where(ProjectCentre.centre_id == loser.id)
        .values(centre_id=survivor.id)
    )
    db.session.execute(
        sa.update(Centre).where(Centre.parent_id == loser.id).values(parent_id=survivor.id)
    )
    db.session.execute(
        sa.update(AuditEntry)
        .where(AuditEntry.entity_type == "centre", AuditEntry.entity_id == loser.id)
        .values(entity_id=survivor.id)
    )
    db.session.expire_all()
    ledger.refresh_everything(db.session)  # the updates above bypass the flush listener
    names = [loser.name_en, loser.name_ru, loser.name_kk, loser.acronym, *loser.alt_names]
    own = {survivor.name_en, survivor.name_ru, survivor.name_kk, survivor.acronym}
    survivor.alt_names = list(
        dict.fromkeys(n for n in [*survivor.alt_names, *names] if n and n not in own)
    )
    survivor.topics = list(dict.fromkeys([*survivor.topics, *loser.topics]))
    survivor.studies_neighbour = survivor.studies_neighbour or loser.studies_neighbour
    record("merge", "centre", survivor.id, {"merged": loser.id, "name": loser.name_en})
    db.session.delete(loser)
    db.session.flush()
    return survivor
