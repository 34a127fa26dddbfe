"""Imports every feature's models so that ``Base.metadata`` holds the whole schema.

Alembic and the tests read the metadata through this module.
"""

from app.accounts.models import Role, User
from app.centres.models import Centre, CentreKind, Visibility, centre_topics
from app.experts.models import Affiliation, Expert, expert_topics
from app.forums.models import (
    Forum,
    ForumSeries,
    ForumSession,
    HostRule,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    PublicationStatus,
    Room,
    SessionFormat,
    session_topics,
)
from app.projects.models import Project, ProjectCentre, ProjectKind, project_topics
from app.publications.models import Authorship, Publication, PublicationKind, publication_topics
from app.reference.models import Country, Region, Topic

__all__ = [
    "Affiliation",
    "Authorship",
    "Centre",
    "CentreKind",
    "Country",
    "Expert",
    "Forum",
    "ForumSeries",
    "ForumSession",
    "HostRule",
    "Participation",
    "ParticipationRole",
    "ParticipationStatus",
    "Project",
    "ProjectCentre",
    "ProjectKind",
    "Publication",
    "PublicationKind",
    "PublicationStatus",
    "Region",
    "Role",
    "Room",
    "SessionFormat",
    "Topic",
    "User",
    "Visibility",
    "centre_topics",
    "expert_topics",
    "project_topics",
    "publication_topics",
    "session_topics",
]
