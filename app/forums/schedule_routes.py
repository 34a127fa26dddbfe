"""Scheduling a forum: availability, conflicts, the solver, publishing, the public
programme and its calendar exports."""

from __future__ import annotations

import json

from flask import Response, request
from flask.views import MethodView

from app.accounts.auth import calendar_feed
from app.core.api import Blueprint
from app.core.i18n import language
from app.core.permissions import require_organiser, require_user, user
from app.forums import availability, calendar, conflicts, publishing, solve_job, visibility
from app.forums.models import Forum
from app.forums.schemas import (
    AvailabilitySchema,
    ConflictQuerySchema,
    ConflictReportSchema,
    FeedLanguageSchema,
    FeedQuerySchema,
    ProgrammeSchema,
    PublishResultSchema,
    SolveResultSchema,
    SolveSchema,
)
from app.jobs import http as jobs_http
from app.jobs.schemas import JobSchema

blp = Blueprint(
    "schedule",
    __name__,
    url_prefix="/api/v1",
    description="Availability, conflicts, the timetable solver, publishing and exports.",
)


def _file_doc(mimetype: str, description: str) -> dict:
    schema = {"type": "object"} if mimetype.endswith("json") else {"type": "string"}
    return {
        "responses": {
            "200": {"description": description, "content": {mimetype: {"schema": schema}}}
        }
    }


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _forum(forum_id: int) -> Forum:
    """The forum, as the caller may see it: a draft is 404 but to organisers and invitees."""
    return visibility.forum_or_404(user(), forum_id)


@blp.route("/me/forums/<int:forum_id>/availability")
class MyAvailability(MethodView):
    @blp.response(200, AvailabilitySchema)
    def get(self, forum_id):
        """When you can take part in this forum; no windows means any time."""
        expert = availability.own_expert(require_user())
        forum = _forum(forum_id)
        windows = availability.availability(forum, expert)
        return {"forum_id": forum.id, "expert_id": expert.id, "windows": windows}

    @blp.arguments(AvailabilitySchema)
    @blp.response(200, AvailabilitySchema)
    def put(self, data, forum_id):
        """Replace your availability for this forum (times in the forum's zone)."""
        expert = availability.own_expert(require_user())
        forum = _forum(forum_id)
        windows = availability.set_availability(forum, expert, data["windows"])
        return {"forum_id": forum.id, "expert_id": expert.id, "windows": windows}


@blp.route("/forums/<int:forum_id>/conflicts")
class Conflicts(MethodView):
    @blp.arguments(ConflictQuerySchema, location="query")
    @blp.response(200, ConflictReportSchema)
    def get(self, query, forum_id):
        """Double bookings, room clashes, capacity, availability, hours and bilateral
        parity; ``hard`` conflicts block publishing (organisers)."""
        require_organiser()
        forum = _forum(forum_id)
        findings = conflicts.report(forum)
        found = [
            f
            for f in findings
            if query.get("kind", f.kind) == f.kind
            and query.get("severity", f.severity) == f.severity
        ]
        return {
            "forum_id": forum_id,
            "hard": sum(f.severity == conflicts.HARD for f in findings),
            "warnings": sum(f.severity == conflicts.WARNING for f in findings),
            "blocking": len(conflicts.blocking(findings, forum)),
            "conflicts": found,
        }


@blp.route("/forums/<int:forum_id>/schedule/solve")
class Solve(MethodView):
    @blp.arguments(SolveSchema, required=False)
    @blp.response(202, JobSchema, **jobs_http.ACCEPTED_DOC)
    @blp.alt_response(
        200, schema=SolveResultSchema, description="With `Prefer: wait=N`: the finished plan."
    )
    @blp.alt_response(409, description="The forum changed while it was solved (`Prefer: wait`).")
    @blp.doc(**jobs_http.PREFER_PARAMETER)
    def post(self, options, forum_id):
        """Place the unscheduled sessions on a grid of slots (OR-Tools CP-SAT): never a hard
        conflict; soft goals weighed. ``apply: true`` writes the plan (organisers). A job:
        202 with its ``Location``; ``Prefer: wait=N`` answers the plan (or the 422 or 409)
        if it comes within N seconds."""
        organiser = require_organiser()
        params = solve_job.params(_forum(forum_id), options or SolveSchema().load({}))
        return jobs_http.start(solve_job.KIND, organiser, params)


@blp.route("/forums/<int:forum_id>/publish")
class Publish(MethodView):
    @blp.response(200, PublishResultSchema)
    def post(self, forum_id):
        """Publish the scheduled sessions; 409 while hard conflicts remain (organisers)."""
        require_organiser()
        return publishing.publish(_forum(forum_id))


@blp.route("/forums/<int:forum_id>/programme")
class Programme(MethodView):
    @blp.response(200, ProgrammeSchema)
    def get(self, forum_id):
        """The public programme: published sessions by day, accepted participants, and the
        changes made since publication."""
        return publishing.programme(publishing.published_forum(_forum(forum_id)))


def _session_url(session) -> str:
    """Where a person reads the session: its place in the forum's programme page."""
    return f"{request.host_url}forums/{session.forum_id}#session-{session.id}"


@blp.route("/forums/<int:forum_id>/schedule.ics")
class ForumCalendar(MethodView):
    @blp.doc(**_file_doc("text/calendar", "The published programme as iCalendar (RFC 5545)."))
    @blp.arguments(FeedLanguageSchema, location="query")
    def get(self, query, forum_id):
        """The published programme as an iCalendar file, times in the forum's zone."""
        forum = publishing.published_forum(_forum(forum_id))
        body = calendar.forum_ics(
            forum,
            publishing.published_sessions(forum),
            url_for_session=_session_url,
            lang=query.get("lang") or language(),
        )
        return _download(body, "text/calendar", f"forum-{forum.id}.ics")


@blp.route("/forums/<int:forum_id>/schedule.json")
class ForumFrab(MethodView):
    @blp.doc(
        **_file_doc(
            "application/json",
            "The published programme as frab/c3voc schedule JSON "
            "(https://c3voc.de/schedule/schema.json).",
        )
    )
    def get(self, forum_id):
        """The published programme as a frab-compatible schedule (pretalx, frab, c3voc)."""
        forum = publishing.published_forum(_forum(forum_id))
        schedule = calendar.frab_schedule(
            forum,
            publishing.published_sessions(forum),
            base_url=request.host_url.rstrip("/"),
        )
        return _download(
            json.dumps(schedule, ensure_ascii=False), "application/json", f"forum-{forum.id}.json"
        )


@blp.route("/me/schedule.ics")
class MyCalendar(MethodView):
    @calendar_feed
    @blp.arguments(FeedQuerySchema, location="query")
    @blp.doc(**_file_doc("text/calendar", "Your sessions as iCalendar (RFC 5545)."))
    def get(self, query):
        """Your accepted sessions across forums; drafts are marked tentative. A calendar
        program subscribes with a calendar token in the URL (``POST /auth/tokens``
        with ``"scopes": ["calendar"]`` answers the ``feed_url``)."""
        me = require_user()
        # Subscribed before the profile is theirs (a claim waits for an admin): an empty
        # feed, which fills once it is, rather than an error no calendar program shows.
        expert = me.expert
        sessions = publishing.expert_sessions(expert) if expert is not None else []
        body = calendar.expert_ics(
            expert,
            sessions,
            url_for_session=_session_url,
            lang=query.get("lang") or me.language or language(),
        )
        return _download(body, "text/calendar", "my-sessions.ics")
