"""Three scratch databases and the archives between them: SQLite → (the test database's
kind) → SQLite. On the PostgreSQL run that is SQLite → PostgreSQL → SQLite.

The source holds the report's data and a row in every archived table; each step exports
with ``flask data export`` and imports with ``flask data import``, through the CLI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa
from flask import Flask

from app.accounts.models import ClaimStatus, ProfileClaim, TokenScope
from app.accounts.passwords import hash_password
from app.accounts.services import create_token
from app.backup.tables import archived, derived_names
from app.core.mail import OutboxMessage
from app.core.models import utcnow
from app.extensions import db
from app.forums.models import Availability, ChangeKind, ProgrammeChange
from app.models import Base, Expert, Topic
from seeds.loader import load_report
from tests import factories as f
from tests.conftest import PASSWORD, scratch_app, scratch_database

SQLITE = sa.make_url("sqlite://")


@contextmanager
def uncached_app(url: str) -> Iterator[Flask]:
    """An app on ``url`` with no cache between it and the database: reports computed anew."""
    with scratch_app(url, REPORT_CACHE="off", RESPONSE_CACHE="off") as app:
        yield app


def migrated(app: Flask) -> Flask:
    with app.app_context():
        flask_migrate.upgrade()
    return app


def flask(app: Flask, *args: str, ok: bool = True):
    """Run ``flask <args>`` on ``app``; checks the exit code."""
    result = app.test_cli_runner().invoke(args=list(args))
    assert (result.exit_code == 0) is ok, result.output + repr(result.exception)
    return result


def _session_with_people(organiser) -> None:
    """A published session with a Russian and a Kazakh speaker: a tie in the ledger."""
    ru_centre = f.CentreFactory(country_code="RU")
    kz_centre = f.CentreFactory(country_code="KZ", kind="university")
    starts = dt.datetime(2027, 9, 14, 5, 30, 0, 123456, tzinfo=dt.UTC)
    session = f.SessionFactory(
        starts_at=starts, ends_at=starts + dt.timedelta(minutes=90), status="published"
    )
    session.room = f.RoomFactory(forum=session.forum)
    f.RoomWindowFactory(room=session.room)
    session.topics = [db.session.scalars(sa.select(Topic).limit(1)).one()]
    for country, centre in (("RU", ru_centre), ("KZ", kz_centre)):
        expert = f.ExpertFactory(country_code=country, other_names=["Иванов И.", "Іванов"])
        f.AffiliationFactory(expert=expert, centre=centre)
        f.ParticipationFactory(
            session=session, expert=expert, status="accepted", responded_at=utcnow()
        )
        db.session.add(
            Availability(
                forum=session.forum,
                expert=expert,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=3),
            )
        )
    db.session.add(
        ProgrammeChange(
            forum_id=session.forum.id,
            session_id=session.id,
            kind=ChangeKind.MOVED,
            summary="Перенесено в зал 2",
        )
    )
    f.PublicationFactory(csl_type="chapter", language="kk")
    project = f.ProjectFactory(topics=session.topics, end_date=dt.date(2029, 12, 31))
    f.ProjectCentreFactory(project=project, centre=ru_centre)
    f.ProjectCentreFactory(project=project, centre=kz_centre, role="partner")


def _people() -> str:
    """Users with real password hashes, a token (its secret returned), a claim, a mail."""
    organiser = f.UserFactory(role="organiser", password_hash=hash_password(PASSWORD))
    claimant = f.UserFactory(role="expert", active=False, language="kk", last_login_at=utcnow())
    expert = db.session.scalars(sa.select(Expert).order_by(Expert.id).limit(1)).one()
    db.session.add(
        ProfileClaim(
            expert=expert,
            user=claimant,
            status=ClaimStatus.REJECTED,
            message="Это я",
            decided_by=organiser,
            decided_at=utcnow(),
        )
    )
    db.session.add(
        OutboxMessage(
            recipient=claimant.email,
            subject="Тексеру",
            language="kk",
            body_text="https://example.org/verify/x",
            body_html="<p>x</p>",
        )
    )
    _, secret = create_token(organiser, "backup", [TokenScope.READ], 30)
    _session_with_people(organiser)
    return secret


def _parents_after_children() -> None:
    """A centre and a topic whose parents have higher ids: the rows cannot simply be
    inserted in id order."""
    child, parent = f.CentreFactory(), f.CentreFactory(country_code="KZ")
    db.session.flush()
    child.parent = parent
    young, old = f.TopicFactory(), f.TopicFactory()
    db.session.flush()
    young.parent = old


def fill(app: Flask) -> str:
    """The report's data and a row in every archived table; returns an organiser's token."""
    with app.app_context():
        flask_migrate.upgrade()
        load_report()
        secret = _people()
        _parents_after_children()
        db.session.commit()
        db.session.remove()
    return secret


# -- what a database holds ----------------------------------------------------------------


def contents(app: Flask) -> dict[str, list]:
    """Every table's rows as the app reads them; derived tables without their surrogate
    ids (the rebuild numbers them afresh), as sorted lists."""
    out = {}
    with app.app_context(), db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in derived_names():
                columns = [c for c in table.columns if c.name != "id"]
                out[table.name] = sorted(map(tuple, conn.execute(sa.select(*columns))), key=repr)
            else:
                order = list(table.primary_key.columns)
                out[table.name] = [
                    tuple(r) for r in conn.execute(sa.select(table).order_by(*order))
                ]
    return out


def report_urls(app: Flask) -> list[str]:
    """Every JSON report: the reports' GET routes that take no path argument."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/reports/")
        and "GET" in rule.methods
        and not rule.arguments
        and not rule.rule.endswith(".png")
    )


def reports(app: Flask, token: str) -> dict[str, object]:
    client = app.test_client()
    answers = {}
    for url in report_urls(app):
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, (url, response.get_json())
        answers[url] = response.get_json()
    return answers


@dataclass
class Trip:
    """The three apps, the two archives, and what each database held afterwards."""

    apps: list[Flask]
    archives: list[Path]
    token: str
    contents: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


@pytest.fixture(scope="package")
def trip(app: Flask, tmp_path_factory) -> Iterator[Trip]:
    with app.app_context():
        base = db.engine.url
    tmp = tmp_path_factory.mktemp("backup")
    with ExitStack() as stack:
        urls = [
            stack.enter_context(scratch_database(url, tmp, name))
            for url, name in ((SQLITE, "source"), (base, "middle"), (SQLITE, "back"))
        ]
        apps = [stack.enter_context(uncached_app(url)) for url in urls]
        trip = Trip(apps, [tmp / "first.zip", tmp / "second.zip"], fill(apps[0]))
        for source, target, archive in zip(apps[:-1], apps[1:], trip.archives, strict=True):
            trip.outputs.append(flask(source, "data", "export", str(archive)).output)
            trip.outputs.append(flask(migrated(target), "data", "import", str(archive)).output)
        trip.contents = [contents(a) for a in apps]
        trip.reports = [reports(a, trip.token) for a in apps]
        yield trip


def archived_names() -> list[str]:
    return [t.name for t in archived(Base.metadata)]
