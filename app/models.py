"""Imports every feature's models so that ``Base.metadata`` holds the whole schema.

Alembic and the tests read the metadata through this module.
"""

from app.accounts.models import ApiToken, ClaimStatus, ProfileClaim, Role, TokenScope, User
from app.audit.models import AuditEntry
from app.centres.models import Centre, CentreKind, Visibility, centre_topics
from app.core.mail import OutboxMessage
from app.core.models import Base
from app.experts.models import Affiliation, Expert, expert_topics
from app.forums.models import (
    Availability,
    ChangeKind,
    Forum,
    ForumSeries,
    ForumSession,
    HostRule,
    Participation,
    ParticipationRole,
    ParticipationStatus,
    ProgrammeChange,
    PublicationStatus,
    Room,
    RoomWindow,
    SessionFormat,
    session_topics,
)
from app.jobs.models import Job, JobFile, JobStatus
from app.projects.models import Project, ProjectCentre, ProjectKind, project_topics
from app.publications.models import Authorship, Publication, PublicationKind, publication_topics
from app.reference.models import Country, Region, Topic
from app.reports.models import CentreTie, ExpertTie, Finding, FindingKind, TieKind
from app.search.models import SearchKey

__all__ = [
    "Affiliation",
    "ApiToken",
    "AuditEntry",
    "Authorship",
    "Availability",
    "Base",
    "Centre",
    "CentreKind",
    "CentreTie",
    "ChangeKind",
    "ClaimStatus",
    "Country",
    "Expert",
    "ExpertTie",
    "Finding",
    "FindingKind",
    "Forum",
    "ForumSeries",
    "ForumSession",
    "HostRule",
    "Job",
    "JobFile",
    "JobStatus",
    "OutboxMessage",
    "Participation",
    "ParticipationRole",
    "ParticipationStatus",
    "ProfileClaim",
    "ProgrammeChange",
    "Project",
    "ProjectCentre",
    "ProjectKind",
    "Publication",
    "PublicationKind",
    "PublicationStatus",
    "Region",
    "Role",
    "Room",
    "RoomWindow",
    "SearchKey",
    "SessionFormat",
    "TieKind",
    "TokenScope",
    "Topic",
    "User",
    "Visibility",
    "centre_topics",
    "expert_topics",
    "project_topics",
    "publication_topics",
    "session_topics",
]
