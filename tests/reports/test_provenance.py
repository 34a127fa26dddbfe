"""Provenance: what the report alone supports, what rests on the editors' judgement, and what
an undated affiliation does not say."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.core.provenance import RANK, Provenance, up_to
from app.extensions import db
from app.models import Affiliation, CentreTie, ExpertTie, Publication, TieKind
from app.reports import ledger
from seeds.loader import read
from tests.reports.helpers import (
    REPORTS,
    SEEDED_PAIR,
    URL,
    co_written,
    expert,
    get_report,
    joint_publication,
    member,
    new_centre,
    pairs,
    shared_session,
)

NOTE_3 = "https://regnum.ru/article/2534699"
ALL = (*REPORTS, "recommendations")


def note_3() -> Publication:
    return db.session.scalars(sa.select(Publication).where(Publication.url == NOTE_3)).one()


# -- the seeded story ----------------------------------------------------------------------


def test_the_report_alone_ties_no_centres_but_keeps_the_co_authors(organiser):
    """Note 3 names its three authors, not their centres: under ``provenance=report`` its
    centre tie goes, and the Russian and Kazakh co-authors' tie stays."""
    everything = get_report(organiser, "coverage")
    assert pairs(everything["pairs"]) == {SEEDED_PAIR}
    assert everything["provenance"]["editorial"] == 1
    for only in ("report", "public"):
        sourced = get_report(organiser, "coverage", provenance=only)
        assert sourced["pairs"] == [] and sourced["summary"]["pairs_tied"] == 0
        assert sourced["window"]["provenance"] == only
        assert sourced["provenance"]["ties"]["editorial"] == 0
    again = get_report(organiser, "coverage")  # the filter keys the cache
    assert pairs(again["pairs"]) == {SEEDED_PAIR}

    ledger.sync(db.session)
    co_authors = db.session.execute(
        sa.select(ExpertTie.ru_expert_id, ExpertTie.kz_expert_id).where(
            ExpertTie.kind == TieKind.PUBLICATION,
            ExpertTie.source_id == note_3().id,
            ExpertTie.provenance.in_(up_to("report")),
        )
    ).all()
    shibutov = expert("Marat Shibutov").id
    assert set(co_authors) == {
        (expert("Yuri Solozobov").id, shibutov),
        (expert("N. Malyarchuk").id, shibutov),
    }


def _weakest(*kinds: str | None) -> int:
    return max(RANK[Provenance(k or "editorial")] for k in kinds)


def seeded_tie_kinds() -> dict[str, int]:
    """An oracle from the seed files alone: each seeded centre tie's provenance, the weakest
    of its publication, authorships and named centres (the loader's defaults applied)."""
    country = {c["key"]: c["country"] for c in read("centres")}
    ties: dict[tuple, int] = {}
    for pub in read("publications"):
        sides: dict[str, list[tuple[str, int]]] = {"RU": [], "KZ": []}
        for author in pub.get("authors") or []:
            if not author.get("centre"):
                continue  # seeded affiliations are undated and unassumed: no centre by day
            own = author.get("provenance") or pub.get("provenance")
            rank = _weakest(pub.get("provenance"), own, author.get("centre_provenance") or own)
            sides[country[author["centre"]]].append((author["centre"], rank))
        for ru, ru_rank in sides["RU"]:
            for kz, kz_rank in sides["KZ"]:
                key = (pub["url"], ru, kz)
                ties[key] = min(ties.get(key, len(RANK)), max(ru_rank, kz_rank))
    counts = dict.fromkeys((kind.value for kind in RANK), 0)
    for rank in ties.values():
        counts[next(k.value for k, r in RANK.items() if r == rank)] += 1
    return counts


@pytest.mark.parametrize("name", ALL)
def test_every_answer_counts_the_editorial_ties_it_rests_on(organiser, db_session, name):
    # Two ties entered through the platform beside the seeds' (in 2022 and 2023).
    ru, kz = new_centre("RU", "RU-ENT"), new_centre("KZ", "KZ-ENT")
    joint_publication(dt.date(2022, 5, 1), ru, kz)
    joint_publication(dt.date(2023, 5, 1), ru, kz)
    db_session.flush()
    expected = seeded_tie_kinds()
    expected["entered"] += 2
    answer = get_report(organiser, name)
    assert answer["provenance"] == {
        "filter": "all",
        "ties": expected,
        "editorial": expected["editorial"],
    }
    assert answer["provenance"]["editorial"] >= 1  # note 3's inferred centres
    windowed = get_report(organiser, name, since="2023-01-01")
    assert windowed["provenance"]["ties"] == dict.fromkeys(expected, 0) | {"entered": 1}
    public = get_report(organiser, name, provenance="public")
    assert public["provenance"]["ties"] == dict.fromkeys(expected, 0) | {
        k: expected[k] for k in ("report", "public")
    }


@pytest.mark.parametrize("value", ["editorial", "entered", "REPORT", ""])
def test_an_unknown_provenance_filter_is_refused(organiser, value):
    response = organiser.get("/api/v1/reports/coverage", query_string={"provenance": value})
    assert response.status_code == 422
    assert "provenance" in response.get_json()["errors"]["query"]


def test_visibility_under_report_counts_no_inferred_centre(organiser):
    """The visibility report counts publications by their authors' centres: note 3's centres
    are inferred, so under ``report`` it counts for neither country."""

    def counted(answer: dict) -> dict[str, int]:
        return {r["country"]: r["total"] for r in answer["rows"] if r["of"] == "publications"}

    everything = counted(get_report(organiser, "visibility"))
    sourced = counted(get_report(organiser, "visibility", provenance="report"))
    assert sourced["KZ"] == everything["KZ"] - 2  # notes 2 and 3: Shibutov's institute inferred
    assert sourced["RU"] < everything["RU"]


# -- undated affiliations --------------------------------------------------------------------


def test_an_undated_unassumed_affiliation_places_nobody_on_a_day(organiser, db_session):
    """Solozobov and Nursha share a session in 2023: they met, but their centres did not,
    since neither affiliation is dated nor assumed; assumed, the centres meet, on the
    editors' judgement."""
    solozobov, nursha = expert("Yuri Solozobov"), expert("Askar Nursha")
    undated = [a for a in solozobov.affiliations + nursha.affiliations if a.undated]
    assert len(undated) == 2 and not any(a.assumed for a in undated)
    session = shared_session(dt.date(2023, 11, 9), solozobov, nursha)
    db_session.flush()
    ledger.sync(db_session)

    def ties(table) -> list:
        return db_session.scalars(
            sa.select(table.provenance).where(
                table.kind == TieKind.SESSION, table.source_id == session.id
            )
        ).all()

    assert ties(CentreTie) == []
    assert ties(ExpertTie) == [Provenance.ENTERED]
    assert ("KISI DIP", "KazISS") not in pairs(get_report(organiser, "coverage")["pairs"])

    for affiliation in undated:
        affiliation.assumed = True
    db_session.flush()
    ledger.sync(db_session)
    assert ties(CentreTie) == [Provenance.ENTERED]  # a session is entered, and weaker still
    assert ("KISI DIP", "KazISS") in pairs(get_report(organiser, "coverage")["pairs"])


def test_an_assumed_affiliation_is_no_better_than_editorial(db_session):
    """Every fact from the report, but the affiliations undated and only assumed to hold:
    the tie rests on the editors' word."""
    ru, kz = new_centre("RU", "RU-ASSUMED"), new_centre("KZ", "KZ-ASSUMED")
    people = [member(ru), member(kz)]
    for person in people:
        (affiliation,) = person.affiliations
        affiliation.start_date, affiliation.assumed = None, True
        affiliation.provenance = Provenance.REPORT
    publication = co_written(dt.date(2021, 3, 1), *people)
    publication.provenance = Provenance.REPORT
    for authorship in publication.authorships:
        authorship.provenance = Provenance.REPORT
    db_session.flush()
    ledger.sync(db_session)
    held = db_session.scalars(
        sa.select(CentreTie.provenance).where(
            CentreTie.kind == TieKind.PUBLICATION, CentreTie.source_id == publication.id
        )
    ).all()
    assert held == [Provenance.EDITORIAL]
    (expert_tie,) = db_session.scalars(
        sa.select(ExpertTie.provenance).where(ExpertTie.source_id == publication.id)
    ).all()
    assert expert_tie == Provenance.REPORT  # who wrote it is the report's word


@pytest.mark.parametrize(
    ("start", "end", "assumed", "held"),
    [
        (None, None, False, False),  # undated: the source names it, not when
        (None, None, True, True),  # assumed to hold throughout
        (dt.date(2011, 1, 1), dt.date(2012, 12, 31), False, False),  # ended before the day
        (dt.date(2011, 1, 1), None, False, True),  # open since 2011
        (None, dt.date(2019, 1, 1), False, True),  # until 2019, start unknown
    ],
)
def test_held_on_a_day(start, end, assumed, held):
    affiliation = Affiliation(start_date=start, end_date=end, assumed=assumed)
    assert affiliation.held_on(dt.date(2018, 6, 1)) is held
    assert affiliation.current_on(dt.date(2018, 6, 1)) is (held or (start is end is None))


@pytest.mark.parametrize("path", ["coverage.svg", "coverage.png", "trend.png"])
def test_pictures_take_the_filter(organiser, path):
    assert organiser.get(f"{URL}/{path}", query_string={"provenance": "report"}).status_code == 200
    refused = organiser.get(f"{URL}/{path}", query_string={"provenance": "editorial"})
    assert refused.status_code == 422


def test_exports_take_the_filter(organiser):
    def csv(**params) -> bytes:
        response = organiser.get(f"{URL}/coverage", query_string={"format": "csv", **params})
        assert response.status_code == 200
        return response.data

    kz = SEEDED_PAIR[1].encode()
    assert kz in csv() and kz in csv(provenance="all")
    assert kz not in csv(provenance="report")
