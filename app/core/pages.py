"""What the directory's list pages share: the page's arguments read with the API's own
query schema, one page of a select, and htmx's partial answers."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import flask
import jinja2
import marshmallow as ma
from flask import Flask, Response, current_app, has_request_context, render_template, request
from flask_babel import gettext as _
from jinja2.environment import TemplateModule
from jinja2.runtime import Context
from marshmallow import validate

from app.core.fields import MAX_ID, YEARS_REVERSED
from app.core.pagination import Query, page_total, read_page
from app.core.permissions import LoginNeeded

PAGE_SIZE = 20


class PageArgs(ma.Schema):
    """The page number: the one argument a list page adds to the API's filters."""

    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_ID))


@dataclass
class Filters:
    """What a list page was asked for: the filters as the API's schema loaded them, the
    arguments as sent (to fill the form again), and each refused argument's message."""

    values: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1

    @property
    def narrowed(self) -> bool:
        """Whether anything but the search was asked for (the form shows its filters)."""
        return bool(self.raw.keys() - {"q"})


@dataclass
class Paged:
    items: list[Any]
    total: int
    page: int
    pages: int


def is_htmx() -> bool:
    """An htmx request for part of a page (a history restore wants the whole page)."""
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


@functools.cache
def _filters_schema(schema_cls: type[ma.Schema]) -> ma.Schema:
    """``schema_cls`` less ``format``, made once: a schema copies its declared fields
    when made, which cost a list page ~0.3 M instructions; loading keeps no state on it."""
    return schema_cls(exclude=("format",))


_PAGE_ARGS = PageArgs()


def read_filters(schema_cls: type[ma.Schema]) -> Filters:
    """The query string, loaded by the API list's ``schema_cls`` less its ``format`` (the
    page links to the API's export instead). A GET form sends its empty fields: they mean
    "any", so they are dropped first. Repeated arguments count once, as in the API."""
    raw = {key: value for key, value in request.args.items() if value.strip()}
    page_raw = {"page": raw.pop("page")} if "page" in raw else {}
    found = Filters(raw=raw)
    try:
        found.values = _filters_schema(schema_cls).load(raw)
    except ma.ValidationError as error:
        found.errors.update(error.normalized_messages())
    try:
        found.page = _PAGE_ARGS.load(page_raw)["page"]
    except ma.ValidationError as error:
        found.errors.update(error.normalized_messages())
    return found


def error_messages(errors: dict[str, Any], schema_cls: type[ma.Schema]) -> dict[str, str]:
    """Each refused argument with a message in the visitor's language (marshmallow's are
    English, for the API)."""
    known = schema_cls().fields
    messages = {}
    for name, reasons in errors.items():
        if name == "q":
            text = _("Enter a search of at most 200 characters.")
        elif name == "year_to" and YEARS_REVERSED in reasons:
            text = _("Enter a last year no earlier than the first.")
        elif name in {"year_from", "year_to"}:
            text = _("Enter a year from 1900 to 2100.")
        elif name == "page":
            text = _("Enter a page number of 1 or more.")
        elif name in known and name != "format":
            text = _("Choose one of the options offered.")
        else:
            text = _("This page has no filter called “%(name)s”.", name=name)
        messages[name] = text
    return messages


def paginate(query: Query, page: int, size: int = PAGE_SIZE) -> Paged:
    """One page of ``query``, read as the API reads its pages (:func:`read_page`), and a
    COUNT only when the page does not tell the total (a page neither empty nor full ends
    the list)."""
    first = (page - 1) * size
    items = read_page(query, first, size)
    total = page_total(first, size, len(items), query)
    return Paged(items, total, page, max(1, math.ceil(total / size)))


def only(mapping: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The ``only`` filter: ``mapping``'s items named in ``names`` (what a memoised part of a
    page reads of the arguments, so that the search typed does not make it anew)."""
    return {name: mapping[name] for name in names if name in mapping}


class _Template(jinja2.Template):
    """Jinja's template, with a cheaper check on ``{% from ... import ... %}``."""

    def _get_default_module(self, ctx: Context | None = None) -> TemplateModule:
        # Jinja makes the imported module anew when the importing context has globals the
        # imported template lacks; it finds out by testing each of ~40 global names against
        # a ChainMap, ~0.1 M instructions an import, three or four a page. Our templates
        # all have the environment's globals and no others of their own, so the test is
        # one set difference; otherwise Jinja's own runs.
        own = getattr(self.globals, "maps", [None])[0]  # a ChainMap over the environment's
        if ctx is not None and own == {} and not ctx.globals_keys - self.environment.globals.keys():
            ctx = None
        return super()._get_default_module(ctx)


def url_for(endpoint: str, **values: Any) -> str:
    """Templates' ``url_for``: Flask's, each distinct link built once per mount point in
    this process. Flask builds a link in ~7 µs (its routing map, converters, defaults), a
    dozen or more a page; the same few come back on every page. A relative link depends on
    nothing else (the app has no URL defaults), so an endpoint relative to the current
    blueprint, a ``_``-option (external, anchor, scheme, method), a value that is not
    hashable and a call outside a request go to Flask each time."""
    if endpoint[0] == "." or not has_request_context() or any(k[0] == "_" for k in values):
        return flask.url_for(endpoint, **values)
    try:
        return _built(request.script_root, endpoint, tuple(values.items()))
    except TypeError:  # unhashable: a list of values for one query argument
        return flask.url_for(endpoint, **values)


@functools.lru_cache(maxsize=8192)
def _built(_script_root: str, endpoint: str, values: tuple[tuple[str, Any], ...]) -> str:
    return flask.url_for(endpoint, **dict(values))


def register(app: Flask) -> None:
    """Templates' own template class and ``url_for``, the lists' ``only`` filter, and the
    way to the login page for pages that need one (:func:`permissions.signed_in`)."""
    app.jinja_env.template_class = _Template
    app.jinja_env.globals["url_for"] = url_for
    app.jinja_env.filters["only"] = only
    app.register_error_handler(LoginNeeded, _to_login)


def _to_login(exc: LoginNeeded) -> Response:
    back = exc.back or request.path
    code = 302 if request.method == "GET" else 303
    return flask.redirect(flask.url_for("accounts.login", next=back), code)


def render_listing(template: str, fragment: str, status: int = 200, **context: Any) -> Response:
    """The whole page, or for htmx only its results region (what is wrong, when refused)."""
    if is_htmx():
        template = "_refused_results.html" if context.get("errors") else fragment
    body = render_template(template, **context)
    response = current_app.make_response((body, status))
    response.vary.add("HX-Request")
    return response


def list_page(
    schema_cls: type[ma.Schema],
    list_query: Callable[[dict[str, Any]], Query],
    template: str,
    fragment: str,
    form: Callable[[], dict[str, Any]],
) -> Response:
    """A directory list: the API's filters and search, a page of what matches, the
    filter form (``form()`` gives what it offers; an htmx answer has no form). Refused
    arguments answer 400 with the form and an error summary, and query nothing."""
    filters = read_filters(schema_cls)
    context = {} if is_htmx() else {"form": form()}
    if filters.errors:
        messages = error_messages(filters.errors, schema_cls)
        return render_listing(
            template, fragment, 400, filters=filters, listing=None, errors=messages, **context
        )
    listing = paginate(list_query(filters.values), filters.page)
    return render_listing(
        template, fragment, filters=filters, listing=listing, errors={}, **context
    )
