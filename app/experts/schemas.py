"""Expert schemas: what the API shows of an expert, and what an editor may change."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.core.fields import Id
from app.experts.models import ORCID_PATTERN

COUNTRY = validate.Regexp(r"^[A-Z]{2}$", error="Use an ISO 3166-1 alpha-2 code, e.g. RU or KZ.")
NAME = validate.Length(min=1, max=300)


class AffiliationSchema(ma.Schema):
    centre_id = ma.fields.Integer(dump_only=True)
    centre_name = ma.fields.String(attribute="centre.name_en", dump_only=True)
    position = ma.fields.String(dump_only=True, allow_none=True)
    start_date = ma.fields.Date(dump_only=True, allow_none=True)
    end_date = ma.fields.Date(dump_only=True, allow_none=True)


class ExpertSchema(ma.Schema):
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


class ExpertPatchSchema(ma.Schema):
    """Fields an expert edits on their own profile. Ids, owner and ``verified`` are not here:
    sending them is refused."""

    full_name = ma.fields.String(validate=NAME)
    other_names = ma.fields.List(ma.fields.String(validate=NAME), validate=validate.Length(max=20))
    country = ma.fields.String(validate=COUNTRY)
    biography = ma.fields.String(allow_none=True, validate=validate.Length(max=10_000))
    birth_year = ma.fields.Integer(allow_none=True, validate=validate.Range(min=1900, max=2015))
    orcid = ma.fields.String(allow_none=True, validate=validate.Regexp(ORCID_PATTERN))
    languages = ma.fields.List(
        ma.fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$")),
        validate=validate.Length(max=20),
    )
    topic_ids = ma.fields.List(Id(), validate=validate.Length(max=30))
