"""The synthetic generator: sizes as asked, consistent rows, the report's shape."""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.models import (
    Affiliation,
    Authorship,
    Centre,
    Expert,
    ForumSession,
    Participation,
    Project,
    Publication,
)


def count(session, model, *where) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_synthetic_network_has_the_requested_size(runner, db_session):
    before = {m: count(db_session, m) for m in (Centre, Expert, Publication)}
    result = runner.invoke(
        args=[
            "seed",
            "synthetic",
            "--centres",
            "40",
            "--experts",
            "300",
            "--publications",
            "1500",
            "--forums",
            "2",
            "--sessions-per-forum",
            "8",
            "--projects",
            "6",
            "--seed",
            "7",
        ]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"in \d+\.\d s", result.output)
    assert count(db_session, Centre) - before[Centre] == 40
    assert count(db_session, Expert) - before[Expert] == 300
    assert count(db_session, Publication) - before[Publication] == 1500
    assert count(db_session, Project) == 6
    assert count(db_session, ForumSession) == 16
    assert count(db_session, Participation) >= 16 * 2

    # Every synthetic author writes for the centre of an affiliation they hold.
    orphan = db_session.scalar(
        sa.select(sa.func.count())
        .select_from(Authorship)
        .outerjoin(
            Affiliation,
            sa.and_(
                Affiliation.expert_id == Authorship.expert_id,
                Affiliation.centre_id == Authorship.centre_id,
            ),
        )
        .where(
            Authorship.expert_id.is_not(None),
            Authorship.centre_id.is_not(None),
            Affiliation.id.is_(None),
        )
    )
    assert orphan == 0

    # Some works cross the border, but only a minority.
    per_pub = (
        sa.select(
            Authorship.publication_id, sa.func.count(sa.distinct(Centre.country_code)).label("n")
        )
        .join(Centre, Centre.id == Authorship.centre_id)
        .group_by(Authorship.publication_id)
        .subquery()
    )
    cross = db_session.scalar(sa.select(sa.func.count()).where(per_pub.c.n == 2))
    assert 0 < cross < 1500 * 0.3


def test_same_seed_gives_the_same_network(runner, db_session):
    args = [
        "seed",
        "synthetic",
        "--centres",
        "6",
        "--experts",
        "20",
        "--publications",
        "30",
        "--forums",
        "0",
        "--seed",
        "11",
    ]
    assert runner.invoke(args=args).exit_code == 0
    first = db_session.execute(
        sa.select(Expert.full_name, Expert.birth_year).order_by(Expert.id).offset(7)
    ).all()
    # A second run with the same seed adds a network with the same people, not new ones.
    assert runner.invoke(args=args).exit_code == 0
    second = db_session.execute(
        sa.select(Expert.full_name, Expert.birth_year).order_by(Expert.id).offset(27)
    ).all()
    assert first == second


def test_synthetic_needs_the_report_first(runner, db_session):
    db_session.execute(sa.text("DELETE FROM expert_topics"))
    db_session.execute(sa.text("DELETE FROM centre_topics"))
    db_session.execute(sa.text("DELETE FROM publication_topics"))
    db_session.execute(sa.text("DELETE FROM topics"))
    result = runner.invoke(args=["seed", "synthetic", "--centres", "4", "--experts", "4"])
    assert result.exit_code != 0
    assert "flask seed" in str(result.exception) + result.output
