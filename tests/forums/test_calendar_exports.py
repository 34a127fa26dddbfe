"""Calendar exports: iCalendar feeds read back with icalendar, frab schedules checked
against c3voc's schema with the formats (uuid, date, date-time, uri) really enforced."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import pytest
from icalendar import Calendar

from app.forums.calendar import expert_ics, forum_ics, frab_acronym, frab_schedule
from tests import factories as f

SCHEMA_PATH = Path(__file__).parents[1] / "data" / "frab-schedule.schema.json"
BASE_URL = "https://bridge.example.org"
NOW = dt.datetime(2027, 9, 1, 12, 0, tzinfo=dt.UTC)
ACRONYM = re.compile(r"^[a-z0-9_-][a-z0-9_]{3,}(-2[0-9]{3}-[a-z]+)?$")


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def scheduled(forum, start: dt.datetime, minutes: int = 90, **kwargs):
    end = start + dt.timedelta(minutes=minutes)
    return f.SessionFactory(forum=forum, starts_at=start, ends_at=end, **kwargs)


@pytest.fixture
def programme(db_session):
    """A published three-day forum in Moscow: two rooms, one session without a room, one
    not yet scheduled, and experts from Russia and Kazakhstan (one only invited)."""
    forum = f.ForumFactory(
        series=f.ForumSeriesFactory(slug="ru-kz-expert-forum"),
        title="Российско-казахстанский экспертный форум",
        year=2027,
        city="Омск",
        timezone="Europe/Moscow",
        start_date=dt.date(2027, 9, 14),
        end_date=dt.date(2027, 9, 16),
        status="published",
    )
    hall_a = f.RoomFactory(forum=forum, name="Зал А", capacity=200)
    f.RoomFactory(forum=forum, name="Hall B", capacity=40)
    energy = f.TopicFactory(name_en="Energy", name_ru="Энергетика")
    transit = f.TopicFactory(name_en="Transit", name_ru="Транзит")
    ivanov = f.ExpertFactory(full_name="Иван Иванов", country_code="RU")
    sadykova = f.ExpertFactory(full_name="Айгерим Садыкова", country_code="KZ")
    invited = f.ExpertFactory(full_name="Ерлан Жумабаев", country_code="KZ")
    # Created out of order, so that sorting by start is what puts them in order.
    late = scheduled(forum, utc(2027, 9, 14, 11, 0), title="Цифровые коридоры", room=hall_a)
    energy_dialogue = scheduled(
        forum,
        utc(2027, 9, 14, 7, 0),  # 10:00 in Moscow
        title="Энергетический диалог: ТЭК и транзит",
        description="Поставки и тарифы.",
        room=hall_a,
        topics=[energy, transit],
        status="published",
    )
    roomless = scheduled(forum, utc(2027, 9, 14, 9, 0), title="Круглый стол", format="roundtable")
    after_midnight = scheduled(forum, utc(2027, 9, 15, 21, 30), title="Ночная сессия", room=hall_a)
    unscheduled = f.SessionFactory(forum=forum, title="Когда-нибудь")
    f.ParticipationFactory(session=energy_dialogue, expert=ivanov, status="accepted")
    f.ParticipationFactory(
        session=energy_dialogue, expert=sadykova, role="moderator", status="accepted"
    )
    f.ParticipationFactory(session=energy_dialogue, expert=invited)
    db_session.flush()
    return SimpleNamespace(
        forum=forum,
        sessions=[late, energy_dialogue, roomless, after_midnight, unscheduled],
        energy_dialogue=energy_dialogue,
        late=late,
        roomless=roomless,
        after_midnight=after_midnight,
        unscheduled=unscheduled,
        ivanov=ivanov,
    )


def read_ics(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def events_by_uid(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.events}


def uid(session) -> str:
    return f"session-{session.id}@expert-bridge"


# -- forum_ics --------------------------------------------------------------------------


def test_forum_ics_describes_the_calendar(programme):
    calendar = read_ics(forum_ics(programme.forum, programme.sessions, now=NOW))
    assert str(calendar["PRODID"]) == "-//Expert Bridge//Forum schedule//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Российско-казахстанский экспертный форум"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Moscow"
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Moscow"]
    assert calendar.get_missing_tzids() == set()


def test_forum_ics_has_one_event_per_scheduled_session(programme):
    events = events_by_uid(read_ics(forum_ics(programme.forum, programme.sessions, now=NOW)))
    timed = [programme.late, programme.energy_dialogue, programme.roomless]
    assert set(events) == {uid(s) for s in [*timed, programme.after_midnight]}
    assert uid(programme.unscheduled) not in events


def test_forum_ics_event_in_the_forums_zone(programme):
    data = forum_ics(programme.forum, programme.sessions, now=NOW)
    event = events_by_uid(read_ics(data))[uid(programme.energy_dialogue)]
    assert b"DTSTART;TZID=Europe/Moscow:20270914T100000" in data
    assert event["DTSTART"].params["TZID"] == "Europe/Moscow"
    assert event.start == programme.energy_dialogue.starts_at  # the same instant
    assert event.start.utcoffset() == dt.timedelta(hours=3)
    assert event.end - event.start == dt.timedelta(minutes=90)
    assert event.stamp == NOW
    assert str(event["SUMMARY"]) == "Энергетический диалог: ТЭК и транзит"
    assert str(event["LOCATION"]) == "Зал А, Омск"
    assert [str(c) for c in event.categories] == ["Энергетика", "Транзит"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["SEQUENCE"] == 0
    assert "URL" not in event


def test_forum_ics_description_lists_the_participants_given(programme):
    everyone = forum_ics(
        programme.forum, programme.sessions, participants_of=lambda s: s.participations
    )
    default = events_by_uid(read_ics(forum_ics(programme.forum, programme.sessions)))
    description = str(default[uid(programme.energy_dialogue)]["DESCRIPTION"])
    assert description == (
        "Поставки и тарифы.\n\n"
        "Формат: Панельная дискуссия\n"
        "Спикер: Иван Иванов (RU)\n"
        "Модератор: Айгерим Садыкова (KZ)"
    )
    every = events_by_uid(read_ics(everyone))[uid(programme.energy_dialogue)]
    assert "Спикер: Ерлан Жумабаев (KZ)" in str(every["DESCRIPTION"])


@pytest.mark.parametrize(
    ("lang", "kind", "credit", "topics"),
    [
        ("en", "Format: Panel", "Speaker: Иван Иванов (RU)", ["Energy", "Transit"]),
        # No Kazakh names: in Kazakh, the Russian ones (app.core.i18n.name_in).
        (
            "kk",
            "Формат: Панельдік талқылау",
            "Баяндамашы: Иван Иванов (RU)",
            ["Энергетика", "Транзит"],
        ),
    ],
)
def test_forum_ics_speaks_the_readers_language(programme, lang, kind, credit, topics):
    # A feed once said "Format: panel" in English beside topics in Russian, whoever read it.
    events = events_by_uid(read_ics(forum_ics(programme.forum, programme.sessions, lang=lang)))
    event = events[uid(programme.energy_dialogue)]
    assert f"{kind}\n{credit}\n" in str(event["DESCRIPTION"])
    assert [str(c) for c in event.categories] == topics


def test_forum_ics_without_a_room_or_topics(programme):
    events = events_by_uid(read_ics(forum_ics(programme.forum, programme.sessions)))
    roomless = events[uid(programme.roomless)]
    assert str(roomless["LOCATION"]) == "Омск"
    assert "CATEGORIES" not in roomless
    assert str(roomless["DESCRIPTION"]) == "Формат: Круглый стол"


def test_forum_ics_sequence_follows_edits_and_url_is_given(programme, db_session):
    programme.energy_dialogue.title = "Энергетика и климат"
    db_session.flush()
    data = forum_ics(
        programme.forum,
        programme.sessions,
        url_for_session=lambda s: f"{BASE_URL}/sessions/{s.id}",
    )
    event = events_by_uid(read_ics(data))[uid(programme.energy_dialogue)]
    assert event["SEQUENCE"] == 1
    assert str(event["SUMMARY"]) == "Энергетика и климат"
    assert str(event["URL"]) == f"{BASE_URL}/sessions/{programme.energy_dialogue.id}"


# -- expert_ics -------------------------------------------------------------------------


@pytest.fixture
def almaty_forum(db_session):
    return f.ForumFactory(
        title="Казахстанско-российский форум",
        host_country="KZ",
        city="Алматы",
        timezone="Asia/Almaty",
        start_date=dt.date(2027, 10, 5),
        end_date=dt.date(2027, 10, 6),
    )


def test_expert_ics_across_two_zones(programme, almaty_forum, db_session):
    in_almaty = scheduled(almaty_forum, utc(2027, 10, 5, 5, 0), title="Водные ресурсы")
    f.ParticipationFactory(session=in_almaty, expert=programme.ivanov, status="accepted")
    db_session.flush()
    mine = [programme.energy_dialogue, in_almaty]
    calendar = read_ics(expert_ics(programme.ivanov, mine, now=NOW))
    assert str(calendar["X-WR-CALNAME"]) == "Иван Иванов — Expert Bridge"
    assert sorted(tz.tz_name for tz in calendar.timezones) == ["Asia/Almaty", "Europe/Moscow"]
    events = events_by_uid(calendar)
    moscow, almaty = events[uid(programme.energy_dialogue)], events[uid(in_almaty)]
    assert (moscow["DTSTART"].params["TZID"], almaty["DTSTART"].params["TZID"]) == (
        "Europe/Moscow",
        "Asia/Almaty",
    )
    assert almaty.start == in_almaty.starts_at
    assert str(almaty["LOCATION"]) == "Алматы"
    # Both forum and session are published in Moscow; Almaty's forum is still a draft.
    assert (str(moscow["STATUS"]), str(almaty["STATUS"])) == ("CONFIRMED", "TENTATIVE")


@pytest.mark.parametrize(
    ("forum_status", "session_status", "expected"),
    [
        ("published", "published", "CONFIRMED"),
        ("published", "draft", "TENTATIVE"),
        ("draft", "published", "TENTATIVE"),
        ("draft", "draft", "TENTATIVE"),
    ],
)
def test_expert_ics_status(almaty_forum, db_session, forum_status, session_status, expected):
    almaty_forum.status = forum_status
    session = scheduled(almaty_forum, utc(2027, 10, 5, 5, 0), status=session_status)
    expert = f.ExpertFactory()
    db_session.flush()
    (event,) = read_ics(expert_ics(expert, [session])).events
    assert str(event["STATUS"]) == expected


# Each name, and how TEXT escapes it: a lone carriage return becomes a line break, as
# iCalendar has no other form for it.
NAMES = [
    ("Two\nlines", r"Two\nlines"),
    ("Carriage\rreturn", r"Carriage\nreturn"),
    ("Injected\r\nX-EVIL:1", r"Injected\nX-EVIL:1"),
    ("A; b, c\\d", r"A\; b\, c\\d"),
]


def assert_named(data: bytes, escaped: str) -> None:
    """NAME and X-WR-CALNAME are one escaped content line each, and nothing is injected."""
    lines = data.decode().replace("\r\n ", "").split("\r\n")
    assert not any("\r" in line or "\n" in line or line.startswith("X-EVIL") for line in lines)
    for prop in ("NAME", "X-WR-CALNAME"):
        assert any(line.startswith(f"{prop}:{escaped}") for line in lines), prop
    assert read_ics(data)["NAME"]  # and it reads back


@pytest.mark.parametrize(("name", "escaped"), NAMES)
def test_forum_ics_escapes_the_calendar_name(programme, name, escaped):
    programme.forum.title = name
    assert_named(forum_ics(programme.forum, programme.sessions, now=NOW), escaped)


@pytest.mark.parametrize(("name", "escaped"), NAMES)
def test_expert_ics_escapes_the_calendar_name(programme, name, escaped):
    programme.ivanov.full_name = name
    mine = [programme.energy_dialogue]
    assert_named(expert_ics(programme.ivanov, mine, now=NOW), f"{escaped} — Expert Bridge")


def test_expert_ics_of_a_session_at_the_end_of_the_calendar(almaty_forum, db_session):
    # Stored before session times were bounded: the feed still builds.
    session = scheduled(almaty_forum, utc(9999, 12, 30, 0, 0))
    db_session.flush()
    (event,) = read_ics(expert_ics(f.ExpertFactory(), [session], now=NOW)).events
    assert event.start == session.starts_at


# -- frab_schedule ----------------------------------------------------------------------


def is_rfc3339(value: object) -> bool:
    """RFC 3339 date-time: a "T", seconds, and an offset are all required."""
    if not isinstance(value, str):
        return True
    pattern = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"
    if not re.fullmatch(pattern, value, re.IGNORECASE):
        return False
    dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # ValueError: invalid
    return True


def is_absolute_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    scheme = urllib.parse.urlsplit(value).scheme
    plain = value.isascii() and not any(c.isspace() for c in value)
    return plain and re.fullmatch(r"[a-z][a-z0-9+.-]*", scheme, re.IGNORECASE) is not None


def strict_formats() -> jsonschema.FormatChecker:
    # Draft6Validator.FORMAT_CHECKER checks none of uuid, date, date-time or uri here (the
    # last two need packages we do not install): take every draft's checks and add ours.
    checker = jsonschema.FormatChecker()
    checker.checks("date-time", raises=ValueError)(is_rfc3339)
    checker.checks("uri", raises=ValueError)(is_absolute_uri)
    return checker


@pytest.fixture(scope="module")
def reference_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


@pytest.fixture(scope="module")
def validator(reference_schema) -> jsonschema.Draft6Validator:
    """The upstream schema as it is: since it gave an event's start as the "HH:MM" every
    frab producer and reader uses, our schedule needs no exception."""
    return jsonschema.Draft6Validator(reference_schema, format_checker=strict_formats())


def schedule_of(programme) -> dict:
    return frab_schedule(programme.forum, programme.sessions, base_url=f"{BASE_URL}/")


def all_events(document: dict) -> list[dict]:
    days = document["schedule"]["conference"]["days"]
    return [e for day in days for events in day["rooms"].values() for e in events]


def assert_valid(validator, document: dict) -> None:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []


def test_frab_schedule_validates(programme, validator):
    document = schedule_of(programme)
    assert_valid(validator, document)
    assert len(all_events(document)) == 4


@pytest.mark.parametrize(
    ("field", "bad_value"),
    [
        ("guid", "not-a-uuid"),
        ("guid", "3559dbb4a2094983b6a8ae58010059a7"),  # a UUID, but not in its canonical form
        ("date", "2027-09-14T10:00:00"),  # no offset
        ("date", "2027-09-14"),
        ("url", "/api/v1/sessions/1"),  # relative
        ("duration", "90 min"),
        ("start", "9:00"),  # hours in two digits
        ("start", "2027-09-14T10:00:00+03:00"),  # the date-time goes in "date"
        ("slug", "Forum-1-Title"),
        ("persons", [{"id": 1, "public_name": "A", "name": "A"}]),  # matches both oneOf
    ],
)
def test_the_validator_really_checks(programme, validator, field, bad_value):
    document = schedule_of(programme)
    all_events(document)[0][field] = bad_value
    assert not validator.is_valid(document)


def test_frab_schedule_conference(programme):
    conference = schedule_of(programme)["schedule"]["conference"]
    assert conference["acronym"] == "ru_kz_expert_forum_2027"
    assert (conference["start"], conference["end"], conference["daysCount"]) == (
        "2027-09-14",
        "2027-09-16",
        3,
    )
    assert conference["time_zone_name"] == "Europe/Moscow"
    assert conference["timeslot_duration"] == "00:30"
    assert [room["name"] for room in conference["rooms"]] == ["Зал А", "Hall B", "TBA"]
    assert conference["rooms"][0]["capacity"] == 200
    days = conference["days"]
    assert [(d["index"], d["date"]) for d in days] == [
        (1, "2027-09-14"),
        (2, "2027-09-15"),
        (3, "2027-09-16"),
    ]
    assert (days[0]["day_start"], days[0]["day_end"]) == (
        "2027-09-14T00:00:00+03:00",
        "2027-09-15T00:00:00+03:00",
    )


def test_frab_schedule_places_events_by_room_and_day(programme):
    days = schedule_of(programme)["schedule"]["conference"]["days"]
    titles = [
        {room: [e["title"] for e in events] for room, events in d["rooms"].items()} for d in days
    ]
    assert titles == [
        {
            "Зал А": ["Энергетический диалог: ТЭК и транзит", "Цифровые коридоры"],
            "Hall B": [],
            "TBA": ["Круглый стол"],
        },
        {"Зал А": [], "Hall B": [], "TBA": []},  # nothing on the second day
        {"Зал А": ["Ночная сессия"], "Hall B": [], "TBA": []},  # 21:30 UTC is 00:30 in Moscow
    ]
    (tba,) = days[0]["rooms"]["TBA"]
    assert tba["room"] == "TBA"
    (night,) = days[2]["rooms"]["Зал А"]
    assert (night["date"], night["start"]) == ("2027-09-16T00:30:00+03:00", "00:30")


def test_frab_schedule_event(programme):
    document = schedule_of(programme)
    session = programme.energy_dialogue
    event = document["schedule"]["conference"]["days"][0]["rooms"]["Зал А"][0]
    assert event["id"] == session.id
    assert (event["date"], event["start"], event["duration"]) == (
        "2027-09-14T10:00:00+03:00",
        "10:00",
        "01:30",
    )
    assert (
        event["slug"]
        == f"ru_kz_expert_forum_2027-{session.id}-energeticheskiy_dialog_tek_i_tranzit"
    )
    assert event["url"] == f"{BASE_URL}/api/v1/sessions/{session.id}"
    assert (event["track"], event["type"], event["language"]) == ("Энергетика", "panel", "ru")
    assert (event["abstract"], event["subtitle"]) == ("Поставки и тарифы.", None)
    assert [p["name"] for p in event["persons"]] == ["Иван Иванов", "Айгерим Садыкова"]
    assert document["schedule"]["base_url"] == f"{BASE_URL}/"


def test_frab_guids_are_stable_and_distinct(programme):
    first, again = all_events(schedule_of(programme)), all_events(schedule_of(programme))
    assert [e["guid"] for e in first] == [e["guid"] for e in again]
    assert len({e["guid"] for e in first}) == len(first)


def test_frab_version_changes_with_the_programme(programme, db_session):
    before = schedule_of(programme)["schedule"]["version"]
    assert schedule_of(programme)["schedule"]["version"] == before
    programme.late.starts_at += dt.timedelta(hours=1)
    programme.late.ends_at += dt.timedelta(hours=1)
    db_session.flush()
    moved = schedule_of(programme)["schedule"]["version"]
    programme.sessions.remove(programme.roomless)
    assert len({before, moved, schedule_of(programme)["schedule"]["version"]}) == 3


def test_frab_schedule_in_almaty_across_midnight(almaty_forum, validator, db_session):
    session = scheduled(almaty_forum, utc(2027, 10, 5, 23, 30), title="Утренний брифинг")
    db_session.flush()
    document = frab_schedule(almaty_forum, [session], base_url=BASE_URL)
    assert_valid(validator, document)
    first, second = document["schedule"]["conference"]["days"]
    assert first["rooms"] == {"TBA": []}
    (event,) = second["rooms"]["TBA"]
    assert (second["date"], event["date"], event["start"], event["duration"]) == (
        "2027-10-06",
        "2027-10-06T04:30:00+05:00",
        "04:30",
        "01:30",
    )


def test_frab_schedule_adds_only_the_outside_days_that_have_sessions(
    almaty_forum, validator, db_session
):
    # Every day up to a session set decades off was once listed: 37,000 empty days.
    early = scheduled(almaty_forum, utc(1995, 3, 1, 6, 0), title="Слишком рано")
    late = scheduled(almaty_forum, utc(2099, 3, 1, 6, 0), title="Слишком поздно")
    db_session.flush()
    own = frab_schedule(almaty_forum, [], base_url=BASE_URL)["schedule"]["conference"]["days"]
    document = frab_schedule(almaty_forum, [early, late], base_url=BASE_URL)
    assert_valid(validator, document)
    days = document["schedule"]["conference"]["days"]
    assert [d["date"] for d in days] == ["1995-03-01", *(d["date"] for d in own), "2099-03-01"]
    assert [d["index"] for d in days] == list(range(1, len(own) + 3))
    assert document["schedule"]["conference"]["daysCount"] == len(own) + 2


def test_frab_schedule_of_a_forum_without_sessions(db_session, validator):
    forum = f.ForumFactory(
        series=None,
        title="Қазақстан–Ресей форумы",
        timezone="Asia/Almaty",
        start_date=dt.date(2027, 10, 5),
        end_date=dt.date(2027, 10, 7),
    )
    f.RoomFactory(forum=forum, name="Главный зал")
    db_session.flush()
    document = frab_schedule(forum, [], base_url=BASE_URL)
    assert_valid(validator, document)
    conference = document["schedule"]["conference"]
    assert conference["daysCount"] == 3
    assert [d["rooms"] for d in conference["days"]] == [{"Главный зал": []}] * 3


@pytest.mark.parametrize(
    ("series_slug", "title", "expected"),
    [
        ("ru-kz-expert-forum", "Any title", "ru_kz_expert_forum_2027"),
        (
            None,
            "Российско-казахстанский экспертный форум",
            "rossiysko_kazakhstanskiy_ekspertnyy_forum_2027",
        ),
        (None, "Қазақстан–Ресей форумы", "qazaqstan_resey_forumy_2027"),
        (None, "Форум 2027", "forum_2027"),  # the year is not repeated
        (None, "«»", "forum_2027"),  # nothing left to transliterate
    ],
)
def test_frab_acronym(db_session, series_slug, title, expected):
    series = f.ForumSeriesFactory(slug=series_slug) if series_slug else None
    forum = f.ForumFactory(series=series, title=title, year=2027)
    assert frab_acronym(forum) == expected
    assert ACRONYM.match(expected)
