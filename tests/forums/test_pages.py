"""The forum pages: the list, and a forum's programme by day in its own zone, with its
calendar feeds; drafts as the visibility rules say."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from app.models import Forum
from tests import factories as f


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def scheduled(forum, start: dt.datetime, minutes: int = 90, **kwargs):
    end = start + dt.timedelta(minutes=minutes)
    return f.SessionFactory(forum=forum, starts_at=start, ends_at=end, **kwargs)


def text(html: str) -> str:
    """The page's words, tags gone and spaces squeezed: what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def sections(html: str) -> list[str]:
    return re.findall(r'<section class="programme-day".*?</section>', html, re.S)


@pytest.fixture
def published(db_session):
    """A published two-day forum in Almaty (UTC+5): two sessions on the first day, one on
    the second, a draft session, and an expert who only was invited."""
    forum = f.ForumFactory(
        title="Expert dialogue 2027",
        city="Almaty",
        host_country="KZ",
        timezone="Asia/Almaty",
        start_date=dt.date(2027, 9, 14),
        end_date=dt.date(2027, 9, 15),
        status="published",
    )
    hall = f.RoomFactory(forum=forum, name="Hall A")
    opening = scheduled(
        forum,
        utc(2027, 9, 14, 4, 0),
        title="Opening plenary",
        room=hall,
        format="plenary",
        status="published",
    )
    scheduled(forum, utc(2027, 9, 14, 9, 0), title="Energy corridors", status="published")
    # 20:30 in UTC is already 15 September in Almaty.
    scheduled(forum, utc(2027, 9, 14, 20, 30), title="Night owls", status="published")
    scheduled(forum, utc(2027, 9, 15, 6, 0), title="Unannounced draft")
    speaker = f.ExpertFactory(full_name="Marat Shibutov", other_names=["Марат Шибутов"])
    f.ParticipationFactory(session=opening, expert=speaker, status="accepted", role="moderator")
    invited = f.ExpertFactory(full_name="Only Invited")
    f.ParticipationFactory(session=opening, expert=invited, status="invited")
    db_session.flush()
    return forum


def test_programme_by_day_in_the_forums_zone(caller, published):
    response = caller().get(f"/forums/{published.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    first, second = map(text, sections(html))
    assert "Tuesday, September 14, 2027" in first and "Wednesday, September 15, 2027" in second
    # 04:00 UTC is 9:00 in Almaty; sessions in time order within their day.
    assert re.search(
        r"9:00 AM – 10:30 AM Opening plenary .* 2:00 PM – 3:30 PM Energy corridors", first
    )
    assert "Night owls" in second and "1:30 AM" in second
    assert "Times are in Asia/Almaty (UTC+5)." in text(html)
    assert "Unannounced draft" not in html  # a draft session is not public
    assert 'href="/experts/' in html and "Marat Shibutov" in first and "moderator" in first
    assert "Only Invited" not in html


def test_programme_in_russian_names_people_in_cyrillic(caller, published):
    anonymous = caller()
    anonymous.client.set_cookie("lang", "ru")
    html = text(anonymous.get(f"/forums/{published.id}").get_data(as_text=True))
    assert "вторник, 14 сентября 2027 г." in html
    assert "Марат Шибутов" in html and "модератор" in html
    assert "Время указано по часовому поясу Asia/Almaty (UTC+5)." in html


def test_an_empty_day_says_so(caller, published):
    published.end_date = dt.date(2027, 9, 16)
    days = sections(caller().get(f"/forums/{published.id}").get_data(as_text=True))
    assert len(days) == 3
    assert "Nothing is scheduled on this day yet." in days[2]


def test_a_session_outside_the_forums_dates_keeps_its_day(caller, published):
    published.end_date = dt.date(2027, 9, 14)  # shortened after "Night owls" was set
    days = sections(caller().get(f"/forums/{published.id}").get_data(as_text=True))
    assert len(days) == 2 and "Night owls" in days[1]
    api = caller().get(f"/api/v1/forums/{published.id}/programme").json
    assert [day["date"] for day in api["days"]] == ["2027-09-14", "2027-09-15"]


def test_subscribe_link_gives_the_calendar(caller, published):
    html = caller().get(f"/forums/{published.id}").get_data(as_text=True)
    ics = re.search(r'href="http://localhost(/[^"]+)"[^>]*id="subscribe-ics"', html).group(1)
    assert f'href="webcal://localhost{ics}"' in html
    response = caller().get(ics)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).events
    assert sorted(e["summary"] for e in events) == [
        "Energy corridors",
        "Night owls",
        "Opening plenary",
    ]
    # Each event links to its session on this page (once: the API's JSON).
    for event in events:
        path, anchor = str(event["URL"]).removeprefix("http://localhost").split("#")
        assert path == f"/forums/{published.id}" and f'id="{anchor}"' in html


@pytest.mark.parametrize(("lang", "word"), [("en", "Format: "), ("kk", "Формат: ")])
def test_the_subscribe_link_asks_for_the_pages_language(caller, published, lang, word):
    # A calendar program sends no cookie: the link itself says which language.
    anonymous = caller()
    anonymous.client.set_cookie("lang", lang)
    html = anonymous.get(f"/forums/{published.id}").text
    link = re.search(r'href="http://localhost(/[^"]+)"[^>]*id="subscribe-ics"', html).group(1)
    assert link.endswith(f"?lang={lang}")
    events = Calendar.from_ical(caller().get(link).data).events
    assert events and all(word in str(e["DESCRIPTION"]) for e in events)
    assert caller().get(link.replace(f"lang={lang}", "lang=de")).status_code == 422


def test_frab_link_gives_the_schedule(caller, published):
    html = caller().get(f"/forums/{published.id}").get_data(as_text=True)
    frab = re.search(r'href="http://localhost(/[^"]+)"[^>]*id="frab-json"', html).group(1)
    response = caller().get(frab)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json["schedule"]["conference"]["time_zone_name"] == "Asia/Almaty"


@pytest.fixture
def draft(db_session):
    forum = f.ForumFactory(title="Planning draft", status="draft")
    session = scheduled(forum, utc(2027, 9, 14, 6, 0), title="Draft session")
    db_session.flush()
    return forum, session


def test_a_draft_is_404_to_the_public(caller, draft, make_user):
    forum, _ = draft
    for who in (caller(), caller(make_user())):
        response = who.get(f"/forums/{forum.id}")
        assert response.status_code == 404 and response.mimetype == "text/html"
        assert "Planning draft" not in response.get_data(as_text=True)
        assert "Planning draft" not in who.get("/forums").get_data(as_text=True)


def test_a_draft_is_shown_to_organisers_marked(caller, draft, make_user):
    forum, _ = draft
    organiser = caller(make_user("organiser"))
    html = organiser.get(f"/forums/{forum.id}").get_data(as_text=True)
    assert "Planning draft" in html and "Draft session" in html
    assert 'class="draft-banner"' in html
    assert "subscribe-ics" not in html and "frab-json" not in html  # no feeds for a draft
    assert "Planning draft" in organiser.get("/forums").get_data(as_text=True)


def test_a_draft_is_shown_to_an_invited_expert(caller, draft, make_user):
    forum, session = draft
    expert = make_user()
    f.ParticipationFactory(session=session, expert=expert.expert)
    html = caller(expert).get(f"/forums/{forum.id}").get_data(as_text=True)
    assert "Draft session" in html and 'class="draft-banner"' in html


def test_forum_list_upcoming_and_past(caller, published, db_session):
    past = f.ForumFactory(
        title="Long ago",
        year=2019,
        start_date=dt.date(2019, 5, 1),
        end_date=dt.date(2019, 5, 2),
        status="published",
    )
    later = f.ForumFactory(
        title="Later still",
        year=2028,
        start_date=dt.date(2028, 5, 1),
        end_date=dt.date(2028, 5, 2),
        status="published",
    )
    db_session.flush()
    html = caller().get("/forums").get_data(as_text=True)
    upcoming, rest = html.split('id="past"')
    # Upcoming soonest first; the past newest first, the seeded 2023 forum before 2019.
    assert upcoming.index(published.title) < upcoming.index(later.title)
    assert rest.index("XIX Russia–Kazakhstan") < rest.index(past.title)
    assert f'href="/forums/{published.id}"' in html


def test_the_list_filters_as_the_api_does(caller, published):
    html = caller().get("/forums?host_country=RU").get_data(as_text=True)
    assert published.title not in html  # hosted by KZ
    assert published.title in caller().get("/forums?host_country=KZ").get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("year=abc", "1990 бен 2100 аралығындағы жылды енгізіңіз."),
        ("year=1800", "1990 бен 2100 аралығындағы жылды енгізіңіз."),
        ("host_country=Russia", "RU немесе KZ"),
        ("series=0", "Форумдар сериясының нөмірін енгізіңіз."),
    ],
)
def test_a_bad_filter_is_a_400_page_saying_what_is_wrong(caller, published, query, says):
    # Once a bare "bad request" page; now the forums page, listing nothing, says which
    # part of its address is wrong and offers every forum.
    anonymous = caller()
    anonymous.client.set_cookie("lang", "kk")
    response = anonymous.get(f"/forums?{query}")
    assert response.status_code == 400 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="kk"' in html and 'class="error-summary" role="alert"' in html
    assert says in html and 'href="/forums"' in html
    assert published.title not in html


@pytest.mark.parametrize("path", ["/forums/999999", "/forums/0", "/forums/abc"])
def test_no_such_forum_is_a_404_page(caller, path):
    response = caller().get(path)
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_the_nav_links_to_forums(caller):
    assert 'href="/forums"' in caller().get("/").get_data(as_text=True)


def test_past_forums_come_a_page_at_a_time(caller, db_session, monkeypatch):
    from app.forums import pages

    monkeypatch.setattr(pages, "PAST_PER_PAGE", 2)
    for year in (2024, 2025, 2026):  # later than every seeded past edition, all before today
        f.ForumFactory(
            title=f"Forum of {year}",
            year=year,
            host_country="KZ",
            start_date=dt.date(year, 5, 1),
            end_date=dt.date(year, 5, 2),
            status="published",
        )
    db_session.flush()
    first = caller().get("/forums?host_country=KZ").get_data(as_text=True)
    # 2026 and 2025 fill the first page; 2024 and the seeded Kostanay forum (2023) follow.
    assert "Forum of 2026" in first and "Forum of 2025" in first and "Forum of 2024" not in first
    older = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    assert "host_country=KZ" in older and "page=2" in older
    second = caller().get(older).get_data(as_text=True)
    assert "Forum of 2024" in second and "XIX Russia" in second
    assert 'id="upcoming"' not in second
    # Older seeded Kazakh editions (2021, the postponed 2020 one, 2018) come after.
    assert 'rel="next"' in second
    assert 'rel="prev"' in second


@pytest.mark.parametrize("page", ["0", "-1", "x", "10001"])
def test_a_bad_page_is_a_400(caller, page):
    assert caller().get(f"/forums?page={page}").status_code == 400


def test_the_pages_run_a_fixed_number_of_statements(caller, published, count_queries):
    for n in range(5):
        f.ForumFactory(
            title=f"Extra {n}",
            status="published",
            start_date=dt.date(2020, 1, 1 + n),
            end_date=dt.date(2020, 1, 1 + n),
            year=2020,
        )
    anonymous = caller()
    anonymous.get("/forums")  # warm: the first request loads what every request shares
    with count_queries() as counter:
        assert anonymous.get("/forums").status_code == 200
    # Upcoming and past forums, each with country and series joined in.
    assert counter.count == 2, counter.statements
    with count_queries() as counter:
        assert anonymous.get(f"/forums/{published.id}").status_code == 200
    # The forum, its sessions, topics, participations with experts, country, series.
    assert counter.count <= 7, counter.statements


@pytest.mark.parametrize(
    ("lang", "word"), [("en", "Postponed"), ("ru", "Перенесён"), ("kk", "Кейінге қалдырылды")]
)
def test_the_postponed_2020_forum_says_so_in_each_language(caller, db_session, lang, word):
    postponed = db_session.scalars(sa.select(Forum).filter_by(year=2020, state="postponed")).one()
    held = db_session.scalars(sa.select(Forum).filter_by(year=2021, city="Kokshetau")).one()
    anonymous = caller()
    anonymous.client.set_cookie("lang", lang)
    assert word in text(anonymous.get(f"/forums/{postponed.id}").get_data(as_text=True))
    assert word not in text(anonymous.get(f"/forums/{held.id}").get_data(as_text=True))
