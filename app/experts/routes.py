"""Expert profiles: reading is public; editing follows :func:`can_edit_expert`."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.core.errors import Forbidden
from app.core.permissions import can_edit_expert, require_user
from app.experts import services
from app.experts.schemas import ExpertPatchSchema, ExpertSchema
from app.extensions import db

blp = Blueprint(
    "experts", __name__, url_prefix="/api/v1/experts", description="Experts of both countries."
)


@blp.route("/<int:expert_id>")
class ExpertItem(MethodView):
    @blp.response(200, ExpertSchema)
    def get(self, expert_id):
        """One expert's profile."""
        return services.get_expert(expert_id)

    @blp.arguments(ExpertPatchSchema)
    @blp.response(200, ExpertSchema)
    def patch(self, data, expert_id):
        """Edit a profile: your own, or (organisers) one nobody owns yet."""
        actor = require_user()
        expert = services.get_expert(expert_id)
        if not can_edit_expert(actor, expert):
            raise Forbidden("You may edit only your own profile.")
        services.update_expert(expert, data)
        db.session.commit()
        return expert
