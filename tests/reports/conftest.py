"""Fixtures for the report tests: an organiser to call them, and records that tie a fresh pair.

The helpers they build on are in ``tests.reports.helpers``.
"""

from __future__ import annotations

import datetime as dt

import pytest

# Rewrite the assert in the helpers' get_report, so a failure shows its values.
pytest.register_assert_rewrite("tests.reports.helpers")

from tests.reports.helpers import (  # noqa: E402 -- imported once the rewrite is registered
    joint_project,
    joint_publication,
    member,
    new_centre,
    shared_session,
)


@pytest.fixture
def organiser(caller, make_user):
    return caller(make_user("organiser"))


@pytest.fixture
def fresh_pair(db_session):
    """A new Russian and a new Kazakh centre, one member each, not tied to anybody yet."""
    ru, kz = new_centre("RU", "RU-NEW"), new_centre("KZ", "KZ-NEW")
    return {"ru": ru, "kz": kz, "ru_expert": member(ru), "kz_expert": member(kz)}


@pytest.fixture
def years_of_ties(fresh_pair):
    ru, kz = fresh_pair["ru"], fresh_pair["kz"]
    other_ru = new_centre("RU", "RU-OTHER")
    joint_publication(dt.date(2019, 3, 1), ru, kz)
    joint_publication(dt.date(2019, 9, 1), ru, other_ru, kz)  # two pairs, one publication
    shared_session(dt.date(2019, 11, 5), fresh_pair["ru_expert"], fresh_pair["kz_expert"])
    joint_project(dt.date(2020, 2, 1), dt.date(2021, 6, 30), ru, kz)
    joint_publication(dt.date(2020, 10, 1), other_ru, kz)
    joint_publication(dt.date(2022, 4, 1), ru, kz)
    shared_session(dt.date(2022, 11, 5), fresh_pair["ru_expert"], fresh_pair["kz_expert"])
