"""Every seeded record and fact says where it comes from, and the loader stores it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from app.core.provenance import Provenance
from app.models import (
    Affiliation,
    Authorship,
    Centre,
    Expert,
    Forum,
    ForumSeries,
    Publication,
    Topic,
)
from seeds.loader import read, sourced

SEEDED = {"report", "public", "editorial", "placeholder"}


def facts() -> Iterator[tuple[str, dict]]:
    """(where, record) for every record and every fact on one that the seed files hold."""
    for name in ("experts", "centres", "publications", "projects", "topics"):
        for rec in read(name):
            key = rec.get("key") or rec.get("slug") or rec.get("note")
            yield f"{name}:{key}", rec
            for i, affiliation in enumerate(rec.get("affiliations") or []):
                yield f"{name}:{key}:affiliation {i}", affiliation
            for i, author in enumerate(rec.get("authors") or []):
                yield f"{name}:{key}:author {i}", author
    for series in read("forums"):
        yield f"forums:{series['slug']}", series
        for forum in series.get("forums") or []:
            yield f"forums:{series['slug']}:{forum['edition']}", forum


@pytest.mark.parametrize(
    ("where", "rec"), list(facts()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_seeded_fact_says_its_provenance_and_source(where, rec):
    assert rec.get("provenance") in SEEDED, where
    assert (rec.get("source") or "").strip(), where
    if rec.get("topics"):
        assert rec.get("topics_provenance") in SEEDED and rec.get("topics_source"), where
    if rec.get("centre") and "expert" in rec and rec.get("provenance") != "editorial":
        # an author's centre: said apart from the authorship, which may be surer
        assert rec.get("centre_provenance") in SEEDED and rec.get("centre_source"), where


def test_undated_affiliations_say_whether_they_are_assumed():
    for rec in read("experts"):
        for affiliation in rec.get("affiliations") or []:
            if not (affiliation.get("start_date") or affiliation.get("end_date")):
                assert affiliation.get("assumed") is False, rec["key"]


@pytest.mark.parametrize("kind", ["entered", "sourced", "REPORT"])
def test_the_loader_refuses_a_kind_seeds_cannot_have(kind):
    with pytest.raises(ValueError):
        sourced({"provenance": kind})


def test_the_loader_stores_what_the_files_say(db_session):
    def one(model, **where):
        return db_session.scalars(sa.select(model).filter_by(**where)).one()

    note_3 = one(Publication, url="https://regnum.ru/article/2534699")
    assert (note_3.provenance, note_3.source, note_3.topics_provenance) == (
        Provenance.REPORT,
        "note 3",
        Provenance.EDITORIAL,
    )
    by_author = {
        a.expert.full_name: (a.provenance, a.centre_provenance) for a in note_3.authorships
    }
    assert by_author == {
        "Marat Shibutov": (Provenance.REPORT, Provenance.EDITORIAL),
        "N. Malyarchuk": (Provenance.REPORT, Provenance.REPORT),
        "Yuri Solozobov": (Provenance.REPORT, Provenance.EDITORIAL),
    }
    solozobov = one(Expert, full_name="Yuri Solozobov")
    (affiliation,) = solozobov.affiliations
    assert (affiliation.provenance, affiliation.assumed) == (Provenance.EDITORIAL, False)
    assert one(Centre, acronym="KazISS").provenance == Provenance.REPORT
    assert one(ForumSeries, slug="interregional-cooperation-forum").provenance == "report"
    assert one(Forum, year=2027).provenance == Provenance.PLACEHOLDER
    assert one(Topic, slug="energy").provenance == Provenance.REPORT
    # Nothing seeded is "entered", the kind of what users write.
    for model in (Expert, Centre, Publication, Authorship, Affiliation):
        assert not db_session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.provenance == "entered")
        ), model.__name__
