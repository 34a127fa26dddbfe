"""Public pages: a plain Flask blueprint that only maps URLs (no OpenAPI entries)."""

from __future__ import annotations

import marshmallow as ma
from flask import Blueprint, current_app, redirect, render_template, request
from werkzeug.exceptions import BadRequest

from app.accounts import services as accounts
from app.core.i18n import LANGUAGES, remember_language
from app.core.listing import q_field
from app.core.pages import is_htmx
from app.core.permissions import user
from app.core.redirects import safe_next
from app.site import labels
from app.site.services import search_directory

bp = Blueprint("site", __name__)
# The directory's vocabularies, for every feature's pages.
bp.add_app_template_global(labels.label, "label")
bp.add_app_template_global(labels.options, "label_options")


class SearchArgs(ma.Schema):
    """The page's ``q``: the same field, and the same limits, as the API lists'."""

    q = q_field()


@bp.get("/")
def home():
    """What the platform is, a search box, and where each kind of user starts."""
    return render_template("site/home.html")


@bp.get("/search")
def search():
    """Experts, centres and publications matching ``q``; htmx gets only the results."""
    q = request.args.get("q", "").strip()
    error, results = None, None
    if q:
        try:
            SearchArgs().load({"q": q})
        except ma.ValidationError:
            error = True
        else:
            results = search_directory(q, user())
    template = "site/_results.html" if is_htmx() else "site/search.html"
    response = current_app.make_response(
        render_template(template, q=q, results=results, error=error)
    )
    response.vary.add("HX-Request")
    return response


@bp.post("/language")
def set_language():
    """Remember the chosen interface language in a cookie and go back where the form was."""
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        raise BadRequest("Unknown language.")
    if (me := user()) is not None:  # their mail, and their next login, follow the choice
        accounts.set_language(me, lang)
    return remember_language(redirect(safe_next(request.form.get("next")), 303), lang)
