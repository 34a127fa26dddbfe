"""factory_boy factories for the domain model; they flush into the test's session."""

from __future__ import annotations

import datetime as dt

import factory
from factory.alchemy import SQLAlchemyModelFactory

from app.extensions import db
from app.models import (
    Affiliation,
    Authorship,
    Availability,
    Centre,
    Expert,
    Forum,
    ForumSeries,
    ForumSession,
    Job,
    JobFile,
    JobStatus,
    Participation,
    Project,
    ProjectCentre,
    Publication,
    Room,
    RoomWindow,
    Topic,
    User,
)


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731 - the current test session
        sqlalchemy_session_persistence = "flush"


class TopicFactory(BaseFactory):
    class Meta:
        model = Topic

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")
    name_ru = factory.Sequence(lambda n: f"Тема {n}")


class CentreFactory(BaseFactory):
    class Meta:
        model = Centre

    name_en = factory.Sequence(lambda n: f"Test Centre {n}")
    name_ru = factory.Sequence(lambda n: f"Тестовый центр {n}")
    country_code = "RU"
    kind = "independent"
    visibility = "public"
    alt_names = factory.LazyFunction(list)


class ExpertFactory(BaseFactory):
    class Meta:
        model = Expert

    full_name = factory.Sequence(lambda n: f"Test Expert {n}")
    country_code = "KZ"
    other_names = factory.LazyFunction(list)
    languages = factory.LazyFunction(lambda: ["ru"])


class AffiliationFactory(BaseFactory):
    class Meta:
        model = Affiliation

    expert = factory.SubFactory(ExpertFactory)
    centre = factory.SubFactory(CentreFactory)
    start_date = dt.date(2015, 1, 1)


class PublicationFactory(BaseFactory):
    class Meta:
        model = Publication

    title = factory.Sequence(lambda n: f"Test publication {n}")
    kind = "article"
    year = 2021
    url = factory.Sequence(lambda n: f"https://example.org/test/{n}")


class AuthorshipFactory(BaseFactory):
    class Meta:
        model = Authorship

    publication = factory.SubFactory(PublicationFactory)
    position = 1
    expert = factory.SubFactory(ExpertFactory)


class ProjectFactory(BaseFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Joint project {n}")
    kind = "joint_research"
    start_date = dt.date(2019, 1, 1)


class ProjectCentreFactory(BaseFactory):
    class Meta:
        model = ProjectCentre

    project = factory.SubFactory(ProjectFactory)
    centre = factory.SubFactory(CentreFactory)


class ForumSeriesFactory(BaseFactory):
    class Meta:
        model = ForumSeries

    slug = factory.Sequence(lambda n: f"series-{n}")
    name_en = factory.Sequence(lambda n: f"Forum series {n}")
    host_rule = "alternate"
    country_a = "RU"
    country_b = "KZ"


class ForumFactory(BaseFactory):
    class Meta:
        model = Forum

    series = factory.SubFactory(ForumSeriesFactory)
    title = factory.Sequence(lambda n: f"Forum {n}")
    edition = factory.Sequence(lambda n: n + 1)
    year = 2027
    host_country = "RU"
    city = "Omsk"
    start_date = dt.date(2027, 9, 14)
    end_date = dt.date(2027, 9, 15)
    timezone = "Asia/Omsk"


class RoomFactory(BaseFactory):
    class Meta:
        model = Room

    forum = factory.SubFactory(ForumFactory)
    name = factory.Sequence(lambda n: f"Hall {n}")
    capacity = 100


class SessionFactory(BaseFactory):
    class Meta:
        model = ForumSession

    forum = factory.SubFactory(ForumFactory)
    title = factory.Sequence(lambda n: f"Session {n}")
    format = "panel"
    duration_minutes = 90


class ParticipationFactory(BaseFactory):
    class Meta:
        model = Participation

    session = factory.SubFactory(SessionFactory)
    expert = factory.SubFactory(ExpertFactory)
    role = "speaker"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    # A real argon2 hash costs ~50 ms; tests that log in set their own.
    password_hash = "not-a-real-hash"
    role = "expert"
    email_verified_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC))


class RoomWindowFactory(BaseFactory):
    class Meta:
        model = RoomWindow

    room = factory.SubFactory(RoomFactory)
    starts_at = dt.datetime(2027, 9, 14, 4, 0, tzinfo=dt.UTC)
    ends_at = dt.datetime(2027, 9, 14, 13, 0, tzinfo=dt.UTC)


class AvailabilityFactory(BaseFactory):
    class Meta:
        model = Availability

    forum = factory.SubFactory(ForumFactory)
    expert = factory.SubFactory(ExpertFactory)
    starts_at = dt.datetime(2027, 9, 14, 4, 0, tzinfo=dt.UTC)
    ends_at = dt.datetime(2027, 9, 14, 13, 0, tzinfo=dt.UTC)


class JobFactory(BaseFactory):
    class Meta:
        model = Job

    kind = "tests.count"
    owner_id = factory.LazyAttribute(lambda job: job.owner.id)
    params = factory.LazyFunction(lambda: {"to": 3})

    class Params:
        owner = factory.SubFactory(UserFactory)


class JobFileFactory(BaseFactory):
    """A finished export's file, and its succeeded job."""

    class Meta:
        model = JobFile

    job_id = factory.LazyAttribute(lambda file: file.job.id)
    content_type = "text/csv"
    filename = "experts.csv"
    body = "\ufeffid,full_name\r\n1,Askar\r\n".encode()
    size = factory.LazyAttribute(lambda file: len(file.body))
    expires_at = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))

    class Params:
        owner = factory.SubFactory(UserFactory)
        job = factory.SubFactory(
            JobFactory,
            owner=factory.SelfAttribute("..owner"),
            kind="exports.list",
            status=JobStatus.SUCCEEDED,
            params=factory.LazyFunction(lambda: {"list": "experts"}),
        )
