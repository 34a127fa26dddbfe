"""Expert pages: a plain Flask blueprint that only maps URLs (the API is in ``routes``)."""

from __future__ import annotations

import functools

import marshmallow as ma
from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest

from app.core.errors import DomainError, Forbidden
from app.core.pages import list_page
from app.core.permissions import can_edit_expert, signed_in, user
from app.core.versioning import lock
from app.experts import profile_form, services
from app.experts.schemas import MAX_AFFILIATIONS, ExpertQuerySchema, ExpertWriteSchema
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
    can_edit = can_edit_expert(viewer, expert)
    expert = services.with_detail(expert, viewer)
    return render_template(
        "experts/show.html",
        expert=expert,
        can_edit=can_edit,
        saved=request.args.get("saved") == "1",
    )


@bp.route("/<int:expert_id>/edit", methods=["GET", "POST"])
def edit(expert_id: int):
    """Edit a profile, as ``PATCH /api/v1/experts/<id>`` does: your own, or (organisers)
    one nobody owns yet; a save that another overtook comes back to be checked (409)."""
    me = signed_in()
    expert = services.get_expert(expert_id)
    if not can_edit_expert(me, expert):
        raise Forbidden("You may edit only your own profile.")
    if request.method == "GET":
        return _edit_page(expert, profile_form.values_of(expert))
    held = profile_form.held_rows(request.form)
    if held is None:
        raise BadRequest("This form did not come from the profile page.")
    posted = profile_form.values_posted(request.form, held)
    version = request.form.get("version", "")
    if not version.isdecimal() or int(version) != lock(expert).version:
        return _overtaken(expert, posted, held)
    try:
        data = ExpertWriteSchema().load(profile_form.read(request.form, held))
        services.update_expert(expert, data)
    except ma.ValidationError as exc:
        return _edit_page(expert, posted, profile_form.messages(exc.messages), 422, held=held)
    except DomainError as exc:  # refused before anything was set (services._apply)
        return _edit_page(expert, posted, profile_form.refusals(exc.errors), exc.status, held)
    return redirect(url_for("expert_pages.show", expert_id=expert.id, saved=1), 303)


def _overtaken(expert, posted: dict, held: int):
    """Another save came first: the form comes back as the profile is now stored (so saving
    it unchanged undoes nothing of the other save), each field that differs marked and
    what was typed there shown under it, to take again what is wanted."""
    stored = profile_form.values_of(expert)
    changed = profile_form.differing(posted, stored)
    errors = {"version": str(profile_form.STALE)} | profile_form.messages_for(changed)
    typed = {name: posted[name] for name in changed if name in profile_form.TEXT_FIELDS}
    return _edit_page(expert, stored, errors, 409, typed=typed)


def _edit_page(
    expert,
    values: dict,
    errors: dict | None = None,
    status: int = 200,
    held: int | None = None,
    typed: dict | None = None,
):
    options = reference.form_options("countries", "topics")
    return render_template(
        "experts/edit.html",
        expert=expert,
        values=values,
        errors=errors or {},
        typed=typed or {},
        countries=options["countries"],
        topics=options["topics"],
        centres=services.centre_options(),
        held=len(expert.affiliations) if held is None else held,
        max_affiliations=MAX_AFFILIATIONS,
    ), status
