"""Centres: reading is public; organisers and admins create, edit and delete."""

from __future__ import annotations

from flask.views import MethodView

from app.centres import services
from app.centres.merge import merge_centres
from app.centres.schemas import (
    CentreDetailSchema,
    CentreQuerySchema,
    CentreSchema,
    CentreWriteSchema,
)
from app.core.api import Blueprint
from app.core.etag import check_if_match, with_etag
from app.core.exports import csv_doc
from app.core.pagination import SelectPage
from app.core.permissions import require_admin, require_organiser
from app.core.schemas import ForceSchema, MergeSchema
from app.jobs import exports
from app.jobs import http as jobs_http

blp = Blueprint(
    "centres",
    __name__,
    url_prefix="/api/v1/centres",
    description="Think tanks and analytical centres of both countries.",
)
EXPORT = exports.ListExport(
    "centres",
    CentreQuerySchema,
    exports.same_for_everyone(services.list_query),
    {"csv": exports.csv_format(CentreSchema)},
)


@blp.route("")
class Centres(MethodView):
    @blp.arguments(CentreQuerySchema, location="query")
    @blp.response(200, CentreSchema(many=True))
    @blp.doc(**csv_doc("Centre"))
    @jobs_http.may_answer_a_job(blp)
    @blp.paginate(SelectPage)
    def get(self, filters):
        """List centres: filter, search in any script, sort; ``format=csv`` exports."""
        return exports.list_or_export(EXPORT, filters)

    @blp.arguments(CentreWriteSchema)
    @blp.arguments(ForceSchema, location="query", as_kwargs=True)
    @blp.response(201, CentreSchema)
    def post(self, data, force):
        """Create a centre (409 with candidates if one of that name exists, unless force)."""
        require_organiser()
        centre = services.create_centre(data, force=force)
        return with_etag(centre)


@blp.route("/<int:centre_id>")
class CentreItem(MethodView):
    @blp.response(200, CentreDetailSchema)
    def get(self, centre_id):
        """A centre with its current experts, units, publications and partners abroad."""
        centre = services.get_centre(centre_id)
        _, headers = with_etag(centre)
        return services.with_detail(centre), headers

    @blp.arguments(CentreWriteSchema(partial=True))
    @blp.response(200, CentreSchema)
    def patch(self, data, centre_id):
        """Edit a centre; send ``If-Match`` with its ETag to avoid overwriting others."""
        require_organiser()
        centre = services.get_centre(centre_id)
        check_if_match(centre)
        services.update_centre(centre, data)
        return with_etag(centre)

    @blp.response(204)
    def delete(self, centre_id):
        """Delete a centre (its units stay, without a parent)."""
        require_organiser()
        centre = services.get_centre(centre_id)
        check_if_match(centre)
        services.delete_centre(centre)


@blp.route("/<int:centre_id>/merge")
class MergeCentre(MethodView):
    @blp.arguments(MergeSchema)
    @blp.response(200, CentreSchema)
    def post(self, data, centre_id):
        """Merge this centre into another (admins). Everything it holds moves to the survivor."""
        require_admin()
        loser, survivor = services.get_centre(centre_id), services.get_centre(data["into"])
        merge_centres(loser, survivor)
        return with_etag(survivor)
