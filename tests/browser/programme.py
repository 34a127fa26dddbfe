"""A published forum with a programme, for the browser tests and the screenshots: the
report's seeds publish a forum but schedule no session in it."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.experts.models import Expert
from app.extensions import db
from app.forums.models import Forum, ForumSession, Participation, Room

# A fixed id, far above the seeds' own, so that PAGES can name the page.
FORUM_ID = 900
PATH = f"/forums/{FORUM_ID}"
# (day, UTC hour, title, format, room, who takes part): 05:00 UTC is 10:00 in Astana.
SESSIONS = [
    (0, 5, "Открытие форума: Россия и Казахстан до 2030 года", "plenary", 0, "Marat Shibutov"),
    (0, 7, "Транзитные и энергетические коридоры", "panel", 1, "Askar Nursha"),
    (1, 5, "Совместные исследования аналитических центров", "roundtable", 0, None),
]


def seed_programme() -> Forum:
    """The forum, its two rooms and three published sessions over two days. Flushes."""
    forum = Forum(
        id=FORUM_ID,
        title="Russia–Kazakhstan Expert Dialogue",
        title_ru="Российско-казахстанский экспертный диалог",
        title_kk="Ресей-Қазақстан сарапшылар диалогы",
        year=2027,
        host_country="KZ",
        city="Astana",
        city_ru="Астана",
        city_kk="Астана",
        start_date=dt.date(2027, 10, 5),
        end_date=dt.date(2027, 10, 6),
        timezone="Asia/Almaty",
        status="published",
        published_at=dt.datetime(2027, 9, 1, tzinfo=dt.UTC),
    )
    rooms = [Room(name="Большой зал", capacity=300), Room(name="Малый зал", capacity=60)]
    forum.rooms = rooms
    for day, hour, title, kind, room, who in SESSIONS:
        start = dt.datetime.combine(forum.start_date, dt.time(hour), dt.UTC)
        session = ForumSession(
            title=title,
            format=kind,
            starts_at=start + dt.timedelta(days=day),
            ends_at=start + dt.timedelta(days=day, minutes=90),
            duration_minutes=90,
            room=rooms[room],
            status="published",
        )
        if who:
            expert = db.session.scalars(sa.select(Expert).filter_by(full_name=who)).one()
            session.participations = [
                Participation(expert=expert, role="moderator", status="accepted")
            ]
        forum.sessions.append(session)
    db.session.add(forum)
    db.session.flush()
    return forum


def give_invitations(user) -> Expert:
    """A profile for ``user`` with two invitations to answer (the opening plenary and the
    round table; a test answers one by keyboard and leaves the other) and one accepted (the
    panel), for the invitations page. Flushes."""
    expert = Expert(
        full_name="Aigerim Seitkali",
        other_names=["Айгерім Сейтқали"],
        country_code="KZ",
        languages=["kk", "ru"],
        user=user,
    )
    db.session.add(expert)
    plenary, panel, roundtable = db.session.scalars(
        sa.select(ForumSession)
        .where(ForumSession.forum_id == FORUM_ID)
        .order_by(ForumSession.starts_at)
    )
    db.session.add_all(
        [
            Participation(session=plenary, expert=expert, role="speaker", status="invited"),
            Participation(session=roundtable, expert=expert, role="speaker", status="invited"),
            Participation(session=panel, expert=expert, role="discussant", status="accepted"),
        ]
    )
    db.session.flush()
    return expert
