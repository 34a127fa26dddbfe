"""Helpers for the report tests: constants, look-ups, calling the reports, building records.

The seeded report data is in every test database: nine Russian and two Kazakh centres,
tied once, by the 2018 Regnum series written by Shibutov, Malyarchuk and Solozobov. Tests
add their own records with the factories; everything is rolled back afterwards.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.extensions import db
from app.models import Centre, Expert, Region, Topic
from seeds.loader import read
from tests import factories as f

URL = "/api/v1/reports"
REPORTS = (
    "coverage",
    "gaps",
    "topics",
    "regions",
    "trend",
    "visibility",
    "generations",
    "systematic",
)
PICTURES = ("coverage.png", "coverage.svg", "trend.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TODAY = dt.date.today()
SEEDED_PAIR = ("KISI DIP", "IISPS")
EARLIER, LATER = dt.date(2022, 6, 1), TODAY + dt.timedelta(days=60)


# -- looking things up --------------------------------------------------------------------


def centre(acronym: str) -> Centre:
    return db.session.scalars(sa.select(Centre).where(Centre.acronym == acronym)).one()


def expert(full_name: str) -> Expert:
    return db.session.scalars(sa.select(Expert).where(Expert.full_name == full_name)).one()


def topic(slug: str) -> Topic:
    return db.session.scalars(sa.select(Topic).where(Topic.slug == slug)).one()


def region(code: str) -> Region:
    return db.session.scalars(sa.select(Region).where(Region.code == code)).one()


def seeded_centres(country: str) -> set[str]:
    return {c["acronym"] for c in read("centres") if c["country"] == country}


def seeded_joint_publications() -> list[dict]:
    """The seed's publications with authors writing for centres of both countries."""
    country = {c["key"]: c["country"] for c in read("centres")}
    return [
        p
        for p in read("publications")
        if {country[a["centre"]] for a in p["authors"] if a.get("centre")} >= {"RU", "KZ"}
    ]


# -- calling the reports ------------------------------------------------------------------


def get_report(who, name: str, **params) -> dict:
    response = who.get(f"{URL}/{name}", query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def pairs(rows: list[dict]) -> set[tuple[str, str]]:
    """(Russian, Kazakh) acronyms of a list of centre pairs."""
    return {(p["ru_centre"]["acronym"], p["kz_centre"]["acronym"]) for p in rows}


def pair(report: dict, ru: str, kz: str) -> dict:
    (found,) = [p for p in report["pairs"] if pairs([p]) == {(ru, kz)}]
    return found


def names(centres: list[dict]) -> set[str]:
    return {c["acronym"] for c in centres}


# -- building records ---------------------------------------------------------------------


def new_centre(country: str, acronym: str, **kwargs) -> Centre:
    return f.CentreFactory(country_code=country, acronym=acronym, **kwargs)


def member(of: Centre, **kwargs) -> Expert:
    """An expert of the centre's country, affiliated with it since 2015."""
    person = f.ExpertFactory(country_code=of.country_code, **kwargs)
    f.AffiliationFactory(expert=person, centre=of)
    return person


def joint_publication(day: dt.date, *centres: Centre, topics=(), visibility="public"):
    """A publication written on ``day`` by one new author for each centre."""
    publication = f.PublicationFactory(
        year=day.year, published_on=day, topics=list(topics), visibility=visibility
    )
    for position, where in enumerate(centres, 1):
        author = f.ExpertFactory(country_code=where.country_code)
        f.AuthorshipFactory(publication=publication, expert=author, centre=where, position=position)
    return publication


def co_written(day: dt.date, *people: Expert, topics=()):
    """A publication by ``people``, each counted for the centre they worked at that day."""
    publication = f.PublicationFactory(year=day.year, published_on=day, topics=list(topics))
    for position, person in enumerate(people, 1):
        f.AuthorshipFactory(publication=publication, expert=person, centre=None, position=position)
    return publication


def shared_session(day: dt.date, *people: Expert, status="published", answer="accepted"):
    """A session on ``day`` where every one of ``people`` took part."""
    start = dt.datetime.combine(day, dt.time(8), tzinfo=dt.UTC)
    session = f.SessionFactory(
        starts_at=start, ends_at=start + dt.timedelta(hours=1), status=status
    )
    for person in people:
        f.ParticipationFactory(session=session, expert=person, status=answer)
    return session


def joint_project(start: dt.date, end: dt.date | None, *centres: Centre):
    project = f.ProjectFactory(start_date=start, end_date=end)
    for where in centres:
        f.ProjectCentreFactory(project=project, centre=where)
    return project
