"""Forum series, forums and rooms."""

from __future__ import annotations

import zoneinfo

import marshmallow as ma
from marshmallow import validate

from app.core.fields import EnumField, Id
from app.forums.models import (
    HostRule,
    ParticipationRole,
    ParticipationStatus,
    PublicationStatus,
    SessionFormat,
)
from app.reference.schemas import COUNTRY_CODE


def _known_zone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ma.ValidationError(
            "Not an IANA time zone (e.g. Europe/Moscow, Asia/Almaty)."
        ) from exc


class ForumSeriesSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    slug = ma.fields.String(dump_only=True)
    name_en = ma.fields.String(dump_only=True)
    name_ru = ma.fields.String(dump_only=True, allow_none=True)
    name_kk = ma.fields.String(dump_only=True, allow_none=True)
    description = ma.fields.String(dump_only=True, allow_none=True)
    host_rule = EnumField(HostRule, dump_only=True)
    country_a = ma.fields.String(dump_only=True, allow_none=True)
    country_b = ma.fields.String(dump_only=True, allow_none=True)


class ForumSeriesWriteSchema(ma.Schema):
    slug = ma.fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9-]{2,80}$"))
    name_en = ma.fields.String(required=True, validate=validate.Length(min=1, max=300))
    name_ru = ma.fields.String(allow_none=True, validate=validate.Length(min=1, max=300))
    name_kk = ma.fields.String(allow_none=True, validate=validate.Length(min=1, max=300))
    description = ma.fields.String(allow_none=True, validate=validate.Length(max=10_000))
    host_rule = EnumField(HostRule, required=True)
    country_a = ma.fields.String(allow_none=True, validate=COUNTRY_CODE)
    country_b = ma.fields.String(allow_none=True, validate=COUNTRY_CODE)

    @ma.validates_schema
    def _two_countries_to_alternate(self, data, **_kwargs):
        if data.get("host_rule") == HostRule.ALTERNATE and (
            not data.get("country_a")
            or not data.get("country_b")
            or data["country_a"] == data["country_b"]
        ):
            raise ma.ValidationError("Alternation needs two different countries.", "country_b")


class ForumSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    series_id = ma.fields.Integer(dump_only=True, allow_none=True)
    title = ma.fields.String(dump_only=True)
    edition = ma.fields.Integer(dump_only=True, allow_none=True)
    year = ma.fields.Integer(dump_only=True)
    host_country = ma.fields.String(dump_only=True)
    city = ma.fields.String(dump_only=True, allow_none=True)
    start_date = ma.fields.Date(dump_only=True)
    end_date = ma.fields.Date(dump_only=True)
    timezone = ma.fields.String(dump_only=True)
    status = EnumField(PublicationStatus, dump_only=True)


class ForumWriteSchema(ma.Schema):
    series_id = Id(allow_none=True)
    title = ma.fields.String(required=True, validate=validate.Length(min=1, max=300))
    edition = ma.fields.Integer(allow_none=True, validate=validate.Range(min=1, max=1000))
    year = ma.fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))
    host_country = ma.fields.String(required=True, validate=COUNTRY_CODE)
    city = ma.fields.String(allow_none=True, validate=validate.Length(min=1, max=120))
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    timezone = ma.fields.String(required=True, validate=[validate.Length(max=64), _known_zone])
    override_alternation = ma.fields.Boolean(
        load_default=False,
        load_only=True,
        metadata={
            "description": "Host out of turn in an alternating series (recorded in the audit log)."
        },
    )

    @ma.validates_schema
    def _dates(self, data, **_kwargs):
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ma.ValidationError("The forum ends before it starts.", "end_date")
        if start and data.get("year") and start.year != data["year"]:
            raise ma.ValidationError("The forum starts in another year.", "start_date")


class ForumQuerySchema(ma.Schema):
    series = Id()
    year = ma.fields.Integer(validate=validate.Range(min=1990, max=2100))
    host_country = ma.fields.String(validate=COUNTRY_CODE)
    status = EnumField(PublicationStatus)


class RoomSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    forum_id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=120))
    capacity = ma.fields.Integer(required=True, validate=validate.Range(min=1, max=100_000))


def _in_forum_zone(session, field: str) -> str | None:
    moment = getattr(session, field)
    if moment is None:
        return None
    return moment.astimezone(zoneinfo.ZoneInfo(session.forum.timezone)).isoformat()


class SessionSchema(ma.Schema):
    """A session; ``start`` and ``end`` are shown in the forum's time zone, with the offset."""

    id = ma.fields.Integer(dump_only=True)
    forum_id = ma.fields.Integer(dump_only=True)
    title = ma.fields.String(dump_only=True)
    format = EnumField(SessionFormat, dump_only=True)
    description = ma.fields.String(dump_only=True, allow_none=True)
    topic_ids = ma.fields.Function(lambda s: [t.id for t in s.topics], dump_only=True)
    expected_audience = ma.fields.Integer(dump_only=True, allow_none=True)
    duration_minutes = ma.fields.Integer(dump_only=True)
    start = ma.fields.Function(
        lambda s: _in_forum_zone(s, "starts_at"), dump_only=True, allow_none=True
    )
    end = ma.fields.Function(
        lambda s: _in_forum_zone(s, "ends_at"), dump_only=True, allow_none=True
    )
    room_id = ma.fields.Integer(dump_only=True, allow_none=True)
    status = EnumField(PublicationStatus, dump_only=True)


class SessionWriteSchema(ma.Schema):
    """``start``/``end`` with an offset are taken as given; without one, in the forum's zone.
    Without ``end``, a session lasts ``duration_minutes``."""

    title = ma.fields.String(required=True, validate=validate.Length(min=1, max=300))
    format = EnumField(SessionFormat, required=True)
    description = ma.fields.String(allow_none=True, validate=validate.Length(max=10_000))
    topic_ids = ma.fields.List(Id(), validate=validate.Length(max=20))
    expected_audience = ma.fields.Integer(
        allow_none=True, validate=validate.Range(min=0, max=100_000)
    )
    duration_minutes = ma.fields.Integer(validate=validate.Range(min=5, max=24 * 60))
    start = ma.fields.DateTime(allow_none=True)
    end = ma.fields.DateTime(allow_none=True)
    room_id = Id(allow_none=True)


class ParticipationSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    session_id = ma.fields.Integer(dump_only=True)
    expert_id = Id(required=True)
    role = EnumField(ParticipationRole, required=True)
    status = EnumField(ParticipationStatus, dump_only=True)


class InvitationSchema(ParticipationSchema):
    session_title = ma.fields.String(attribute="session.title", dump_only=True)
    forum_id = ma.fields.Integer(attribute="session.forum_id", dump_only=True)
    forum_title = ma.fields.String(attribute="session.forum.title", dump_only=True)
    responded_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)


class InvitationQuerySchema(ma.Schema):
    status = EnumField(ParticipationStatus)
