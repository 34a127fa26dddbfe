"""A published forum's programme in a browser: sessions by day in the forum's zone, the
visitor's own offset noted by the page's script, and a subscribe link that gives a calendar."""

from __future__ import annotations

import pytest

from tests.browser import programme

pytestmark = pytest.mark.browser

FETCH = """
    const done = arguments[arguments.length - 1];
    fetch(arguments[0]).then(async r => done([r.status, r.headers.get("content-type"),
                                               await r.text()]));
"""
# Moscow is two hours behind Astana (Asia/Almaty, UTC+5) in October 2027.
OFFSET_NOTE = {
    "en": "Your time zone is UTC+3: 2 hours behind the forum’s.",
    "ru": "Ваш часовой пояс — UTC+3: ваше время отстаёт от времени форума на 2 часа.",
    "kk": "Сіздің уақыт белдеуіңіз — UTC+3: сіздің уақытыңыз форум уақытынан 2 сағат артта.",
}


def days(site) -> list[tuple[str, list[str]]]:
    found = []
    for section in site.driver.find_elements("css selector", "section.programme-day"):
        heading = section.find_element("css selector", "h2").text
        # CLDR puts a narrow no-break space before "AM".
        times = [
            p.text.replace("\u202f", " ")
            for p in section.find_elements("css selector", ".session-time")
        ]
        found.append((heading, times))
    return found


@pytest.fixture
def in_moscow(site):
    site.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Europe/Moscow"})
    yield site
    site.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})


def test_the_programme_shows_sessions_by_day(in_moscow):
    site = in_moscow
    site.open(programme.PATH)
    assert site.h1() == "Russia–Kazakhstan Expert Dialogue"
    assert days(site) == [
        ("Tuesday, October 5, 2027", ["10:00 AM–11:30 AM", "12:00 PM–1:30 PM"]),
        ("Wednesday, October 6, 2027", ["10:00 AM–11:30 AM"]),
    ]
    zone = site.driver.find_element("id", "zone-note").text
    assert zone == "Times are in Asia/Almaty (UTC+5)."


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_visitors_offset_is_noted(in_moscow, lang):
    site = in_moscow
    site.open(programme.PATH, lang=lang)
    note = site.wait_until(
        lambda d: (
            d.find_element("id", "viewer-offset").is_displayed()
            and d.find_element("id", "viewer-offset")
        )
    )
    assert note.text == OFFSET_NOTE[lang]


def test_the_subscribe_link_fetches_a_calendar(site):
    site.open(programme.PATH)
    link = site.driver.find_element("id", "subscribe-ics")
    status, mimetype, body = site.driver.execute_async_script(FETCH, link.get_attribute("href"))
    assert status == 200 and mimetype.startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR") and body.count("BEGIN:VEVENT") == 3
    assert "Транзитные и энергетические коридоры" in body.replace("\r\n ", "")
    frab = site.driver.find_element("id", "frab-json").get_attribute("href")
    status, mimetype, _ = site.driver.execute_async_script(FETCH, frab)
    assert status == 200 and mimetype.startswith("application/json")
