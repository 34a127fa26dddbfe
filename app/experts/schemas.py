"""Expert schemas: what the API shows of an expert, and what an editor may change."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.core.dumping import CompiledDump
from app.core.exports import format_field
from app.core.fields import NAME, Id, Trimmed
from app.core.listing import q_field, sort_field
from app.core.provenance import kind_field, source_field
from app.experts.models import ORCID_PATTERN
from app.reference.schemas import COUNTRY_CODE


class AffiliationSchema(ma.Schema):
    centre_id = Id(required=True)
    centre_name = ma.fields.String(attribute="centre.name_en", dump_only=True)
    position = Trimmed(allow_none=True, validate=validate.Length(min=1, max=200))
    start_date = ma.fields.Date(allow_none=True)
    end_date = ma.fields.Date(allow_none=True)
    # No load_default: a row the expert has already keeps its own unless this is given.
    assumed = ma.fields.Boolean(
        metadata={
            "description": "Without dates, whether the position is taken to hold throughout "
            "(the reports place the expert at the centre on a day only then). Default: true "
            "for a new row; an unchanged row keeps its own.",
            "default": True,
        },
    )
    provenance = kind_field()
    source = source_field()

    @ma.validates_schema
    def _ends_after_start(self, data, **_kwargs):
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            raise ma.ValidationError("The end comes before the start.", "end_date")


class ExpertSchema(CompiledDump, ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    full_name = ma.fields.String(dump_only=True)
    other_names = ma.fields.List(ma.fields.String(), dump_only=True)
    country = ma.fields.String(attribute="country_code", dump_only=True)
    biography = ma.fields.String(dump_only=True, allow_none=True)
    birth_year = ma.fields.Integer(dump_only=True, allow_none=True)
    orcid = ma.fields.String(dump_only=True, allow_none=True)
    languages = ma.fields.List(ma.fields.String(), dump_only=True)
    topic_ids = ma.fields.Function(lambda e: [t.id for t in e.topics], dump_only=True)
    verified = ma.fields.Boolean(dump_only=True)
    claimed = ma.fields.Function(lambda e: e.user_id is not None, dump_only=True)
    affiliations = ma.fields.List(ma.fields.Nested(AffiliationSchema), dump_only=True)
    provenance = kind_field()
    source = source_field()
    topics_provenance = kind_field()
    topics_source = source_field()


class ExpertPublicationSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    year = ma.fields.Integer()
    kind = ma.fields.String()
    centre_id = ma.fields.Integer(allow_none=True)


class ExpertParticipationSchema(ma.Schema):
    session_id = ma.fields.Integer()
    session_title = ma.fields.String()
    forum_id = ma.fields.Integer()
    forum_title = ma.fields.String()
    forum_title_ru = ma.fields.String(allow_none=True)
    forum_title_kk = ma.fields.String(allow_none=True)
    role = ma.fields.String()
    status = ma.fields.String()
    starts_at = ma.fields.AwareDateTime(allow_none=True)


class CollaboratorSchema(ma.Schema):
    id = ma.fields.Integer()
    full_name = ma.fields.String()
    country = ma.fields.String()
    joint_publications = ma.fields.Integer()
    shared_sessions = ma.fields.Integer()


class ExpertDetailSchema(ExpertSchema):
    publications = ma.fields.List(ma.fields.Nested(ExpertPublicationSchema), dump_only=True)
    participations = ma.fields.List(ma.fields.Nested(ExpertParticipationSchema), dump_only=True)
    collaborators_abroad = ma.fields.List(ma.fields.Nested(CollaboratorSchema), dump_only=True)


# The most affiliations a profile lists (a form shows as many rows).
MAX_AFFILIATIONS = 30


class ExpertWriteSchema(ma.Schema):
    """What an editor sets; an expert needs only ``full_name`` and ``country``. Ids, the
    owner and ``verified`` are not here: sending them is refused."""

    full_name = Trimmed(required=True, validate=NAME)
    other_names = ma.fields.List(Trimmed(validate=NAME), validate=validate.Length(max=20))
    country = ma.fields.String(required=True, validate=COUNTRY_CODE)
    biography = ma.fields.String(allow_none=True, validate=validate.Length(max=10_000))
    birth_year = ma.fields.Integer(allow_none=True, validate=validate.Range(min=1900, max=2015))
    orcid = ma.fields.String(allow_none=True, validate=validate.Regexp(ORCID_PATTERN))
    languages = ma.fields.List(
        ma.fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$")),
        validate=validate.Length(max=20),
    )
    topic_ids = ma.fields.List(Id(), validate=validate.Length(max=30))
    affiliations = ma.fields.List(
        ma.fields.Nested(AffiliationSchema), validate=validate.Length(max=MAX_AFFILIATIONS)
    )


class ExpertQuerySchema(ma.Schema):
    country = ma.fields.String(validate=COUNTRY_CODE)
    topic = Id()
    centre = Id(metadata={"description": "Experts currently at this centre."})
    verified = ma.fields.Boolean()
    q = q_field()
    sort = sort_field("name", "id", default="name")
    format = format_field()
