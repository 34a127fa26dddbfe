"""Publication pages: a plain Flask blueprint that only maps URLs (the API is in ``routes``)."""

from __future__ import annotations

from flask import Blueprint, render_template

from app.core.pages import list_page
from app.publications import services
from app.publications.schemas import PublicationQuerySchema
from app.reference import services as reference

bp = Blueprint("publication_pages", __name__, url_prefix="/publications")


def _form() -> dict:
    return reference.form_options("countries", "topics")


@bp.get("")
def index():
    """Publications: the API list's filters and search, a page at a time; htmx gets the
    results."""
    return list_page(
        PublicationQuerySchema,
        services.list_query,
        "publications/index.html",
        "publications/_results.html",
        _form,
    )


@bp.get("/<int:publication_id>")
def show(publication_id: int):
    """A publication: its authors (linked to their profiles), year, kind, DOI, abstract."""
    publication = services.get_publication(publication_id)
    return render_template("publications/show.html", publication=publication)
