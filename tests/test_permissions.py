"""The permission matrix: every route in ``app.url_map``, tried by every kind of caller.

A route without a row fails ``test_every_route_has_a_row``. Each row gives the URL
(filled from the objects the ``world`` fixture makes), a body, and the status each
caller gets: anonymous, the owning expert, another expert, an organiser, an admin,
and the owner's read-only and read-write tokens.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from app.accounts.services import create_token
from app.models import Expert, ProfileClaim, Region, TokenScope, Topic
from tests import factories as f
from tests.conftest import PASSWORD

ACTORS = ("anon", "owner", "other", "organiser", "admin", "read_token", "write_token")
_emails = itertools.count()


def statuses(anon, owner, other, organiser, admin, read_token, write_token) -> dict[str, int]:
    return dict(
        zip(ACTORS, (anon, owner, other, organiser, admin, read_token, write_token), strict=True)
    )


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(ACTORS, status)


@dataclass
class Row:
    method: str
    rule: str
    expected: dict[str, int]
    url: str | None = None  # the rule with its ids filled, e.g. "/api/v1/experts/{owner_expert}"
    body: Any = None  # a dict, or a callable taking the world for a fresh body each time
    extra: dict[str, Any] = field(default_factory=dict)


ADMIN_ONLY = statuses(401, 403, 403, 403, 200, 403, 403)
LOGGED_IN = statuses(401, 200, 200, 200, 200, 200, 200)
WRITE = statuses(401, 201, 201, 201, 201, 403, 201)
# The owner's tokens belong to an expert, who may not edit the directory.
ORGANISER_CREATES = statuses(401, 403, 403, 201, 201, 403, 403)
ORGANISER_EDITS = statuses(401, 403, 403, 200, 200, 403, 403)
ORGANISER_DELETES = statuses(401, 403, 403, 204, 204, 403, 403)
STAFF_READS = statuses(401, 403, 403, 200, 200, 403, 403)
# The world's forum and session are drafts: the owner is invited to the session, so they
# (and their tokens) see them with organisers and admins; to anyone else they don't exist.
DRAFT_READS = statuses(404, 200, 404, 200, 200, 200, 200)

ROWS = [
    Row("GET", "/api/v1/health", everyone(200)),
    Row("GET", "/api/v1/health/live", everyone(200)),
    Row("GET", "/api/v1/health/ready", everyone(200)),
    Row("GET", "/api/v1/openapi.json", everyone(200)),
    Row("GET", "/api/v1/docs", everyone(200)),
    Row(
        "GET",
        "/api/v1/docs/assets/<path:filename>",
        everyone(200),
        url="/api/v1/docs/assets/swagger-ui.css",
    ),
    Row("GET", "/api/v1/auth/csrf", everyone(200)),
    Row(
        "POST",
        "/api/v1/auth/login",
        statuses(200, 200, 200, 200, 200, 403, 200),
        body=lambda w: {"email": w.owner.email, "password": PASSWORD},
    ),
    Row("POST", "/api/v1/auth/logout", statuses(401, 204, 204, 204, 204, 403, 204)),
    Row("GET", "/api/v1/auth/me", LOGGED_IN),
    Row(
        "POST",
        "/api/v1/auth/password",
        statuses(401, 200, 200, 200, 200, 403, 200),
        body={"current_password": PASSWORD, "new_password": "a-different-passphrase"},
    ),
    Row(
        "POST",
        "/api/v1/auth/register",
        statuses(201, 201, 201, 201, 201, 403, 201),
        body=lambda w: {
            "email": f"new{next(_emails)}@example.org",
            "password": PASSWORD,
            "full_name": "Новый эксперт",
            "country": "RU",
        },
    ),
    Row("GET", "/api/v1/auth/tokens", LOGGED_IN),
    Row("POST", "/api/v1/auth/tokens", WRITE, body={"name": "script"}),
    Row(
        "DELETE",
        "/api/v1/auth/tokens/<int:token_id>",
        statuses(401, 204, 404, 404, 404, 403, 204),
        url="/api/v1/auth/tokens/{token}",
    ),
    Row("GET", "/api/v1/claims", LOGGED_IN),
    Row(
        "GET",
        "/api/v1/claims/<int:claim_id>",
        statuses(401, 200, 404, 404, 200, 200, 200),
        url="/api/v1/claims/{claim}",
    ),
    Row(
        "POST",
        "/api/v1/claims/<int:claim_id>/approve",
        ADMIN_ONLY,
        url="/api/v1/claims/{claim}/approve",
        body={},
    ),
    Row(
        "POST",
        "/api/v1/claims/<int:claim_id>/reject",
        ADMIN_ONLY,
        url="/api/v1/claims/{claim}/reject",
        body={},
    ),
    Row(
        "GET",
        "/api/v1/experts/<int:expert_id>",
        everyone(200),
        url="/api/v1/experts/{owner_expert}",
    ),
    Row(
        "PATCH",
        "/api/v1/experts/<int:expert_id>",
        statuses(401, 200, 403, 403, 200, 403, 200),
        url="/api/v1/experts/{owner_expert}",
        body={"biography": "Edited."},
    ),
    Row(
        "POST",
        "/api/v1/experts/<int:expert_id>/claim",
        WRITE,
        url="/api/v1/experts/{claimable}/claim",
        body={},
    ),
    Row("GET", "/api/v1/users", ADMIN_ONLY),
    Row("GET", "/api/v1/users/<int:user_id>", ADMIN_ONLY, url="/api/v1/users/{user}"),
    Row(
        "PATCH",
        "/api/v1/users/<int:user_id>",
        ADMIN_ONLY,
        url="/api/v1/users/{user}",
        body={"role": "organiser"},
    ),
    Row("GET", "/api/v1/audit", ADMIN_ONLY),
]


# The directory: reading is public, organisers and admins write.
ROWS += [
    Row("GET", "/api/v1/countries", everyone(200)),
    Row(
        "GET",
        "/api/v1/countries/<string(length=2):code>",
        everyone(200),
        url="/api/v1/countries/KZ",
    ),
    Row("GET", "/api/v1/regions", everyone(200)),
    Row("GET", "/api/v1/regions/<int:region_id>", everyone(200), url="/api/v1/regions/{region}"),
    Row("GET", "/api/v1/topics", everyone(200)),
    Row("GET", "/api/v1/topics/<int:topic_id>", everyone(200), url="/api/v1/topics/{topic}"),
    Row("GET", "/api/v1/centres", everyone(200)),
    Row(
        "POST",
        "/api/v1/centres",
        ORGANISER_CREATES,
        body=lambda w: {"name_en": f"Centre {next(_emails)}", "country": "KZ", "kind": "ngo"},
    ),
    Row("GET", "/api/v1/centres/<int:centre_id>", everyone(200), url="/api/v1/centres/{centre}"),
    Row(
        "PATCH",
        "/api/v1/centres/<int:centre_id>",
        ORGANISER_EDITS,
        url="/api/v1/centres/{centre}",
        body={"city": "Oral"},
    ),
    Row(
        "DELETE",
        "/api/v1/centres/<int:centre_id>",
        ORGANISER_DELETES,
        url="/api/v1/centres/{centre}",
    ),
    Row("GET", "/api/v1/experts", everyone(200)),
    Row(
        "POST",
        "/api/v1/experts",
        ORGANISER_CREATES,
        body=lambda w: {"full_name": f"Expert {next(_emails)}", "country": "RU"},
    ),
    Row(
        "DELETE",
        "/api/v1/experts/<int:expert_id>",
        ORGANISER_DELETES,
        url="/api/v1/experts/{claimable}",
    ),
    Row("GET", "/api/v1/publications", everyone(200)),
    Row(
        "POST",
        "/api/v1/publications",
        ORGANISER_CREATES,
        body=lambda w: {"title": f"Work {next(_emails)}", "kind": "article", "year": 2024},
    ),
    Row(
        "GET",
        "/api/v1/publications/<int:publication_id>",
        everyone(200),
        url="/api/v1/publications/{publication}",
    ),
    Row(
        "PATCH",
        "/api/v1/publications/<int:publication_id>",
        ORGANISER_EDITS,
        url="/api/v1/publications/{publication}",
        body={"venue": "Regnum"},
    ),
    Row(
        "DELETE",
        "/api/v1/publications/<int:publication_id>",
        ORGANISER_DELETES,
        url="/api/v1/publications/{publication}",
    ),
    Row(
        "POST",
        "/api/v1/experts/<int:expert_id>/merge",
        ADMIN_ONLY,
        url="/api/v1/experts/{claimable}/merge",
        body=lambda w: {"into": w.ids["spare_expert"]},
    ),
    Row(
        "POST",
        "/api/v1/centres/<int:centre_id>/merge",
        ADMIN_ONLY,
        url="/api/v1/centres/{centre}/merge",
        body=lambda w: {"into": w.centre_pair[1]},
    ),
    Row(
        "POST",
        "/api/v1/publications/import",
        ORGANISER_CREATES,
        url="/api/v1/publications/import?format=bibtex",
        extra={"data": "@misc{m, title={Matrix}, year={2024}}", "content_type": "text/plain"},
    ),
    Row("GET", "/api/v1/forum-series", everyone(200)),
    Row(
        "POST",
        "/api/v1/forum-series",
        ORGANISER_CREATES,
        body=lambda w: {
            "slug": f"series-{next(_emails)}",
            "name_en": "Series",
            "host_rule": "free",
        },
    ),
    Row(
        "GET",
        "/api/v1/forum-series/<int:series_id>",
        everyone(200),
        url="/api/v1/forum-series/{series}",
    ),
    Row("GET", "/api/v1/forums", everyone(200)),
    Row(
        "POST",
        "/api/v1/forums",
        ORGANISER_CREATES,
        body={
            "title": "Roundtable",
            "year": 2027,
            "host_country": "KZ",
            "start_date": "2027-05-01",
            "end_date": "2027-05-01",
            "timezone": "Asia/Almaty",
        },
    ),
    Row("GET", "/api/v1/forums/<int:forum_id>", DRAFT_READS, url="/api/v1/forums/{forum}"),
    Row(
        "PATCH",
        "/api/v1/forums/<int:forum_id>",
        ORGANISER_EDITS,
        url="/api/v1/forums/{forum}",
        body={"city": "Omsk"},
    ),
    Row("DELETE", "/api/v1/forums/<int:forum_id>", ORGANISER_DELETES, url="/api/v1/forums/{forum}"),
    Row(
        "POST",
        "/api/v1/forums/<int:forum_id>/next-edition",
        ORGANISER_CREATES,
        url="/api/v1/forums/{forum}/next-edition",
    ),
    Row(
        "GET",
        "/api/v1/forums/<int:forum_id>/rooms",
        DRAFT_READS,
        url="/api/v1/forums/{forum}/rooms",
    ),
    Row(
        "POST",
        "/api/v1/forums/<int:forum_id>/rooms",
        ORGANISER_CREATES,
        url="/api/v1/forums/{forum}/rooms",
        body={"name": "Hall B", "capacity": 80},
    ),
    Row(
        "GET",
        "/api/v1/forums/<int:forum_id>/sessions",
        DRAFT_READS,
        url="/api/v1/forums/{forum}/sessions",
    ),
    Row(
        "POST",
        "/api/v1/forums/<int:forum_id>/sessions",
        ORGANISER_CREATES,
        url="/api/v1/forums/{forum}/sessions",
        body={"title": "Panel", "format": "panel"},
    ),
    Row("GET", "/api/v1/sessions/<int:session_id>", DRAFT_READS, url="/api/v1/sessions/{session}"),
    Row(
        "PATCH",
        "/api/v1/sessions/<int:session_id>",
        ORGANISER_EDITS,
        url="/api/v1/sessions/{session}",
        body={"title": "Renamed"},
    ),
    Row(
        "DELETE",
        "/api/v1/sessions/<int:session_id>",
        ORGANISER_DELETES,
        url="/api/v1/sessions/{session}",
    ),
    Row(
        "GET",
        "/api/v1/sessions/<int:session_id>/participants",
        statuses(401, 403, 403, 200, 200, 403, 403),
        url="/api/v1/sessions/{session}/participants",
    ),
    Row(
        "POST",
        "/api/v1/sessions/<int:session_id>/participants",
        ORGANISER_CREATES,
        url="/api/v1/sessions/{session}/participants",
        body=lambda w: {"expert_id": w.ids["spare_expert"], "role": "speaker"},
    ),
    Row("GET", "/api/v1/me/invitations", LOGGED_IN),
    # The invitation is the owner's: only they (and their write token) answer it.
    Row(
        "POST",
        "/api/v1/invitations/<int:participation_id>/<any(accept, decline):answer>",
        statuses(401, 200, 404, 404, 404, 403, 200),
        url="/api/v1/invitations/{invitation}/accept",
    ),
    Row(
        "POST",
        "/api/v1/invitations/<int:participation_id>/reopen",
        statuses(401, 403, 403, 409, 409, 403, 403),
        url="/api/v1/invitations/{invitation}/reopen",
    ),
    Row("GET", "/api/v1/rooms/<int:room_id>", DRAFT_READS, url="/api/v1/rooms/{room}"),
    Row(
        "PATCH",
        "/api/v1/rooms/<int:room_id>",
        ORGANISER_EDITS,
        url="/api/v1/rooms/{room}",
        body={"capacity": 90},
    ),
    Row("DELETE", "/api/v1/rooms/<int:room_id>", ORGANISER_DELETES, url="/api/v1/rooms/{room}"),
    # Availability and one's own calendar need an expert profile, which staff here lack;
    # the draft forum does not exist for the expert not invited to it.
    Row(
        "GET",
        "/api/v1/me/forums/<int:forum_id>/availability",
        statuses(401, 200, 404, 409, 409, 200, 200),
        url="/api/v1/me/forums/{forum}/availability",
    ),
    Row(
        "PUT",
        "/api/v1/me/forums/<int:forum_id>/availability",
        statuses(401, 200, 404, 409, 409, 403, 200),
        url="/api/v1/me/forums/{forum}/availability",
        body={"windows": []},
    ),
    # Organisers and admins hold no profile: their feed is empty, not an error.
    Row("GET", "/api/v1/me/schedule.ics", LOGGED_IN),
    Row(
        "GET",
        "/api/v1/forums/<int:forum_id>/conflicts",
        statuses(401, 403, 403, 200, 200, 403, 403),
        url="/api/v1/forums/{forum}/conflicts",
    ),
    Row(
        "POST",
        "/api/v1/forums/<int:forum_id>/schedule/solve",
        statuses(401, 403, 403, 202, 202, 403, 403),
        url="/api/v1/forums/{forum}/schedule/solve",
        body={"apply": False, "time_limit_seconds": 2},
    ),
    # A job: its owner (an expert here), organisers and admins; others are told nothing.
    Row(
        "GET",
        "/api/v1/jobs/<uuid:job_id>",
        statuses(401, 200, 404, 200, 200, 200, 200),
        url="/api/v1/jobs/{job}",
    ),
    Row(
        "DELETE",
        "/api/v1/jobs/<uuid:job_id>",
        statuses(401, 200, 404, 200, 200, 403, 200),
        url="/api/v1/jobs/{job}",
    ),
    # An export's file: as its job.
    Row(
        "GET",
        "/api/v1/jobs/<uuid:job_id>/result",
        statuses(401, 200, 404, 200, 200, 200, 200),
        url="/api/v1/jobs/{export_job}/result",
    ),
    Row(
        "POST",
        "/api/v1/forums/<int:forum_id>/publish",
        ORGANISER_EDITS,
        url="/api/v1/forums/{forum}/publish",
    ),
    Row(
        "GET",
        "/api/v1/forums/<int:forum_id>/programme",
        everyone(200),
        url="/api/v1/forums/{published}/programme",
    ),
    Row(
        "GET",
        "/api/v1/forums/<int:forum_id>/schedule.ics",
        everyone(200),
        url="/api/v1/forums/{published}/schedule.ics",
    ),
    Row(
        "GET",
        "/api/v1/forums/<int:forum_id>/schedule.json",
        everyone(200),
        url="/api/v1/forums/{published}/schedule.json",
    ),
    *(
        Row("GET", f"/api/v1/reports/{name}", STAFF_READS)
        for name in (
            "coverage",
            "gaps",
            "topics",
            "regions",
            "trend",
            "visibility",
            "generations",
            "systematic",
            "findings",
        )
    ),
    Row(
        "GET",
        "/api/v1/reports/coverage.<any(png, svg):fmt>",
        STAFF_READS,
        url="/api/v1/reports/coverage.svg",
    ),
    Row("GET", "/api/v1/reports/trend.png", STAFF_READS),
    Row("GET", "/api/v1/reports/recommendations", STAFF_READS),
    Row(
        "POST",
        "/api/v1/reports/recommendations/apply",
        ORGANISER_CREATES,
        body=lambda w: {
            "forum_id": w.ids["forum"],
            "title": "Energy: a first roundtable",
            "format": "roundtable",
            "participants": [
                {"expert_id": w.ids["spare_expert"], "role": "speaker"},
                {"expert_id": w.ids["claimable"], "role": "speaker"},
            ],
        },
    ),
    Row("GET", "/api/v1/projects", everyone(200)),
    Row(
        "POST",
        "/api/v1/projects",
        ORGANISER_CREATES,
        body=lambda w: {
            "title": "Joint roundtable",
            "kind": "roundtable",
            "start_date": "2025-05-01",
            "centre_ids": w.centre_pair,
        },
    ),
    Row(
        "GET", "/api/v1/projects/<int:project_id>", everyone(200), url="/api/v1/projects/{project}"
    ),
    Row(
        "PATCH",
        "/api/v1/projects/<int:project_id>",
        ORGANISER_EDITS,
        url="/api/v1/projects/{project}",
        body={"description": "Edited."},
    ),
    Row(
        "DELETE",
        "/api/v1/projects/<int:project_id>",
        ORGANISER_DELETES,
        url="/api/v1/projects/{project}",
    ),
]


# Pages: public; the language form is a write, so a read-only token may not post it.
ROWS += [
    Row("GET", "/", everyone(200)),
    Row("GET", "/search", everyone(200), url="/search?q=shibutov"),
    Row(
        "POST",
        "/language",
        statuses(303, 303, 303, 303, 303, 403, 303),
        extra={"data": {"lang": "ru", "next": "/search"}},
    ),
    Row("GET", "/static/<path:filename>", everyone(200), url="/static/site.css"),
    Row("GET", "/forums", everyone(200)),
    # The world's forum is a draft: seen as the API's DRAFT_READS say.
    Row("GET", "/forums/<int:forum_id>", DRAFT_READS, url="/forums/{forum}"),
]

# Account pages: anyone may register, log in and ask for links; a read-only token may
# post no form. /account sends the anonymous to log in.
PAGE_WRITE = statuses(200, 200, 200, 200, 200, 403, 200)
ACCOUNT_FORM = statuses(303, 303, 303, 303, 303, 403, 303)
ROWS += [
    Row("GET", "/register", everyone(200)),
    Row(
        "POST",
        "/register",
        PAGE_WRITE,
        extra={
            "data": {
                "email": "page-new@example.org",
                "password": PASSWORD,
                "full_name": "Новый эксперт",
                "country": "RU",
            }
        },
    ),
    Row("GET", "/verify/<token>", everyone(410), url="/verify/not-a-token"),
    Row("POST", "/verify/resend", PAGE_WRITE, extra={"data": {"email": "x@example.org"}}),
    Row("GET", "/login", everyone(200)),
    Row(
        "POST",
        "/login",
        ACCOUNT_FORM,
        extra={"data": {"email": "{owner_email}", "password": PASSWORD}},
    ),
    Row("POST", "/logout", ACCOUNT_FORM),
    Row("GET", "/password-reset", everyone(200)),
    Row("POST", "/password-reset", PAGE_WRITE, extra={"data": {"email": "x@example.org"}}),
    Row("GET", "/password-reset/<token>", everyone(410), url="/password-reset/not-a-token"),
    Row(
        "POST",
        "/password-reset/<token>",
        statuses(410, 410, 410, 410, 410, 403, 410),
        url="/password-reset/not-a-token",
        extra={"data": {"password": "a-different-passphrase"}},
    ),
    Row("GET", "/account", statuses(302, 200, 200, 200, 200, 200, 200)),
    Row(
        "POST",
        "/account/password",
        statuses(303, 200, 200, 200, 200, 403, 200),
        extra={"data": {"current_password": PASSWORD, "new_password": "a-different-passphrase"}},
    ),
    Row("POST", "/account/language", ACCOUNT_FORM, extra={"data": {"language": "ru"}}),
    Row(
        "POST",
        "/account/email",
        statuses(303, 200, 200, 200, 200, 403, 200),
        extra={"data": {"new_email": "moved@example.org", "email_password": PASSWORD}},
    ),
    Row("GET", "/account/email/<token>", everyone(410), url="/account/email/not-a-token"),
    Row(
        "POST",
        "/account/tokens",
        statuses(303, 201, 201, 201, 201, 403, 201),
        extra={"data": {"name": "script", "scopes": "read", "expires_in_days": "30"}},
    ),
    Row(
        "POST",
        "/account/tokens/<int:token_id>/revoke",
        statuses(303, 303, 404, 404, 404, 403, 303),
        url="/account/tokens/{token}/revoke",
    ),
    Row("GET", "/account/invitations", statuses(302, 200, 200, 200, 200, 200, 200)),
    # To your profile's edit page, or (without one) back to the account.
    Row("GET", "/account/profile", statuses(302, 302, 302, 302, 302, 302, 302)),
    # As PATCH /api/v1/experts/<id>: the owner, admins, organisers for profiles nobody owns.
    Row(
        "GET",
        "/experts/<int:expert_id>/edit",
        statuses(302, 200, 403, 403, 200, 200, 200),
        url="/experts/{owner_expert}/edit",
    ),
    # Without the rows and version the page's form carries, a save is refused (400).
    Row(
        "POST",
        "/experts/<int:expert_id>/edit",
        statuses(303, 400, 403, 403, 400, 403, 400),
        url="/experts/{owner_expert}/edit",
        extra={"data": {"full_name": "Edited"}},
    ),
    # As the API's answer: only the invited expert (and their write token) answers.
    Row(
        "POST",
        "/account/invitations/<int:participation_id>/<any(accept, decline):answer>",
        statuses(303, 303, 404, 404, 404, 403, 303),
        url="/account/invitations/{invitation}/accept",
    ),
]
# The directory's pages: public reading, as the API's lists and records.
ROWS += [
    Row("GET", "/experts", everyone(200), url="/experts?q=shibutov&country=KZ"),
    Row("GET", "/experts/<int:expert_id>", everyone(200), url="/experts/{owner_expert}"),
    Row("GET", "/centres", everyone(200), url="/centres?country=RU&page=1"),
    Row("GET", "/centres/<int:centre_id>", everyone(200), url="/centres/{centre}"),
    Row("GET", "/publications", everyone(200), url="/publications?year_from=2000"),
    Row(
        "GET",
        "/publications/<int:publication_id>",
        everyone(200),
        url="/publications/{publication}",
    ),
]


class World:
    """The objects the matrix's URLs point at, and one caller per actor."""

    def __init__(self, make_user, caller, db_session):
        self.owner = make_user()
        self.other = make_user()
        users = {
            "owner": self.owner,
            "other": self.other,
            "organiser": make_user("organiser"),
            "admin": make_user("admin"),
        }
        _, read = create_token(self.owner, "read", [TokenScope.READ], 30)
        _, write = create_token(self.owner, "write", [TokenScope.WRITE], 30)
        token, _ = create_token(self.owner, "to revoke", [TokenScope.READ], 30)
        unowned = db_session.scalars(sa.select(Expert).filter_by(full_name="Askar Nursha")).one()
        claim = ProfileClaim(user=self.owner, expert_id=unowned.id)
        db_session.add(claim)
        db_session.flush()
        centres = [f.CentreFactory(country_code="RU"), f.CentreFactory(country_code="KZ")]
        self.centre_pair = [c.id for c in centres]
        project = f.ProjectCentreFactory(centre=centres[0]).project
        self.ids = {
            "owner_expert": self.owner.expert.id,
            "token": token.id,
            "claim": claim.id,
            "claimable": f.ExpertFactory().id,
            "user": self.other.id,
            "region": db_session.scalars(sa.select(Region.id)).first(),
            "topic": db_session.scalars(sa.select(Topic.id)).first(),
            "centre": centres[0].id,
            "publication": f.PublicationFactory().id,
            "project": project.id,
            "spare_expert": f.ExpertFactory().id,
            "forum": (forum := f.ForumFactory()).id,
            "series": forum.series_id,
            "session": (session := f.SessionFactory(forum=forum)).id,
            "invitation": f.ParticipationFactory(session=session, expert=self.owner.expert).id,
            "room": f.RoomFactory(forum=forum).id,
            "published": f.ForumFactory(status="published").id,
            "job": f.JobFactory(owner=self.owner).id,
            "export_job": f.JobFileFactory(owner=self.owner).job_id,
        }
        self.callers = {name: caller(user) for name, user in users.items()}
        self.callers.update(
            anon=caller(), read_token=caller(token=read), write_token=caller(token=write)
        )


@pytest.fixture
def world(make_user, caller, db_session) -> World:
    return World(make_user, caller, db_session)


def test_every_route_has_a_row(app):
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    covered = {(row.method, row.rule) for row in ROWS}
    assert routes - covered == set(), "routes without a row in the permission matrix"
    assert covered - routes == set(), "rows for routes that do not exist"


def _filled(extra: dict[str, Any], world: World) -> dict[str, Any]:
    """A row's extra arguments, with ``{owner_email}`` in form fields filled in."""
    if not isinstance(extra.get("data"), dict):
        return dict(extra)
    data = {k: v.format(owner_email=world.owner.email) for k, v in extra["data"].items()}
    return {**extra, "data": data}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.rule}")
def test_permission_matrix(world, row, actor):
    url = (row.url or row.rule).format(**world.ids)
    body = row.body(world) if callable(row.body) else row.body
    kwargs = {"json": body} if body is not None else _filled(row.extra, world)
    response = world.callers[actor].open(row.method, url, **kwargs)
    with response:
        assert response.status_code == row.expected[actor], response.get_data(as_text=True)[:300]
