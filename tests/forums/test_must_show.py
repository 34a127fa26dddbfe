"""The organiser's whole path through a forum, over HTTP, on the seeded report data:
next edition, rooms, sessions, invitations, conflicts, the solver, publishing, exports."""

from __future__ import annotations

import json
import pathlib

import icalendar
import jsonschema
import sqlalchemy as sa

from app.models import Forum, ForumSeries
from tests.forums.test_scheduling import WAIT

SCHEMA_PATH = pathlib.Path(__file__).parents[1] / "data" / "frab-schedule.schema.json"


def _first_edition(db_session) -> Forum:
    series = db_session.scalars(
        sa.select(ForumSeries).filter_by(slug="strategic-cooperation-forum")
    ).one()
    return next(forum for forum in series.forums if forum.edition == 1)


def test_an_organiser_runs_a_forum_end_to_end(db_session, caller, make_user):  # noqa: PLR0915 one story, in order
    organiser = caller(make_user("organiser"))
    first = _first_edition(db_session)

    # The next edition goes to the other country.
    nxt = organiser.post(f"/api/v1/forums/{first.id}/next-edition").get_json()
    assert (nxt["host_country"], nxt["year"], nxt["timezone"]) == ("KZ", 2028, "Asia/Almaty")
    assert (nxt["start_date"], nxt["end_date"]) == ("2028-09-12", "2028-09-13")  # Tue-Wed again
    forum = nxt["id"]

    for name, capacity in (("Main hall", 300), ("Room A", 60)):
        assert (
            organiser.post(
                f"/api/v1/forums/{forum}/rooms", json={"name": name, "capacity": capacity}
            ).status_code
            == 201
        )

    sessions = [
        organiser.post(
            f"/api/v1/forums/{forum}/sessions",
            json={"title": title, "format": fmt, "duration_minutes": 60, "expected_audience": n},
        ).get_json()["id"]
        for title, fmt, n in (
            ("Opening plenary", "plenary", 250),
            ("Transit corridors", "panel", 50),
            ("Water of the Irtysh", "roundtable", 40),
            ("The new Kazakh elites", "panel", 50),
            ("Energy", "workshop", 30),
            ("Border regions", "panel", 40),
        )
    ]

    # Six experts, three from each side, each with an account to answer invitations.
    people = {}
    for i, country in enumerate(("RU", "RU", "RU", "KZ", "KZ", "KZ")):
        user = make_user()
        user.expert.country_code = country
        people[i] = (user.expert.id, caller(user))
    db_session.flush()

    def invite(session_id, who, role="speaker"):
        response = organiser.post(
            f"/api/v1/sessions/{session_id}/participants",
            json={"expert_id": people[who][0], "role": role},
        )
        assert response.status_code == 201
        return response.get_json()["id"]

    answers = []
    for index, session_id in enumerate(sessions):
        answers.append((invite(session_id, index % 3), index % 3))  # a Russian speaker
        answers.append((invite(session_id, 3 + index % 3), 3 + index % 3))  # a Kazakh one
    declined = invite(sessions[5], 4, "discussant")
    for invitation, who in answers:
        assert people[who][1].post(f"/api/v1/invitations/{invitation}/accept").status_code == 200
    assert people[4][1].post(f"/api/v1/invitations/{declined}/decline").status_code == 200

    # Two sessions at one time with a shared speaker, and one Kazakh speaker who withdraws.
    def place(session_id, start):
        etag = organiser.get(f"/api/v1/sessions/{session_id}").headers["ETag"]
        response = organiser.patch(
            f"/api/v1/sessions/{session_id}", json={"start": start}, headers={"If-Match": etag}
        )
        assert response.status_code == 200, response.get_json()

    place(sessions[0], "2028-09-12T09:00")
    place(sessions[3], "2028-09-12T09:00")  # speakers 0 and 3, as in session 0
    withdrawn = answers[3][0]  # the Kazakh speaker of session 1
    assert organiser.post(f"/api/v1/invitations/{withdrawn}/reopen").status_code == 200

    report = organiser.get(f"/api/v1/forums/{forum}/conflicts").get_json()
    kinds = {c["kind"] for c in report["conflicts"]}
    assert {"expert_double_booked", "bilateral_parity"} <= kinds
    assert organiser.post(f"/api/v1/forums/{forum}/publish").status_code == 409

    # Fix them: unschedule the clash, and the speaker accepts again.
    etag = organiser.get(f"/api/v1/sessions/{sessions[3]}").headers["ETag"]
    organiser.patch(
        f"/api/v1/sessions/{sessions[3]}", json={"start": None}, headers={"If-Match": etag}
    )
    assert people[4][1].post(f"/api/v1/invitations/{withdrawn}/accept").status_code == 200

    preview = organiser.post(
        f"/api/v1/forums/{forum}/schedule/solve", json={"apply": False}, headers=WAIT
    )
    assert preview.status_code == 200, preview.get_json()
    assert preview.get_json()["status"] in {"optimal", "feasible"}
    assert len(preview.get_json()["placements"]) == 5
    solved = organiser.post(
        f"/api/v1/forums/{forum}/schedule/solve",
        json={"apply": True, "time_limit_seconds": 5},
        headers=WAIT,
    )
    assert solved.status_code == 200 and solved.get_json()["applied"] is True
    assert organiser.get(f"/api/v1/forums/{forum}/conflicts").get_json()["hard"] == 0

    published = organiser.post(f"/api/v1/forums/{forum}/publish")
    assert published.status_code == 200, published.get_json()
    assert published.get_json()["published_sessions"] == 6

    anonymous = caller()
    ics = anonymous.get(f"/api/v1/forums/{forum}/schedule.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    events = icalendar.Calendar.from_ical(ics.data).walk("VEVENT")
    assert len(events) == 6
    assert {str(e["DTSTART"].params["TZID"]) for e in events} == {"Asia/Almaty"}

    frab = anonymous.get(f"/api/v1/forums/{forum}/schedule.json")
    assert frab.status_code == 200
    schedule = json.loads(frab.data)
    validator = jsonschema.Draft6Validator(
        json.loads(SCHEMA_PATH.read_text()),
        format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER,
    )
    validator.validate(schedule)
    events = [
        e
        for day in schedule["schedule"]["conference"]["days"]
        for room in day["rooms"].values()
        for e in room
    ]
    assert sorted(e["id"] for e in events) == sorted(sessions)

    mine = people[0][1].get("/api/v1/me/schedule.ics")
    assert mine.status_code == 200
    assert len(icalendar.Calendar.from_ical(mine.data).walk("VEVENT")) == 2
