"""Claims on existing expert profiles."""

from __future__ import annotations

from flask.views import MethodView

from app.claims import services
from app.claims.schemas import ClaimCreateSchema, ClaimDecisionSchema, ClaimQuerySchema, ClaimSchema
from app.core.api import Blueprint
from app.core.pagination import SelectPage
from app.core.permissions import require_admin, require_user
from app.experts.services import get_expert

blp = Blueprint(
    "claims",
    __name__,
    url_prefix="/api/v1",
    description="Claiming an existing (for example seeded) expert profile.",
)


@blp.route("/experts/<int:expert_id>/claim")
class ClaimProfile(MethodView):
    @blp.arguments(ClaimCreateSchema, required=False)
    @blp.response(201, ClaimSchema)
    def post(self, data, expert_id):
        """Ask for this profile to become yours; an admin decides."""
        user = require_user()
        claim = services.create_claim(user, get_expert(expert_id), data.get("message"))
        return claim


@blp.route("/claims")
class Claims(MethodView):
    @blp.arguments(ClaimQuerySchema, location="query")
    @blp.response(200, ClaimSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Claims: all of them for admins, your own for anyone else."""
        return services.claims_query(require_user(), query.get("status"))


@blp.route("/claims/<int:claim_id>")
class ClaimItem(MethodView):
    @blp.response(200, ClaimSchema)
    def get(self, claim_id):
        """One claim."""
        return services.get_claim(require_user(), claim_id)


@blp.route("/claims/<int:claim_id>/approve")
class Approve(MethodView):
    @blp.arguments(ClaimDecisionSchema, required=False)
    @blp.response(200, ClaimSchema)
    def post(self, data, claim_id):
        """Approve: the profile becomes the claimant's, and is marked verified."""
        admin = require_admin()
        claim = services.approve(admin, services.get_claim(admin, claim_id), data.get("note"))
        return claim


@blp.route("/claims/<int:claim_id>/reject")
class Reject(MethodView):
    @blp.arguments(ClaimDecisionSchema, required=False)
    @blp.response(200, ClaimSchema)
    def post(self, data, claim_id):
        """Reject the claim."""
        admin = require_admin()
        claim = services.reject(admin, services.get_claim(admin, claim_id), data.get("note"))
        return claim
