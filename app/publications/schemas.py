"""Publication schemas."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.centres.models import Visibility
from app.core.exports import format_field
from app.core.fields import EnumField, Id, Trimmed, YearsInOrder
from app.core.listing import q_field, sort_field
from app.core.provenance import kind_field, source_field
from app.publications.models import CSL_TYPES, DOI_LENGTH, DOI_PATTERN, PublicationKind
from app.reference.schemas import COUNTRY_CODE


class Doi(ma.fields.String):
    """A DOI as stored, lower-cased, so its length is checked on what is stored ("İ" lowers
    to two characters)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).lower()


class AuthorSchema(ma.Schema):
    """An author: a known expert (``expert_id``) or only a ``name``; ``centre_id`` is the
    centre they wrote for; ``organisation`` says a name is a body, not a person. The author's
    ``provenance`` and the centre's (``centre_provenance``) are read-only."""

    position = ma.fields.Integer(dump_only=True)
    expert_id = Id(allow_none=True)
    name = ma.fields.Method("author_name", deserialize="load_name", allow_none=True)
    organisation = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "The name is an organisation's (exported whole, e.g. as CSL "
            "`literal`), not a person's; never with expert_id."
        },
    )
    centre_id = Id(allow_none=True)
    provenance = kind_field()
    source = source_field()
    centre_provenance = kind_field()
    centre_source = source_field()

    def author_name(self, authorship) -> str | None:
        return authorship.expert.full_name if authorship.expert else authorship.raw_name

    def load_name(self, value):
        if value is not None and not (isinstance(value, str) and 0 < len(value.strip()) <= 300):
            raise ma.ValidationError("A name of 1 to 300 characters.")
        return value.strip() if value else None

    @ma.validates_schema
    def _expert_or_name(self, data, **_kwargs):
        if not data.get("expert_id") and not data.get("name"):
            raise ma.ValidationError("Give expert_id or name.", "name")
        if data.get("expert_id") and data.get("organisation"):
            raise ma.ValidationError("An expert is a person, not an organisation.", "organisation")


class PublicationSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    title = ma.fields.String(dump_only=True)
    kind = EnumField(PublicationKind, dump_only=True)
    year = ma.fields.Integer(dump_only=True)
    published_on = ma.fields.Date(dump_only=True, allow_none=True)
    venue = ma.fields.String(dump_only=True, allow_none=True)
    url = ma.fields.String(dump_only=True, allow_none=True)
    doi = ma.fields.String(dump_only=True, allow_none=True)
    language = ma.fields.String(dump_only=True, allow_none=True)
    csl_type = ma.fields.String(dump_only=True, allow_none=True)
    visibility = EnumField(Visibility, dump_only=True)
    topic_ids = ma.fields.Function(lambda p: [t.id for t in p.topics], dump_only=True)
    authors = ma.fields.List(
        ma.fields.Nested(AuthorSchema), attribute="authorships", dump_only=True
    )
    provenance = kind_field()
    source = source_field()
    topics_provenance = kind_field()
    topics_source = source_field()


class PublicationDetailSchema(PublicationSchema):
    abstract = ma.fields.String(dump_only=True, allow_none=True)


class PublicationWriteSchema(ma.Schema):
    title = Trimmed(required=True, validate=validate.Length(min=1, max=1000))
    kind = EnumField(PublicationKind, required=True)
    year = ma.fields.Integer(required=True, validate=validate.Range(min=1900, max=2100))
    published_on = ma.fields.Date(allow_none=True)
    venue = Trimmed(allow_none=True, validate=validate.Length(min=1, max=300))
    url = ma.fields.Url(allow_none=True, validate=validate.Length(max=1000))
    doi = Doi(
        allow_none=True, validate=[validate.Length(max=DOI_LENGTH), validate.Regexp(DOI_PATTERN)]
    )
    language = ma.fields.String(allow_none=True, validate=validate.Regexp(r"^[a-z]{2,3}$"))
    csl_type = ma.fields.String(
        allow_none=True,
        validate=validate.OneOf(CSL_TYPES),
        metadata={
            "description": "The type in CSL's words, finer than the kind (chapter, thesis...):"
            " the exports write it while it reads back as the kind, else the kind's own type."
        },
    )
    visibility = EnumField(Visibility)
    abstract = ma.fields.String(allow_none=True, validate=validate.Length(max=20_000))
    topic_ids = ma.fields.List(Id(), validate=validate.Length(max=30))
    authors = ma.fields.List(ma.fields.Nested(AuthorSchema), validate=validate.Length(max=200))

    @ma.validates_schema
    def _date_in_year(self, data, **_kwargs):
        day, year = data.get("published_on"), data.get("year")
        if day and year and day.year != year:
            raise ma.ValidationError("The date falls in another year.", "published_on")


class PublicationQuerySchema(YearsInOrder, ma.Schema):
    country = ma.fields.String(
        validate=COUNTRY_CODE, metadata={"description": "An author wrote for a centre here."}
    )
    kind = EnumField(PublicationKind)
    topic = Id()
    centre = Id(metadata={"description": "An author wrote for this centre."})
    expert = Id(metadata={"description": "Written by this expert."})
    year_from = ma.fields.Integer(validate=validate.Range(min=1900, max=2100))
    year_to = ma.fields.Integer(validate=validate.Range(min=1900, max=2100))
    visibility = EnumField(Visibility)
    language = ma.fields.String(validate=validate.Regexp(r"^[a-z]{2,3}$"))
    q = q_field()
    sort = sort_field("year", "title", "id", default="-year")
    format = format_field("csl-json", "bibtex")


IMPORT_FORMATS = ("bibtex", "ris", "csl-json", "openalex")


class ImportQuerySchema(ma.Schema):
    format = ma.fields.String(required=True, validate=validate.OneOf(IMPORT_FORMATS))
    dry_run = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "Report what would be created, matched and skipped; write nothing."
        },
    )
    charset = ma.fields.String(
        validate=validate.Length(min=1, max=40),
        metadata={
            "description": "The file's charset (utf-8, windows-1251, gbk, utf-16...), if the "
            "Content-Type does not declare it (`text/plain; charset=windows-1251`); this one "
            "wins over the header's. A byte order mark (UTF-8, UTF-16, UTF-32) wins over "
            "both; without either the file is read as UTF-8. Bytes that are not text in the "
            "charset get 422, never replacement characters.",
            "example": "windows-1251",
        },
    )
    strict = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "Refuse the whole file (422) if any record cannot be imported, "
            "instead of skipping that record with a warning."
        },
    )


class ImportReportSchema(ma.Schema):
    dry_run = ma.fields.Boolean()
    created = ma.fields.Integer()
    publication_ids = ma.fields.List(ma.fields.Integer())
    skipped = ma.fields.List(ma.fields.Dict())
    matched_authors = ma.fields.Integer()
    unmatched_authors = ma.fields.List(ma.fields.Dict())
    warnings = ma.fields.List(
        ma.fields.Dict(),
        metadata={
            "description": "What was read past or left out, each with its `record` (index, "
            "or null for the file), `line` and `message`: a record skipped (it is in "
            "`skipped` too), a BibTeX key used twice (the first entry is kept), an "
            "undefined @string macro, a crossref to no entry, RIS tags outside a record."
        },
    )
