"""Forum series, forums and rooms."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import marshmallow as ma
from marshmallow import validate

from app.core.fields import EnumField, Id, Trimmed
from app.core.i18n import LANGUAGES
from app.core.provenance import kind_field, source_field
from app.forums.models import (
    ChangeKind,
    ForumState,
    HostRule,
    ParticipationRole,
    ParticipationStatus,
    PublicationStatus,
    SessionFormat,
)
from app.forums.times import FIRST_DAY, LAST_DAY, MAX_FORUM_DAYS
from app.reference.schemas import COUNTRY_CODE

IN_RANGE = f"Between {FIRST_DAY.year} and {LAST_DAY.year}."
FORUM_DAY = validate.Range(min=FIRST_DAY, max=LAST_DAY, error=IN_RANGE)


def _known_zone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    # OSError: a name longer than a file name may be (it is looked up as a file).
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ma.ValidationError(
            "Not an IANA time zone (e.g. Europe/Moscow, Asia/Almaty)."
        ) from exc


def _plausible_time(moment: dt.datetime) -> None:
    """Compared by year, so that naive and zoned times are judged alike."""
    if not FIRST_DAY.year <= moment.year <= LAST_DAY.year:
        raise ma.ValidationError(IN_RANGE)


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
    provenance = kind_field()
    source = source_field()


# A name or title (a series', a forum's, a session's), and a place's (a city, a room).
TITLE = validate.Length(min=1, max=300)
PLACE = validate.Length(min=1, max=120)


class ForumSeriesWriteSchema(ma.Schema):
    slug = ma.fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9-]{2,80}$"))
    name_en = Trimmed(required=True, validate=TITLE)
    name_ru = Trimmed(allow_none=True, validate=TITLE)
    name_kk = Trimmed(allow_none=True, validate=TITLE)
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
    title_ru = ma.fields.String(dump_only=True, allow_none=True)
    title_kk = ma.fields.String(dump_only=True, allow_none=True)
    edition = ma.fields.Integer(dump_only=True, allow_none=True)
    year = ma.fields.Integer(dump_only=True)
    host_country = ma.fields.String(dump_only=True)
    city = ma.fields.String(dump_only=True, allow_none=True)
    city_ru = ma.fields.String(dump_only=True, allow_none=True)
    city_kk = ma.fields.String(dump_only=True, allow_none=True)
    region_id = ma.fields.Integer(dump_only=True, allow_none=True)
    start_date = ma.fields.Date(dump_only=True)
    end_date = ma.fields.Date(dump_only=True)
    timezone = ma.fields.String(dump_only=True)
    status = EnumField(PublicationStatus, dump_only=True)
    state = EnumField(ForumState, dump_only=True)
    state_reason = ma.fields.String(dump_only=True, allow_none=True)
    provenance = kind_field()
    source = source_field()


class ForumWriteSchema(ma.Schema):
    series_id = Id(allow_none=True)
    title = Trimmed(
        required=True,
        validate=TITLE,
        metadata={"description": "In English: pages in Russian or Kazakh fall back to it."},
    )
    title_ru = Trimmed(allow_none=True, validate=TITLE)
    title_kk = Trimmed(allow_none=True, validate=TITLE)
    edition = ma.fields.Integer(allow_none=True, validate=validate.Range(min=1, max=1000))
    year = ma.fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))
    host_country = ma.fields.String(required=True, validate=COUNTRY_CODE)
    city = Trimmed(allow_none=True, validate=PLACE)
    city_ru = Trimmed(allow_none=True, validate=PLACE)
    city_kk = Trimmed(allow_none=True, validate=PLACE)
    region_id = Id(allow_none=True, metadata={"description": "The host region."})
    state = EnumField(ForumState, metadata={"description": "on_schedule, postponed or cancelled."})
    state_reason = ma.fields.String(allow_none=True, validate=validate.Length(max=300))
    start_date = ma.fields.Date(required=True, validate=FORUM_DAY)
    end_date = ma.fields.Date(
        required=True,
        validate=FORUM_DAY,
        metadata={
            "description": f"A forum lasts at most {MAX_FORUM_DAYS} days, both ends included."
        },
    )
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


class NextEditionSchema(ma.Schema):
    title = Trimmed(
        validate=TITLE,
        metadata={"description": "Default: the next numeral or year in this edition's title."},
    )
    title_ru = Trimmed(validate=TITLE)
    title_kk = Trimmed(validate=TITLE)
    city = Trimmed(
        allow_none=True,
        validate=PLACE,
        metadata={"description": "Default: the same city when the host stays, else none."},
    )
    city_ru = Trimmed(allow_none=True, validate=PLACE)
    city_kk = Trimmed(allow_none=True, validate=PLACE)
    start_date = ma.fields.Date(
        validate=FORUM_DAY,
        metadata={"description": "Default: 52 weeks on, the same weekday; the length is kept."},
    )


class ForumQuerySchema(ma.Schema):
    series = Id()
    year = ma.fields.Integer(validate=validate.Range(min=1990, max=2100))
    host_country = ma.fields.String(validate=COUNTRY_CODE)
    status = EnumField(PublicationStatus)


class ForumTime(ma.fields.DateTime):
    """Read with or without an offset (naive means the forum's zone); shown in the forum's
    zone, which the serialised object names in its ``timezone``."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.astimezone(zoneinfo.ZoneInfo(obj.timezone)).isoformat()


class WindowSchema(ma.Schema):
    start = ForumTime(required=True, attribute="starts_at", data_key="start")
    end = ForumTime(required=True, attribute="ends_at", data_key="end")


WINDOWS = {
    "validate": validate.Length(max=200),
    "metadata": {"description": "Time windows in the forum's zone; none means no limit."},
}


class RoomSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    forum_id = ma.fields.Integer(dump_only=True)
    name = Trimmed(required=True, validate=PLACE)
    capacity = ma.fields.Integer(required=True, validate=validate.Range(min=1, max=100_000))
    windows = ma.fields.List(ma.fields.Nested(WindowSchema), **WINDOWS)


class AvailabilitySchema(ma.Schema):
    forum_id = ma.fields.Integer(dump_only=True)
    expert_id = ma.fields.Integer(dump_only=True)
    windows = ma.fields.List(ma.fields.Nested(WindowSchema), required=True, **WINDOWS)


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

    title = Trimmed(required=True, validate=TITLE)
    format = EnumField(SessionFormat, required=True)
    description = ma.fields.String(allow_none=True, validate=validate.Length(max=10_000))
    topic_ids = ma.fields.List(Id(), validate=validate.Length(max=20))
    expected_audience = ma.fields.Integer(
        allow_none=True, validate=validate.Range(min=0, max=100_000)
    )
    duration_minutes = ma.fields.Integer(validate=validate.Range(min=5, max=24 * 60))
    # Outside the forum's days is allowed (the conflict report shows it); outside these
    # years a time is a typo, and near the calendar's ends it cannot be converted.
    start = ma.fields.DateTime(allow_none=True, validate=_plausible_time)
    end = ma.fields.DateTime(allow_none=True, validate=_plausible_time)
    room_id = Id(allow_none=True)


class ParticipationSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    session_id = ma.fields.Integer(dump_only=True)
    expert_id = Id(required=True)
    role = EnumField(ParticipationRole, required=True)
    status = EnumField(ParticipationStatus, dump_only=True)


class InvitationSchema(ParticipationSchema):
    """What an invited expert needs to answer: which session, where and when."""

    session_title = ma.fields.String(attribute="session.title", dump_only=True)
    session_format = EnumField(SessionFormat, attribute="session.format", dump_only=True)
    session_start = ma.fields.Function(
        lambda p: _in_forum_zone(p.session, "starts_at"), dump_only=True, allow_none=True
    )
    session_end = ma.fields.Function(
        lambda p: _in_forum_zone(p.session, "ends_at"), dump_only=True, allow_none=True
    )
    room_name = ma.fields.String(attribute="session.room_name", dump_only=True, allow_none=True)
    forum_id = ma.fields.Integer(attribute="session.forum_id", dump_only=True)
    forum_title = ma.fields.String(attribute="session.forum.title", dump_only=True)
    forum_city = ma.fields.String(attribute="session.forum.city", dump_only=True, allow_none=True)
    forum_timezone = ma.fields.String(attribute="session.forum.timezone", dump_only=True)
    responded_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)


class InvitationQuerySchema(ma.Schema):
    status = EnumField(ParticipationStatus)


class FindingList(ma.fields.List):
    """Documented as a list of :class:`ConflictSchema`, but dumped straight from the
    findings' fields: through marshmallow, a forum's thousands of conflicts cost more
    than finding them."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return [{name: getattr(finding, name) for name in _CONFLICT_FIELDS} for finding in value]


class ConflictSchema(ma.Schema):
    kind = ma.fields.String(
        metadata={
            "description": "expert_double_booked, room_double_booked, room_too_small, "
            "expert_unavailable, outside_forum_dates, outside_room_hours, bilateral_parity, "
            "no_room"
        }
    )
    severity = ma.fields.String(metadata={"description": "hard (blocks publishing) or warning"})
    message = ma.fields.String()
    session_ids = ma.fields.List(ma.fields.Integer())
    expert_ids = ma.fields.List(ma.fields.Integer())
    room_ids = ma.fields.List(ma.fields.Integer())


_CONFLICT_FIELDS = tuple(ConflictSchema().fields)


class ConflictReportSchema(ma.Schema):
    forum_id = ma.fields.Integer()
    hard = ma.fields.Integer(
        metadata={"description": "Hard conflicts in the whole forum, whatever the filters."}
    )
    warnings = ma.fields.Integer(
        metadata={"description": "Warnings in the whole forum, whatever the filters."}
    )
    blocking = ma.fields.Integer(
        metadata={
            "description": "Hard conflicts that touch scheduled sessions: publishing waits "
            "until there are none (unscheduled sessions are not published)."
        }
    )
    conflicts = FindingList(ma.fields.Nested(ConflictSchema))


class FeedLanguageSchema(ma.Schema):
    lang = ma.fields.String(
        validate=validate.OneOf(LANGUAGES),
        metadata={
            "description": "The language of the feed's words (format, roles, topics, titles): "
            "default, for a forum's the interface's (cookie, Accept-Language), for your own "
            "your account's."
        },
    )


class FeedQuerySchema(FeedLanguageSchema):
    token = ma.fields.String(
        load_only=True,
        validate=validate.Length(max=200),
        metadata={"description": "A calendar token, for calendar programs that cannot send one."},
    )


class ConflictQuerySchema(ma.Schema):
    severity = ma.fields.String(validate=validate.OneOf(["hard", "warning"]))
    kind = ma.fields.String(
        validate=validate.OneOf(
            [
                "expert_double_booked",
                "room_double_booked",
                "room_too_small",
                "expert_unavailable",
                "outside_forum_dates",
                "outside_room_hours",
                "bilateral_parity",
                "no_room",
            ]
        )
    )


class PublishResultSchema(ma.Schema):
    forum = ma.fields.Nested(ForumSchema)
    published_sessions = ma.fields.Integer(metadata={"description": "Sessions published now."})
    unscheduled_sessions = ma.fields.Integer(
        metadata={"description": "Sessions left off the programme for want of a time."}
    )
    warnings = ma.fields.List(ma.fields.String())


class ProgrammeParticipantSchema(ma.Schema):
    expert_id = ma.fields.Integer()
    name = ma.fields.String(attribute="expert.full_name")
    country = ma.fields.String(attribute="expert.country_code")
    role = EnumField(ParticipationRole)


class ProgrammeSessionSchema(SessionSchema):
    room = ma.fields.String(attribute="room_name", dump_only=True, allow_none=True)
    # The exports speak the forums' Russian; the programme gives every name it has.
    topics = ma.fields.Function(
        lambda s: [
            {"id": t.id, "name": t.name_en, "name_ru": t.name_ru, "name_kk": t.name_kk}
            for t in s.topics
        ]
    )
    participants = ma.fields.Function(
        lambda s: ProgrammeParticipantSchema(many=True).dump(
            [p for p in s.participations if p.status == ParticipationStatus.ACCEPTED]
        )
    )


class ProgrammeDaySchema(ma.Schema):
    date = ma.fields.Date()
    sessions = ma.fields.List(ma.fields.Nested(ProgrammeSessionSchema))


class ProgrammeChangeSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = EnumField(ChangeKind)
    session_id = ma.fields.Integer(allow_none=True)
    summary = ma.fields.String()
    at = ma.fields.AwareDateTime(attribute="created_at")


class ProgrammeSchema(ma.Schema):
    forum = ma.fields.Nested(ForumSchema)
    days = ma.fields.List(ma.fields.Nested(ProgrammeDaySchema))
    changes = ma.fields.List(
        ma.fields.Nested(ProgrammeChangeSchema),
        metadata={"description": "Changes since publication, newest first."},
    )


MAX_SOLVE_SECONDS = 300


class SolveSchema(ma.Schema):
    apply = ma.fields.Boolean(
        load_default=False, metadata={"description": "false previews the plan; true writes it."}
    )
    slot_minutes = ma.fields.Integer(load_default=30, validate=validate.OneOf([15, 20, 30, 60]))
    day_start = ma.fields.Time(load_default=dt.time(9, 0))
    day_end = ma.fields.Time(load_default=dt.time(18, 0))
    # A solve runs as a job (app.forums.solve_job), so it may take minutes: a forum of a
    # few hundred sessions keeps improving its plan for a minute or more.
    time_limit_seconds = ma.fields.Float(
        load_default=10.0, validate=validate.Range(min=0.5, max=MAX_SOLVE_SECONDS)
    )

    @ma.validates_schema
    def _day(self, data, **_kwargs):
        if data["day_end"] <= data["day_start"]:
            raise ma.ValidationError("The day ends before it starts.", "day_end")


class PlacementSchema(ma.Schema):
    session_id = ma.fields.Integer(attribute="session.id")
    title = ma.fields.String(attribute="session.title")
    room_id = ma.fields.Integer()
    start = ma.fields.Function(lambda p: _zoned(p, "start"))
    end = ma.fields.Function(lambda p: _zoned(p, "end"))


def _zoned(placement, key: str) -> str:
    zone = zoneinfo.ZoneInfo(placement["session"].forum.timezone)
    return placement[key].astimezone(zone).isoformat()


class SolveResultSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "optimal or feasible"})
    applied = ma.fields.Boolean()
    objective = ma.fields.Float(allow_none=True)
    first_objective = ma.fields.Float(
        allow_none=True, metadata={"description": "The first conflict-free plan's objective."}
    )
    wall_seconds = ma.fields.Float()
    penalties = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    placements = ma.fields.List(ma.fields.Nested(PlacementSchema))
