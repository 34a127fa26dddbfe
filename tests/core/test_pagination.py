"""Counting a list's rows: the short COUNT agrees with the subquery it replaced."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.core.pagination import count_rows, page_total
from app.experts.models import Expert, expert_topics
from app.extensions import db
from app.reference.models import Topic
from tests import factories as f


@pytest.fixture
def experts(db_session):
    """Kazakh experts, two of them on one topic, and a Russian one."""
    topic = f.TopicFactory()
    kz = [f.ExpertFactory(country_code="KZ", topics=[topic]) for _ in range(2)]
    kz.append(f.ExpertFactory(country_code="KZ"))
    f.ExpertFactory(country_code="RU")
    db_session.flush()
    return kz


def subquery_count(stmt: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))


CASES = {
    "every row": sa.select(Expert),
    "filtered, sorted": sa.select(Expert).where(Expert.country_code == "KZ").order_by(Expert.id),
    "a join that repeats rows": sa.select(Topic).join(expert_topics),
    "distinct": sa.select(Topic).join(expert_topics).distinct(),
    "grouped": sa.select(Expert.country_code).group_by(Expert.country_code),
    "an aggregate": sa.select(sa.func.max(Expert.id)),
    "limited": sa.select(Expert).limit(2),
}


@pytest.mark.parametrize("name", CASES)
def test_count_rows_counts_what_the_select_returns(experts, name):
    stmt = CASES[name]
    returned = len(db.session.execute(stmt).all())
    assert count_rows(stmt) == subquery_count(stmt) == returned


@pytest.mark.parametrize(
    ("first", "size", "rows", "counted"),
    [
        (0, 20, 0, False),  # an empty list
        (0, 20, 4, False),  # the only page
        (20, 20, 4, False),  # the last page
        (0, 4, 4, True),  # a full page: more may follow
        (40, 20, 0, True),  # past the end: the total is not known
    ],
)
def test_page_total_counts_only_when_the_page_cannot_tell(
    experts, count_queries, first, size, rows, counted
):
    stmt = sa.select(Expert).where(Expert.country_code == "KZ")
    with count_queries() as counter:
        total = page_total(first, size, rows, stmt)
    assert counter.count == (1 if counted else 0)
    assert total == (subquery_count(stmt) if counted else first + rows)
