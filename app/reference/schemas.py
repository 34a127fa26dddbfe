import marshmallow as ma
from marshmallow import validate

from app.core.fields import Id
from app.core.provenance import kind_field, source_field

COUNTRY_CODE = validate.Regexp(r"^[A-Z]{2}$", error="Use an ISO 3166-1 alpha-2 code, e.g. RU.")


class CountrySchema(ma.Schema):
    code = ma.fields.String(dump_only=True)
    name_en = ma.fields.String(dump_only=True)
    name_ru = ma.fields.String(dump_only=True)
    name_kk = ma.fields.String(dump_only=True)


class RegionSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    code = ma.fields.String(dump_only=True, allow_none=True)
    country = ma.fields.String(attribute="country_code", dump_only=True)
    name_en = ma.fields.String(dump_only=True)
    name_ru = ma.fields.String(dump_only=True)
    name_kk = ma.fields.String(dump_only=True, allow_none=True)
    is_border = ma.fields.Boolean(dump_only=True)


class RegionQuerySchema(ma.Schema):
    country = ma.fields.String(validate=COUNTRY_CODE)
    is_border = ma.fields.Boolean()


class TopicSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    slug = ma.fields.String(dump_only=True)
    name_en = ma.fields.String(dump_only=True)
    name_ru = ma.fields.String(dump_only=True)
    name_kk = ma.fields.String(dump_only=True, allow_none=True)
    parent_id = ma.fields.Integer(dump_only=True, allow_none=True)
    provenance = kind_field()
    source = source_field()


class TopicQuerySchema(ma.Schema):
    parent = Id()
