"""Centre schemas: list items, detail, create and edit, list filters."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.centres.models import AcronymSource, CentreKind, Visibility
from app.core.exports import format_field
from app.core.fields import NAME, EnumField, Id, Trimmed
from app.core.listing import q_field, sort_field
from app.core.provenance import kind_field, source_field
from app.reference.schemas import COUNTRY_CODE

# A city's name, in any of its languages.
CITY = validate.Length(min=1, max=120)


class CentreSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name_en = ma.fields.String(dump_only=True)
    name_ru = ma.fields.String(dump_only=True, allow_none=True)
    name_kk = ma.fields.String(dump_only=True, allow_none=True)
    acronym = ma.fields.String(dump_only=True, allow_none=True)
    acronym_source = EnumField(
        AcronymSource,
        dump_only=True,
        metadata={"description": "own, the report's rendering, or coined here (no real one)."},
    )
    label = ma.fields.String(
        dump_only=True, metadata={"description": "The acronym, or the full name if coined."}
    )
    alt_names = ma.fields.List(ma.fields.String(), dump_only=True)
    country = ma.fields.String(attribute="country_code", dump_only=True)
    city = ma.fields.String(dump_only=True, allow_none=True)
    city_ru = ma.fields.String(dump_only=True, allow_none=True)
    city_kk = ma.fields.String(dump_only=True, allow_none=True)
    region_id = ma.fields.Integer(dump_only=True, allow_none=True)
    kind = EnumField(CentreKind, dump_only=True)
    visibility = EnumField(Visibility, dump_only=True)
    studies_neighbour = ma.fields.Boolean(dump_only=True)
    website = ma.fields.String(dump_only=True, allow_none=True)
    founded_year = ma.fields.Integer(dump_only=True, allow_none=True)
    parent_id = ma.fields.Integer(dump_only=True, allow_none=True)
    topic_ids = ma.fields.Function(lambda c: [t.id for t in c.topics], dump_only=True)
    provenance = kind_field()
    source = source_field()
    topics_provenance = kind_field()
    topics_source = source_field()


class CentreRefSchema(ma.Schema):
    id = ma.fields.Integer()
    name_en = ma.fields.String()
    acronym = ma.fields.String(allow_none=True)
    label = ma.fields.String(dump_only=True)
    country = ma.fields.String(attribute="country_code")


class PersonRefSchema(ma.Schema):
    id = ma.fields.Integer()
    full_name = ma.fields.String()
    position = ma.fields.String(allow_none=True)
    since = ma.fields.Date(allow_none=True)


class PublicationRefSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    year = ma.fields.Integer()
    kind = ma.fields.String()


class PartnerSchema(CentreRefSchema):
    joint_publications = ma.fields.Integer()
    joint_projects = ma.fields.Integer()
    last_year = ma.fields.Integer(allow_none=True)


class CentreDetailSchema(CentreSchema):
    experts = ma.fields.List(ma.fields.Nested(PersonRefSchema), dump_only=True)
    units = ma.fields.List(ma.fields.Nested(CentreRefSchema), dump_only=True)
    publication_count = ma.fields.Integer(dump_only=True)
    publications = ma.fields.List(ma.fields.Nested(PublicationRefSchema), dump_only=True)
    partners_abroad = ma.fields.List(ma.fields.Nested(PartnerSchema), dump_only=True)


class CentreWriteSchema(ma.Schema):
    """What an organiser sets; a centre needs only ``name_en``, ``country`` and ``kind``."""

    name_en = Trimmed(required=True, validate=NAME)
    name_ru = Trimmed(allow_none=True, validate=NAME)
    name_kk = Trimmed(allow_none=True, validate=NAME)
    acronym = Trimmed(allow_none=True, validate=validate.Length(min=1, max=40))
    acronym_source = EnumField(AcronymSource)
    alt_names = ma.fields.List(Trimmed(validate=NAME), validate=validate.Length(max=30))
    country = ma.fields.String(required=True, validate=COUNTRY_CODE)
    city = Trimmed(allow_none=True, validate=CITY)
    city_ru = Trimmed(allow_none=True, validate=CITY)
    city_kk = Trimmed(allow_none=True, validate=CITY)
    region_id = Id(allow_none=True)
    kind = EnumField(CentreKind, required=True)
    visibility = EnumField(Visibility)
    studies_neighbour = ma.fields.Boolean()
    website = ma.fields.Url(allow_none=True, validate=validate.Length(max=500))
    founded_year = ma.fields.Integer(allow_none=True, validate=validate.Range(min=1700, max=2100))
    parent_id = Id(allow_none=True)
    topic_ids = ma.fields.List(Id(), validate=validate.Length(max=30))


class CentreQuerySchema(ma.Schema):
    country = ma.fields.String(validate=COUNTRY_CODE)
    kind = EnumField(CentreKind)
    topic = Id()
    region = Id()
    visibility = EnumField(Visibility)
    studies_neighbour = ma.fields.Boolean()
    parent = Id(metadata={"description": "Units of this centre."})
    q = q_field()
    sort = sort_field("name", "founded_year", "id", default="name")
    format = format_field()
