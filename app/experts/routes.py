"""Experts: reading is public; editing follows :func:`can_edit_expert`."""

from __future__ import annotations

from flask.views import MethodView

from app.core.api import Blueprint
from app.core.errors import Forbidden
from app.core.etag import check_if_match, with_etag
from app.core.exports import csv_doc
from app.core.pagination import SelectPage
from app.core.permissions import (
    can_delete_expert,
    can_edit_expert,
    require_admin,
    require_organiser,
    require_user,
    user,
)
from app.core.schemas import ForceSchema, MergeSchema
from app.experts import services
from app.experts.merge import merge_experts
from app.experts.schemas import (
    ExpertDetailSchema,
    ExpertQuerySchema,
    ExpertSchema,
    ExpertWriteSchema,
)
from app.jobs import exports
from app.jobs import http as jobs_http

blp = Blueprint(
    "experts", __name__, url_prefix="/api/v1/experts", description="Experts of both countries."
)
EXPORT = exports.ListExport(
    "experts",
    ExpertQuerySchema,
    services.list_query,
    {"csv": exports.csv_format(ExpertSchema)},
    # A page of JSON reads plain rows (list_rows); an export reads objects.
    page=lambda filters, viewer: services.list_statement(filters, viewer, services.list_rows),
)


@blp.route("")
class Experts(MethodView):
    @blp.arguments(ExpertQuerySchema, location="query")
    @blp.response(200, ExpertSchema(many=True))
    @blp.doc(**csv_doc("Expert"))
    @jobs_http.may_answer_a_job(blp)
    @blp.paginate(SelectPage)
    def get(self, filters):
        """List experts: filter, search names in any script, sort; ``format=csv`` exports."""
        return exports.list_or_export(EXPORT, filters)

    @blp.arguments(ExpertWriteSchema)
    @blp.arguments(ForceSchema, location="query", as_kwargs=True)
    @blp.response(201, ExpertSchema)
    def post(self, data, force):
        """Add an expert (409 with candidates if one of that name exists, unless force)."""
        require_organiser()
        expert = services.create_expert(data, force=force)
        return with_etag(expert)


@blp.route("/<int:expert_id>")
class ExpertItem(MethodView):
    @blp.response(200, ExpertDetailSchema)
    def get(self, expert_id):
        """A profile with affiliations over time, publications, sessions and collaborators
        across the border."""
        expert = services.get_visible_expert(expert_id, user())
        _, headers = with_etag(expert)
        return services.with_detail(expert, user()), headers

    @blp.arguments(ExpertWriteSchema(partial=True))
    @blp.response(200, ExpertSchema)
    def patch(self, data, expert_id):
        """Edit a profile: your own, or (organisers) one nobody owns yet. Send ``If-Match``."""
        actor = require_user()
        expert = services.get_expert(expert_id)
        if not can_edit_expert(actor, expert):
            raise Forbidden("You may edit only your own profile.")
        check_if_match(expert)
        services.update_expert(expert, data)
        return with_etag(expert)

    @blp.response(204)
    def delete(self, expert_id):
        """Delete a profile (admins; organisers for profiles nobody owns)."""
        actor = require_user()
        expert = services.get_expert(expert_id)
        if not can_delete_expert(actor, expert):
            raise Forbidden("Only admins delete profiles that belong to a user.")
        check_if_match(expert)
        services.delete_expert(expert)


@blp.route("/<int:expert_id>/merge")
class MergeExpert(MethodView):
    @blp.arguments(MergeSchema)
    @blp.response(200, ExpertSchema)
    def post(self, data, expert_id):
        """Merge this expert into another (admins). Everything it holds moves to the survivor."""
        require_admin()
        loser, survivor = services.get_expert(expert_id), services.get_expert(data["into"])
        merge_experts(loser, survivor)
        return with_etag(survivor)
