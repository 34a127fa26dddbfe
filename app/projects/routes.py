"""Joint projects and agreements between centres."""

from __future__ import annotations

from flask.views import MethodView

from app.core.api import Blueprint
from app.core.etag import check_if_match, with_etag
from app.core.exports import csv_doc
from app.core.pagination import SelectPage
from app.core.permissions import require_organiser
from app.jobs import exports
from app.jobs import http as jobs_http
from app.projects import services
from app.projects.schemas import ProjectQuerySchema, ProjectSchema, ProjectWriteSchema

blp = Blueprint(
    "projects",
    __name__,
    url_prefix="/api/v1/projects",
    description="Joint projects and agreements between centres.",
)
EXPORT = exports.ListExport(
    "projects",
    ProjectQuerySchema,
    exports.same_for_everyone(services.list_query),
    {"csv": exports.csv_format(ProjectSchema)},
)


@blp.route("")
class Projects(MethodView):
    @blp.arguments(ProjectQuerySchema, location="query")
    @blp.response(200, ProjectSchema(many=True))
    @blp.doc(**csv_doc("Project"))
    @jobs_http.may_answer_a_job(blp)
    @blp.paginate(SelectPage)
    def get(self, filters):
        """List joint projects; ``format=csv`` exports every match."""
        return exports.list_or_export(EXPORT, filters)

    @blp.arguments(ProjectWriteSchema)
    @blp.response(201, ProjectSchema)
    def post(self, data):
        """Record a joint project or agreement."""
        require_organiser()
        project = services.create_project(data)
        return with_etag(project)


@blp.route("/<int:project_id>")
class ProjectItem(MethodView):
    @blp.response(200, ProjectSchema)
    def get(self, project_id):
        """One project."""
        return with_etag(services.get_project(project_id))

    @blp.arguments(ProjectWriteSchema(partial=True))
    @blp.response(200, ProjectSchema)
    def patch(self, data, project_id):
        """Edit a project; send ``If-Match`` with its ETag."""
        require_organiser()
        project = services.get_project(project_id)
        check_if_match(project)
        services.update_project(project, data)
        return with_etag(project)

    @blp.response(204)
    def delete(self, project_id):
        """Delete a project."""
        require_organiser()
        project = services.get_project(project_id)
        check_if_match(project)
        services.delete_project(project)
