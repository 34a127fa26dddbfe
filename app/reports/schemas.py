"""Report filters, and the shape of report answers."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from marshmallow import validate

from app.core.fields import EnumField, Id, Trimmed
from app.core.provenance import FILTERS
from app.forums.models import SessionFormat
from app.forums.schemas import ParticipationSchema, SessionSchema
from app.reports.models import TieKind
from app.reports.services import DORMANT_AFTER_YEARS

FORMATS = ("json", "csv", "xlsx")


class ReportQuerySchema(ma.Schema):
    since = ma.fields.Date(metadata={"description": "Ties on or after this day."})
    until = ma.fields.Date(metadata={"description": "Ties up to this day (default: today)."})
    topic = Id(metadata={"description": "Only sources on this topic or its subtopics."})
    kind = EnumField(TieKind, metadata={"description": "Only this kind of evidence."})
    provenance = ma.fields.String(
        load_default="all",
        validate=validate.OneOf(tuple(FILTERS)),
        metadata={
            "description": "Only ties whose every fact the report states (`report`), the report "
            "or a public source (`public`), or every tie (`all`: editorial, entered too)."
        },
    )
    format = ma.fields.String(load_default="json", validate=validate.OneOf(FORMATS))

    @ma.validates_schema
    def _window(self, data, **_kwargs):
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            raise ma.ValidationError("The window ends before it starts.", "until")
        for field in ("since", "until"):
            if data.get(field) and not dt.date(1990, 1, 1) <= data[field] <= dt.date(2100, 12, 31):
                raise ma.ValidationError("Between 1990 and 2100.", field)


class CoverageQuerySchema(ReportQuerySchema):
    limit = ma.fields.Integer(
        load_default=500,
        validate=validate.Range(min=1, max=10_000),
        metadata={"description": "Pairs listed in JSON (exports list them all)."},
    )


class GapsQuerySchema(ReportQuerySchema):
    cutoff = ma.fields.Date(
        load_default=None,
        metadata={
            "description": "Dormant: tied before this day, never since (default: "
            f"{DORMANT_AFTER_YEARS} years before the window's end)."
        },
    )
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=1_000))


class HeatmapQuerySchema(ReportQuerySchema):
    format = ma.fields.String(dump_default=None, load_default=None, load_only=True)
    limit = ma.fields.Integer(
        load_default=60,
        validate=validate.Range(min=2, max=200),
        metadata={"description": "Centres drawn per side, the strongest."},
    )


class ChartQuerySchema(ReportQuerySchema):
    format = ma.fields.String(dump_default=None, load_default=None, load_only=True)


class FindingsQuerySchema(ma.Schema):
    until = ma.fields.Date(
        validate=validate.Range(min=dt.date(1990, 1, 1), max=dt.date(2100, 12, 31)),
        metadata={"description": "Take the measures as of this day (default: today)."},
    )
    provenance = ma.fields.String(
        load_default="all",
        validate=validate.OneOf(tuple(FILTERS)),
        metadata={
            "description": "As for every report, for the measures built on ties (centres "
            "studying the neighbour, visibility, centre pairs, ties by era); the measures "
            "counting records (regions, experts, forum editions, publications) read them all."
        },
    )
    format = ma.fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class ReportSchema(ma.Schema):
    """Every report: the window it covers, a summary, and its table (``rows``; coverage
    names it ``pairs``, gaps ``never``, ``dormant`` and ``isolated``)."""

    class Meta:
        unknown = ma.INCLUDE

    window = ma.fields.Dict()
    summary = ma.fields.Dict()
    provenance = ma.fields.Dict()
    rows = ma.fields.List(ma.fields.Dict())
    pairs = ma.fields.List(ma.fields.Dict())
    truncated = ma.fields.Boolean()
    cutoff = ma.fields.String()
    never = ma.fields.List(ma.fields.Dict())
    dormant = ma.fields.List(ma.fields.Dict())
    isolated = ma.fields.List(ma.fields.Dict())
    without_joint_work = ma.fields.List(ma.fields.Dict())
    markers = ma.fields.List(ma.fields.Dict())
    notes = ma.fields.List(ma.fields.String())


class RecommendationQuerySchema(ReportQuerySchema):
    forum = Id(metadata={"description": "The forum to propose sessions for."})
    gaps = ma.fields.Integer(
        load_default=20,
        validate=validate.Range(min=1, max=200),
        metadata={
            "description": "How many of the top never-tied and dormant pairs to serve, and "
            "of the experts without a current centre."
        },
    )
    per_gap = ma.fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=5),
        metadata={"description": "Proposals per gap, and per expert without a centre."},
    )


class ApplySchema(ma.Schema):
    """A recommendation's ``session``, as proposed or edited: a draft session with these
    participants invited."""

    forum_id = Id(required=True)
    title = Trimmed(required=True, validate=validate.Length(min=1, max=300))
    format = EnumField(SessionFormat, required=True)
    topic_ids = ma.fields.List(Id(), validate=validate.Length(max=20))
    duration_minutes = ma.fields.Integer(validate=validate.Range(min=5, max=24 * 60))
    participants = ma.fields.List(
        ma.fields.Nested(ParticipationSchema),
        required=True,
        validate=validate.Length(min=2, max=20),
    )

    @ma.validates_schema
    def _each_once(self, data, **_kwargs):
        ids = [p["expert_id"] for p in data.get("participants", [])]
        if len(ids) != len(set(ids)):
            raise ma.ValidationError("Each expert once.", "participants")


class AppliedSessionSchema(SessionSchema):
    participants = ma.fields.List(
        ma.fields.Nested(ParticipationSchema), attribute="participations", dump_only=True
    )
