"""Fixtures for the forum tests: a two-day forum in Almaty, and an organiser."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories as f


@pytest.fixture
def forum_in(db_session):
    """``forum_in(zone, host)``: a forum on 14-15 September 2027 in that zone."""

    def make(zone: str = "Asia/Almaty", host: str = "KZ"):
        return f.ForumFactory(
            timezone=zone,
            host_country=host,
            start_date=dt.date(2027, 9, 14),
            end_date=dt.date(2027, 9, 15),
        )

    return make


@pytest.fixture
def forum(forum_in):
    return forum_in()


@pytest.fixture
def organiser(caller, make_user):
    return caller(make_user("organiser"))
