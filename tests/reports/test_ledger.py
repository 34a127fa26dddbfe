"""The ledger kept on every write agrees with a full recomputation from the records."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import CentreTie, ExpertTie, TieKind
from app.reports import ledger
from tests import factories as f


def stored() -> set[tuple]:
    """The ledger's rows, each with its provenance last."""
    centres = db.session.execute(
        sa.select(
            CentreTie.kind,
            CentreTie.source_id,
            CentreTie.ru_centre_id,
            CentreTie.kz_centre_id,
            CentreTie.starts_on,
            CentreTie.ends_on,
            CentreTie.provenance,
        )
    )
    experts = db.session.execute(
        sa.select(
            ExpertTie.kind,
            ExpertTie.source_id,
            ExpertTie.ru_expert_id,
            ExpertTie.kz_expert_id,
            ExpertTie.starts_on,
            ExpertTie.provenance,
        )
    )
    return {("centre", *r) for r in centres} | {("expert", *r) for r in experts}


def recomputed() -> set[tuple]:
    rows = set()
    for kind in TieKind:
        rows |= {("centre", kind, *r) for r in db.session.execute(ledger.centre_pairs(kind))}
        people = ledger.expert_pairs(kind)
        if people is not None:
            rows |= {("expert", kind, *r) for r in db.session.execute(people)}
    return rows


def settle() -> set[tuple]:
    """What the commit would do: bring the ledger up to date; return it."""
    ledger.sync(db.session)
    return stored()


@pytest.fixture
def network(db_session):
    ru = [f.CentreFactory(country_code="RU") for _ in range(3)]
    kz = [f.CentreFactory(country_code="KZ") for _ in range(3)]
    people = {
        "ivan": f.ExpertFactory(country_code="RU"),
        "olga": f.ExpertFactory(country_code="RU"),
        "aigerim": f.ExpertFactory(country_code="KZ"),
        "nurlan": f.ExpertFactory(country_code="KZ"),
    }
    f.AffiliationFactory(expert=people["ivan"], centre=ru[0], end_date=dt.date(2019, 12, 31))
    f.AffiliationFactory(expert=people["ivan"], centre=ru[1], start_date=dt.date(2020, 1, 1))
    f.AffiliationFactory(expert=people["olga"], centre=ru[2])
    f.AffiliationFactory(expert=people["aigerim"], centre=kz[0])
    f.AffiliationFactory(expert=people["nurlan"], centre=kz[1])
    db_session.flush()
    return {"ru": ru, "kz": kz, **people}


def write(pub_year, *authors, published_on=None):
    publication = f.PublicationFactory(year=pub_year, published_on=published_on)
    for position, (expert, centre) in enumerate(authors, 1):
        f.AuthorshipFactory(
            publication=publication, expert=expert, centre=centre, position=position
        )
    return publication


def test_a_joint_publication_ties_the_authors_centres_on_its_date(network, db_session):
    before = write(2018, (network["ivan"], None), (network["aigerim"], None))
    after = write(2021, (network["ivan"], None), (network["aigerim"], None))
    named = write(2021, (network["olga"], network["ru"][0]), (network["nurlan"], None))
    rows = settle()
    mine = {before.id, after.id, named.id}
    centre_rows = {r[1:5] for r in rows if r[0] == "centre" and r[2] in mine}
    ru, kz = network["ru"], network["kz"]
    assert centre_rows == {
        (TieKind.PUBLICATION, before.id, ru[0].id, kz[0].id),  # Ivan was at ru[0] in 2018
        (TieKind.PUBLICATION, after.id, ru[1].id, kz[0].id),  # and at ru[1] from 2020
        (TieKind.PUBLICATION, named.id, ru[0].id, kz[1].id),  # the centre named on the paper
    }
    day = {r[2]: r[5] for r in rows if r[0] == "centre"}
    assert day[before.id] == dt.date(2018, 7, 1)  # a year alone counts as mid-year
    assert rows == recomputed()


def _tie_ids(publication_id: int) -> dict[str, set[int]]:
    return {
        "centre": set(
            db.session.scalars(sa.select(CentreTie.id).where(CentreTie.source_id == publication_id))
        ),
        "expert": set(
            db.session.scalars(sa.select(ExpertTie.id).where(ExpertTie.source_id == publication_id))
        ),
    }


def _ledger_writes(statements: list[str]) -> list[str]:
    return [
        s
        for s in statements
        if s.lstrip().upper().startswith(("INSERT", "DELETE", "UPDATE"))
        and ("centre_ties" in s or "expert_ties" in s)
    ]


def test_a_write_that_changes_no_tie_leaves_the_rows_alone(network, db_session, count_queries):
    paper = write(2018, (network["ivan"], None), (network["aigerim"], None))
    settle()
    ids = _tie_ids(paper.id)
    assert ids["centre"] and ids["expert"]

    paper.title = "Retitled"
    ledger.refresh(db_session, TieKind.PUBLICATION, [paper.id])
    with count_queries() as counter:
        settle()
    assert _ledger_writes(counter.statements) == []
    assert _tie_ids(paper.id) == ids

    paper.published_on = dt.date(2018, 11, 2)
    ledger.refresh(db_session, TieKind.PUBLICATION, [paper.id])
    with count_queries() as counter:
        rows = settle()
    assert _ledger_writes(counter.statements)  # the date moved: the ties are replaced
    assert {r[5] for r in rows if r[0] == "centre" and r[2] == paper.id} == {dt.date(2018, 11, 2)}
    assert rows == recomputed()


def test_sessions_count_once_published_with_both_sides_accepted(network, db_session):
    forum = f.ForumFactory()
    start = dt.datetime(2025, 5, 20, 8, tzinfo=dt.UTC)
    session = f.SessionFactory(
        forum=forum, starts_at=start, ends_at=start + dt.timedelta(hours=1), status="published"
    )
    f.ParticipationFactory(session=session, expert=network["olga"], status="accepted")
    invited = f.ParticipationFactory(session=session, expert=network["nurlan"], status="invited")
    assert {r for r in settle() if r[1] == TieKind.SESSION and r[2] == session.id} == set()
    invited.status = "accepted"
    rows = {r[:-1] for r in settle() if r[1] == TieKind.SESSION and r[2] == session.id}
    assert rows == {
        (
            "centre",
            TieKind.SESSION,
            session.id,
            network["ru"][2].id,
            network["kz"][1].id,
            dt.date(2025, 5, 20),
            dt.date(2025, 5, 20),
        ),
        (
            "expert",
            TieKind.SESSION,
            session.id,
            network["olga"].id,
            network["nurlan"].id,
            dt.date(2025, 5, 20),
        ),
    }
    session.status = "draft"
    assert {r for r in settle() if r[1] == TieKind.SESSION and r[2] == session.id} == set()


def test_projects_tie_their_partner_centres_over_their_dates(network, db_session):
    project = f.ProjectFactory(start_date=dt.date(2019, 3, 1), end_date=dt.date(2021, 6, 30))
    for centre in (network["ru"][0], network["kz"][2], network["ru"][1]):
        f.ProjectCentreFactory(project=project, centre=centre)
    rows = {r[:-1] for r in settle() if r[1] == TieKind.PROJECT and r[2] == project.id}
    assert {(r[3], r[4], r[5], r[6]) for r in rows} == {
        (network["ru"][0].id, network["kz"][2].id, dt.date(2019, 3, 1), dt.date(2021, 6, 30)),
        (network["ru"][1].id, network["kz"][2].id, dt.date(2019, 3, 1), dt.date(2021, 6, 30)),
    }


def _random_change(rng: random.Random, network, publications, db_session) -> None:
    """One of the writes users make, picked at random."""
    experts = [network[k] for k in ("ivan", "olga", "aigerim", "nurlan")]
    centres = network["ru"] + network["kz"]
    choice = rng.randrange(7)
    if choice == 0 or not publications:
        authors = [(e, rng.choice([None, rng.choice(centres)])) for e in rng.sample(experts, 2)]
        publications.append(write(rng.randint(2015, 2024), *authors))
    elif choice == 1:
        db_session.delete(publications.pop(rng.randrange(len(publications))))
    elif choice == 2:
        expert = rng.choice(experts)
        f.AffiliationFactory(
            expert=expert,
            centre=rng.choice(centres),
            start_date=dt.date(rng.randint(2014, 2023), 1, 1),
        )
    elif choice == 3:
        rng.choice(publications).year = rng.randint(2015, 2024)
    elif choice == 4:
        authorships = rng.choice(publications).authorships
        if authorships:
            rng.choice(authorships).centre = rng.choice([None, *centres])
    elif choice == 5:
        expert = rng.choice(experts)
        if expert.affiliations:
            expert.affiliations.pop(0)  # an orphan: deleted at the flush
    else:
        publication = rng.choice(publications)
        f.AuthorshipFactory(
            publication=publication,
            expert=rng.choice(experts),
            position=len(publication.authorships) + 1,
        )
    db_session.flush()


@pytest.mark.parametrize("seed", range(6))
def test_kept_in_step_through_random_writes(network, db_session, seed):
    rng = random.Random(seed)
    publications: list = []
    for _ in range(25):
        _random_change(rng, network, publications, db_session)
        assert settle() == recomputed()
    assert any(r[0] == "centre" for r in stored())  # the writes did make ties


def test_deleting_an_expert_or_moving_a_centre(network, db_session, caller, make_user):
    write(2021, (network["ivan"], None), (network["aigerim"], None))
    write(2022, (network["olga"], None), (network["nurlan"], network["kz"][1]))
    settle()
    admin = caller(make_user("admin"))
    assert admin.delete(f"/api/v1/experts/{network['ivan'].id}").status_code == 204
    assert stored() == recomputed()
    network["kz"][1].country_code = "RU"  # corrected: a Russian centre after all
    db_session.flush()
    assert settle() == recomputed()
    assert not any(r[0] == "centre" and r[4] == network["kz"][1].id for r in stored())


def test_a_centre_merge_rebuilds(network, caller, make_user, db_session):
    write(2021, (network["olga"], None), (network["aigerim"], None))
    db_session.flush()
    admin = caller(make_user("admin"))
    loser, survivor = network["ru"][2], network["ru"][0]
    merged = admin.post(f"/api/v1/centres/{loser.id}/merge", json={"into": survivor.id})
    assert merged.status_code == 200, merged.get_json()
    assert stored() == recomputed()
    assert survivor.id in {r[3] for r in stored() if r[0] == "centre"}
    assert loser.id not in {r[3] for r in stored() if r[0] == "centre"}
