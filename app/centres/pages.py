"""Centre pages: a plain Flask blueprint that only maps URLs (the API is in ``routes``)."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.centres import services
from app.centres.schemas import CentreQuerySchema
from app.core.pages import list_page
from app.reference import services as reference

bp = Blueprint("centre_pages", __name__, url_prefix="/centres")


def _form() -> dict:
    return reference.form_options("countries", "topics", "regions")


@bp.get("")
def index():
    """Centres: the API list's filters and search, a page at a time; htmx gets the results."""
    return list_page(
        CentreQuerySchema, services.list_query, "centres/index.html", "centres/_results.html", _form
    )


@bp.get("/<int:centre_id>")
def show(centre_id: int):
    """A centre: where it is, its parent and units, its experts, publications and partners
    across the border."""
    centre = services.with_detail(services.get_centre(centre_id))
    return render_template("centres/show.html", centre=centre)
