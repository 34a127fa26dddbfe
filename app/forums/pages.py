"""Forum pages: the list of forums and a forum's public programme (plain Flask, no
OpenAPI entries). The same services and query schema as ``GET /api/v1/forums``."""

from __future__ import annotations

import datetime as dt

import marshmallow as ma
from babel import dates
from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l

from app.core.errors import Conflict
from app.core.i18n import language
from app.core.permissions import signed_in, user
from app.extensions import db
from app.forums import invitations, publishing, services, visibility
from app.forums.models import Forum, ParticipationStatus, PublicationStatus
from app.forums.schemas import ForumQuerySchema
from app.forums.times import clock_of, local_day, local_time, long_date, offset_label, utc_offset
from app.forums.words import FORMATS, ROLES

bp = Blueprint("forums_pages", __name__)

# Clocks differ by at most 26 hours (UTC-12 to UTC+14).
MAX_HOURS = 27
PAST_PER_PAGE = 20
MAX_PAGE = 10_000  # far past any real list; keeps the SQL offset small


class ForumPageArgs(ForumQuerySchema):
    """The API's filters, and which page of past forums."""

    class Meta:
        unknown = ma.EXCLUDE  # a stray parameter in a shared link is no error on a page

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=MAX_PAGE))


@bp.get("/forums")
def index():
    """The forums the visitor may see: those to come, soonest first, then past ones newest
    first, a page at a time; ``year``, ``host_country`` and ``series`` filter as in the API."""
    try:
        args = ForumPageArgs().load(request.args)
    except ma.ValidationError as exc:
        return _refused(exc.normalized_messages())
    page = args.pop("page")
    today = dt.datetime.now(dt.UTC).date()
    upcoming, past = services.upcoming_and_past(args, user(), today)
    # One row more than a page says whether an older page exists, without a COUNT.
    rows = db.session.scalars(past.limit(PAST_PER_PAGE + 1).offset((page - 1) * PAST_PER_PAGE))
    past_forums = list(rows)
    return render_template(
        "forums/index.html",
        upcoming=list(db.session.scalars(upcoming)) if page == 1 else [],
        past=past_forums[:PAST_PER_PAGE],
        page=page,
        older=len(past_forums) > PAST_PER_PAGE,
        filters=args,
    )


# What is wrong with a refused filter, said in the visitor's language.
FILTER_MESSAGES = {
    "year": _l("Enter a year from 1990 to 2100."),
    "host_country": _l("Enter a country code of two capital letters, such as RU or KZ."),
    "series": _l("Enter the number of a forum series."),
    "status": _l("Choose draft or published."),
    "page": _l("Enter a page number of 1 or more."),
}


def _refused(errors: dict) -> tuple[str, int]:
    """The forums page listing nothing, saying which filter of its address is wrong (400);
    the page has no form to correct it in, so it offers the whole list instead."""
    messages = {name: str(FILTER_MESSAGES[name]) for name in errors if name in FILTER_MESSAGES}
    return render_template("forums/index.html", errors=messages), 400


@bp.get("/forums/<int:forum_id>")
def programme(forum_id: int):
    """A forum's programme by day in its own zone; a draft is 404 but to those who may
    see it, who get it marked as a draft."""
    viewer = user()
    forum = visibility.forum_or_404(viewer, forum_id)
    days = publishing.by_day(forum, publishing.visible_sessions(forum, viewer))
    return render_template("forums/programme.html", forum=forum, days=days, **_feeds(forum))


def _feeds(forum: Forum) -> dict[str, str | None]:
    """The published programme's iCalendar and frab URLs (a draft has neither)."""
    if forum.status != PublicationStatus.PUBLISHED:
        return {"ics_url": None, "webcal_url": None, "frab_url": None}
    # In the page's language: a calendar program sends no cookie to ask for one.
    ics = url_for("schedule.ForumCalendar", forum_id=forum.id, lang=language(), _external=True)
    return {
        "ics_url": ics,
        "webcal_url": "webcal://" + ics.split("://", 1)[1],
        "frab_url": url_for("schedule.ForumFrab", forum_id=forum.id, _external=True),
    }


# -- what the templates show --------------------------------------------------------


def offset_words() -> dict[str, dict[int, str]]:
    """ "2 hours", "30 minutes" for every difference two clocks can have, in the interface's
    language: the page's script picks from them (the browser's Intl lacks Kazakh units)."""
    return {
        "hours": {n: ngettext("%(num)d hour", "%(num)d hours", n) for n in range(1, MAX_HOURS)},
        "minutes": {n: ngettext("%(num)d minute", "%(num)d minutes", n) for n in (15, 30, 45)},
    }


def date_span(forum: Forum) -> str:
    """The forum's dates, as the interface's language writes a range."""
    if forum.start_date == forum.end_date:
        return dates.format_date(forum.start_date, "long", locale=get_locale())
    return dates.format_interval(forum.start_date, forum.end_date, "yMMMd", locale=get_locale())


@bp.context_processor
def _helpers() -> dict:
    # Speakers link to their profile pages by path: those pages are another feature's,
    # and this one need not know how they are registered.
    return {
        "forum_utc_offset": utc_offset,
        "offset_label": offset_label,
        "offset_words": offset_words,
        "local_time": local_time,
        "local_day": local_day,
        "clock_of": clock_of,
        "long_date": long_date,
        "date_span": date_span,
        "expert_path": lambda expert_id: f"/experts/{expert_id}",
        "formats": FORMATS,
        "roles": ROLES,
    }


@bp.get("/account/invitations")
def my_invitations():
    """Your invitations to speak, moderate or discuss: the open ones to answer, then those
    answered, newest first."""
    me = signed_in()
    found = list(db.session.scalars(invitations.my_invitations(me, None)))
    # What to answer by when it takes place (unscheduled last); the answered, newest first.
    open_ = sorted(
        (p for p in found if p.status == ParticipationStatus.INVITED),
        key=lambda p: (p.session.starts_at is None, p.session.starts_at or 0, p.id),
    )
    answered = [p for p in found if p.status != ParticipationStatus.INVITED]
    return render_template(
        "forums/invitations.html",
        open_invitations=open_,
        answered=answered,
        notice=request.args.get("notice"),
    )


ANSWERS = {"accept": ParticipationStatus.ACCEPTED, "decline": ParticipationStatus.DECLINED}


@bp.post("/account/invitations/<int:participation_id>/<any(accept, decline):answer>")
def answer_invitation(participation_id: int, answer: str):
    """Accept or decline one of your invitations, once (as ``POST /api/v1/invitations``)."""
    me = signed_in(back=url_for("forums_pages.my_invitations"))
    part = invitations.own_invitation(me, participation_id)  # anyone else's: 404
    status = ANSWERS[answer]
    try:
        invitations.answer(part, status)
        notice = answer
    except Conflict:  # answered already, in another tab say: the page shows how
        notice = "already"
    return redirect(url_for("forums_pages.my_invitations", notice=notice), 303)
