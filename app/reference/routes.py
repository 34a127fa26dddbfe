"""Countries, regions and topics: read-only reference data."""

from __future__ import annotations

import sqlalchemy as sa
from flask.views import MethodView

from app.core.api import Blueprint
from app.core.lookup import get_or_404
from app.extensions import db
from app.reference.models import Country, Region, Topic
from app.reference.schemas import (
    CountrySchema,
    RegionQuerySchema,
    RegionSchema,
    TopicQuerySchema,
    TopicSchema,
)

blp = Blueprint(
    "reference",
    __name__,
    url_prefix="/api/v1",
    description="Countries, border regions and the roadmap's topics.",
)


@blp.route("/countries")
class Countries(MethodView):
    @blp.response(200, CountrySchema(many=True))
    def get(self):
        """Every country."""
        return db.session.scalars(sa.select(Country).order_by(Country.code)).all()


@blp.route("/countries/<string(length=2):code>")
class CountryItem(MethodView):
    @blp.response(200, CountrySchema)
    def get(self, code):
        """One country by its ISO code."""
        return get_or_404(Country, code.upper(), "country")


@blp.route("/regions")
class Regions(MethodView):
    @blp.arguments(RegionQuerySchema, location="query")
    @blp.response(200, RegionSchema(many=True))
    def get(self, filters):
        """Regions, for example the border regions of one country."""
        stmt = sa.select(Region).order_by(Region.country_code, Region.id)
        if "country" in filters:
            stmt = stmt.where(Region.country_code == filters["country"])
        if "is_border" in filters:
            stmt = stmt.where(Region.is_border.is_(filters["is_border"]))
        return db.session.scalars(stmt).all()


@blp.route("/regions/<int:region_id>")
class RegionItem(MethodView):
    @blp.response(200, RegionSchema)
    def get(self, region_id):
        """One region."""
        return get_or_404(Region, region_id, "region")


@blp.route("/topics")
class Topics(MethodView):
    @blp.arguments(TopicQuerySchema, location="query")
    @blp.response(200, TopicSchema(many=True))
    def get(self, filters):
        """The roadmap's topics (a parent's children with ``parent``)."""
        stmt = sa.select(Topic).order_by(Topic.id)
        if "parent" in filters:
            stmt = stmt.where(Topic.parent_id == filters["parent"])
        return db.session.scalars(stmt).all()


@blp.route("/topics/<int:topic_id>")
class TopicItem(MethodView):
    @blp.response(200, TopicSchema)
    def get(self, topic_id):
        """One topic."""
        return get_or_404(Topic, topic_id, "topic")
