"""Expert services. They add and flush; the caller commits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.core.errors import DomainError, NotFound
from app.experts.models import Expert
from app.extensions import db
from app.reference.models import Country, Topic


def get_expert(expert_id: int) -> Expert:
    expert = db.session.get(Expert, expert_id)
    if expert is None:
        raise NotFound("No such expert.")
    return expert


def resolve_topics(topic_ids: list[int]) -> list[Topic]:
    """The topics with these ids, or 422 naming the unknown ones."""
    wanted = list(dict.fromkeys(topic_ids))
    topics = {t.id: t for t in db.session.scalars(sa.select(Topic).where(Topic.id.in_(wanted)))}
    missing = [i for i in wanted if i not in topics]
    if missing:
        raise DomainError("Unknown topics.", {"topic_ids": [f"No topic {i}." for i in missing]})
    return [topics[i] for i in wanted]


def check_country(code: str, field: str = "country") -> str:
    if db.session.get(Country, code) is None:
        raise DomainError("Unknown country.", {field: [f"No country {code}."]})
    return code


def update_expert(expert: Expert, changes: dict[str, Any]) -> Expert:
    """Apply an edit of the profile's own fields."""
    changes = dict(changes)
    if "country" in changes:
        expert.country_code = check_country(changes.pop("country"))
    if "topic_ids" in changes:
        expert.topics = resolve_topics(changes.pop("topic_ids"))
    if changes.get("orcid"):
        taken = db.session.scalar(
            sa.select(Expert.id).where(Expert.orcid == changes["orcid"], Expert.id != expert.id)
        )
        if taken is not None:
            raise DomainError(
                "This ORCID iD belongs to another profile.", {"orcid": [f"Used by expert {taken}."]}
            )
    for key, value in changes.items():
        setattr(expert, key, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    return expert
