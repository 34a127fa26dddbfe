"""What pages and calendar feeds call a session's format and a participant's role, in
the interface's languages: one list for both, so a feed says what the programme says."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.forums.models import ParticipationRole, SessionFormat

FORMATS = {
    SessionFormat.PLENARY: _l("Plenary"),
    SessionFormat.PANEL: _l("Panel"),
    SessionFormat.ROUNDTABLE: _l("Round table"),
    SessionFormat.WORKSHOP: _l("Workshop"),
}
# Lower case: a page writes "Ivan Ivanov, speaker".
ROLES = {
    ParticipationRole.SPEAKER: _l("speaker"),
    ParticipationRole.MODERATOR: _l("moderator"),
    ParticipationRole.DISCUSSANT: _l("discussant"),
}
