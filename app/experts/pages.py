"""Expert pages: a plain Flask blueprint that only maps URLs (the API is in ``routes``)."""

from __future__ import annotations

import functools

from flask import Blueprint, render_template

from app.core.pages import list_page
from app.core.permissions import user
from app.experts import services
from app.experts.schemas import ExpertQuerySchema
from app.reference import services as reference

bp = Blueprint("expert_pages", __name__, url_prefix="/experts")

# One reader for every request: it is part of the key the list's select is built under.
_PAGE_ROWS = functools.partial(services.list_rows, names=True)


def _form() -> dict:
    return reference.form_options("countries", "topics")


@bp.get("")
def index():
    """Experts: the API list's filters and search, a page at a time; htmx gets the results."""
    return list_page(
        ExpertQuerySchema,
        lambda filters: services.list_statement(filters, user(), _PAGE_ROWS),
        "experts/index.html",
        "experts/_results.html",
        _form,
    )


@bp.get("/<int:expert_id>")
def show(expert_id: int):
    """A profile: affiliations over time, topics, publications, the sessions the viewer may
    see, and collaborators across the border."""
    viewer = user()
    expert = services.profile(expert_id, viewer)
    expert = services.with_detail(expert, viewer)
    return render_template("experts/show.html", expert=expert)
