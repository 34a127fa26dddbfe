"""Joint project services. They add and flush; the caller commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import orm

from app.centres.models import Centre
from app.core.errors import DomainError
from app.core.listing import apply_search, apply_sort
from app.core.lookup import get_or_404
from app.experts.services import resolve_topics
from app.extensions import db
from app.projects.models import Project, ProjectCentre, project_topics

SORTS = {"start_date": Project.start_date, "title": Project.title, "id": Project.id}


def list_query(filters: dict[str, Any]) -> sa.Select:
    stmt = sa.select(Project).options(
        orm.selectinload(Project.topics), orm.selectinload(Project.participants)
    )
    if "kind" in filters:
        stmt = stmt.where(Project.kind == filters["kind"])
    if "centre" in filters:
        stmt = stmt.where(
            Project.id.in_(
                sa.select(ProjectCentre.project_id).where(
                    ProjectCentre.centre_id == filters["centre"]
                )
            )
        )
    if "country" in filters:
        stmt = stmt.where(
            Project.id.in_(
                sa.select(ProjectCentre.project_id)
                .join(Centre, Centre.id == ProjectCentre.centre_id)
                .where(Centre.country_code == filters["country"])
            )
        )
    if "topic" in filters:
        t = project_topics.c
        stmt = stmt.where(
            Project.id.in_(sa.select(t.project_id).where(t.topic_id == filters["topic"]))
        )
    # A project counts for every year it runs.
    if filters.get("year_to") is not None:
        stmt = stmt.where(Project.start_date <= dt.date(filters["year_to"], 12, 31))
    if filters.get("year_from") is not None:
        start = dt.date(filters["year_from"], 1, 1)
        stmt = stmt.where(sa.or_(Project.end_date.is_(None), Project.end_date >= start))
    stmt = apply_search(stmt, Project, filters.get("q"), filters.get("sort"))
    if filters.get("sort") or not filters.get("q"):
        stmt = apply_sort(stmt, filters.get("sort"), SORTS, "-start_date")
    return stmt


def get_project(project_id: int) -> Project:
    return get_or_404(Project, project_id, "project")


def _apply(project: Project, data: dict[str, Any]) -> None:
    data = dict(data)
    if "topic_ids" in data:
        project.topics = resolve_topics(data.pop("topic_ids"))
    if "centre_ids" in data:
        ids = list(dict.fromkeys(data.pop("centre_ids")))
        known = set(db.session.scalars(sa.select(Centre.id).where(Centre.id.in_(ids))))
        if missing := [i for i in ids if i not in known]:
            raise DomainError(
                "Unknown centres.", {"centre_ids": [f"No centre {i}." for i in missing]}
            )
        project.participants = [ProjectCentre(centre_id=i) for i in ids]
    for key, value in data.items():
        setattr(project, key, value.strip() if isinstance(value, str) else value)
    if project.end_date and project.start_date and project.end_date < project.start_date:
        raise DomainError("The end comes before the start.", {"end_date": ["Check it."]})


def create_project(data: dict[str, Any]) -> Project:
    project = Project()
    _apply(project, data)
    db.session.add(project)
    db.session.flush()
    return project


def update_project(project: Project, data: dict[str, Any]) -> Project:
    _apply(project, data)
    db.session.flush()
    return project


def delete_project(project: Project) -> None:
    db.session.delete(project)
    db.session.flush()
