"""Publications: reading is public; organisers and admins create, edit and delete."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest.error_handler import ErrorSchema

from app.core.api import Blueprint
from app.core.db import reads_first
from app.core.etag import check_if_match, with_etag
from app.core.exports import csv_doc
from app.core.pagination import SelectPage
from app.core.permissions import require_organiser
from app.core.requests import accepts_raw_body
from app.jobs import exports
from app.jobs import http as jobs_http
from app.publications import charsets, formats, import_job, imports, services
from app.publications.schemas import (
    ImportQuerySchema,
    ImportReportSchema,
    PublicationDetailSchema,
    PublicationQuerySchema,
    PublicationSchema,
    PublicationWriteSchema,
)

blp = Blueprint(
    "publications",
    __name__,
    url_prefix="/api/v1/publications",
    description="Publications, joint and otherwise, with their authors.",
)
CSL_JSON = "application/vnd.citationstyles.csl+json"
# CSV as every list exports; CSL-JSON and BibTeX for reference managers.
EXPORT = exports.ListExport(
    "publications",
    PublicationQuerySchema,
    exports.same_for_everyone(services.list_query),
    {
        "csv": exports.csv_format(PublicationSchema),
        "csl-json": exports.Format(formats.csl_stream, CSL_JSON, "json"),
        "bibtex": exports.Format(formats.bibtex_stream, "application/x-bibtex", "bib"),
    },
)
LIST_DOC = csv_doc("Publication")
LIST_DOC["responses"]["200"]["content"].update(
    {
        CSL_JSON: {"schema": {"type": "array", "items": {"type": "object"}}},
        "application/x-bibtex": {"schema": {"type": "string"}},
    }
)


@blp.route("")
class Publications(MethodView):
    @blp.arguments(PublicationQuerySchema, location="query")
    @blp.response(200, PublicationSchema(many=True))
    @blp.doc(**LIST_DOC)
    @jobs_http.may_answer_a_job(blp)
    @blp.paginate(SelectPage)
    def get(self, filters):
        """List publications; ``format`` csv, csl-json or bibtex exports every match."""
        return exports.list_or_export(EXPORT, filters)

    @blp.arguments(PublicationWriteSchema)
    @blp.response(201, PublicationSchema)
    def post(self, data):
        """Add a publication with its ordered authors (409 if its DOI or URL exists)."""
        require_organiser()
        publication = services.create_publication(data)
        return with_etag(publication)


IMPORT_BODY = {
    "required": True,
    "content": {
        mimetype: {"schema": {"type": "string"} if not mimetype.endswith("json") else {}}
        for mimetype in (
            "application/x-bibtex",
            "application/x-research-info-systems",
            "text/plain",
            "application/json",
        )
    },
}


IMPORT_DESCRIPTION = f"""Authors are matched to experts; a DOI or URL already stored is skipped.

The body is decoded with the `charset` parameter, else the Content-Type's `charset`, else
UTF-8; a byte order mark wins over both. Undecodable bytes get 422.

Each record needs a title (at most 1000 characters) and a year from {imports.YEARS[0]} to
{imports.YEARS[1]} (BibTeX `year`, else biblatex `date`; RIS `PY`/`Y1`; CSL `issued`;
OpenAlex `publication_year`). A record without them, or with a malformed DOI, is skipped
and the others are imported: the report lists it in `skipped` and `warnings`. With
`strict=true` the whole file is refused instead (422), as it is when no record can be
imported."""


@blp.route("/import")
class Import(MethodView):
    @reads_first  # parsing and matching take seconds; the rows are written at the end
    @accepts_raw_body
    @blp.arguments(ImportQuerySchema, location="query")
    @blp.response(201, ImportReportSchema)
    @blp.alt_response(200, schema=ImportReportSchema, description="A dry run, or nothing new.")
    @blp.alt_response(413, description="Past IMPORT_MAX_BYTES or IMPORT_MAX_RECORDS: nothing.")
    @blp.alt_response(
        422,
        schema=ErrorSchema,
        description="A file that cannot be read (malformed, not text in its charset, no "
        "record), of no record that can be imported, or in strict mode with any record that "
        "cannot: nothing is imported, and `errors.records` names each record and line.",
    )
    @jobs_http.may_answer_a_job(
        blp,
        "Past `JOBS_IMPORT_INLINE_BYTES`: the job importing it (poll `Location`; its "
        "`result` is the report). With `Prefer: wait=N`, the report (200) or the error "
        "when it comes within N seconds.",
    )
    @blp.doc(requestBody=IMPORT_BODY, description=IMPORT_DESCRIPTION)
    def post(self, query):
        """Import BibTeX, RIS, CSL-JSON or OpenAlex works."""
        organiser = require_organiser()
        charset = query.get("charset") or request.mimetype_params.get("charset")
        body = request.get_data()
        text = charsets.decode(body, charset)
        if len(body) > current_app.config["JOBS_IMPORT_INLINE_BYTES"]:
            params = import_job.params(
                query["format"], text, dry_run=query["dry_run"], strict=query["strict"]
            )
            return jobs_http.start(import_job.KIND, organiser, params)
        report = imports.import_publications(
            query["format"], text, dry_run=query["dry_run"], strict=query["strict"]
        )
        return report, 201 if report.publication_ids else 200


@blp.route("/<int:publication_id>")
class PublicationItem(MethodView):
    @blp.response(200, PublicationDetailSchema)
    def get(self, publication_id):
        """One publication."""
        return with_etag(services.get_publication(publication_id, *services.detail_loads()))

    @blp.arguments(PublicationWriteSchema(partial=True))
    @blp.response(200, PublicationSchema)
    def patch(self, data, publication_id):
        """Edit a publication; send ``If-Match`` with its ETag."""
        require_organiser()
        publication = services.get_publication(publication_id)
        check_if_match(publication)
        services.update_publication(publication, data)
        return with_etag(publication)

    @blp.response(204)
    def delete(self, publication_id):
        """Delete a publication."""
        require_organiser()
        publication = services.get_publication(publication_id)
        check_if_match(publication)
        services.delete_publication(publication)
