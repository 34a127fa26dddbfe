"""Forum series, forums (editions) and their rooms. Reading is public; organisers write."""

from __future__ import annotations

from flask.views import MethodView

from app.core.api import Blueprint
from app.core.etag import check_if_match, with_etag
from app.core.lookup import get_or_404
from app.core.pagination import SelectPage
from app.core.permissions import require_organiser, require_user, user
from app.extensions import db
from app.forums import invitations, services, sessions, visibility
from app.forums.models import Forum, ForumSeries, ForumSession, ParticipationStatus, Room
from app.forums.schemas import (
    ForumQuerySchema,
    ForumSchema,
    ForumSeriesSchema,
    ForumSeriesWriteSchema,
    ForumWriteSchema,
    InvitationQuerySchema,
    InvitationSchema,
    NextEditionSchema,
    ParticipationSchema,
    RoomSchema,
    SessionSchema,
    SessionWriteSchema,
)

blp = Blueprint(
    "forums", __name__, url_prefix="/api/v1", description="Forum series, their editions and rooms."
)


@blp.route("/forum-series")
class SeriesList(MethodView):
    @blp.response(200, ForumSeriesSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self):
        """Forum series, such as the annual Strategic Cooperation Forum."""
        return services.series_query()

    @blp.arguments(ForumSeriesWriteSchema)
    @blp.response(201, ForumSeriesSchema)
    def post(self, data):
        """Start a series; ``host_rule: alternate`` swaps the host every edition."""
        require_organiser()
        return with_etag(services.create_series(data))


@blp.route("/forum-series/<int:series_id>")
class SeriesItem(MethodView):
    @blp.response(200, ForumSeriesSchema)
    def get(self, series_id):
        """One series."""
        return with_etag(get_or_404(ForumSeries, series_id, "forum series"))


@blp.route("/forums")
class Forums(MethodView):
    @blp.arguments(ForumQuerySchema, location="query")
    @blp.response(200, ForumSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, filters):
        """Forums, newest first (drafts only for organisers and the experts invited)."""
        return services.forums_query(filters, user())

    @blp.arguments(ForumWriteSchema)
    @blp.response(201, ForumSchema)
    def post(self, data):
        """Plan a forum. In an alternating series the host must be the other country than
        last time (422), unless ``override_alternation``, which is audited."""
        require_organiser()
        forum = services.create_forum(data)
        return with_etag(forum)


@blp.route("/forums/<int:forum_id>")
class ForumItem(MethodView):
    @blp.response(200, ForumSchema)
    def get(self, forum_id):
        """One forum; a draft is 404 but to organisers and the experts invited to it."""
        return with_etag(visibility.forum_or_404(user(), forum_id))

    @blp.arguments(ForumWriteSchema(partial=True))
    @blp.response(200, ForumSchema)
    def patch(self, data, forum_id):
        """Edit a forum; send ``If-Match`` with its ETag."""
        require_organiser()
        forum = get_or_404(Forum, forum_id, "forum")
        check_if_match(forum)
        services.update_forum(forum, data)
        return with_etag(forum)

    @blp.response(204)
    def delete(self, forum_id):
        """Delete a forum with its rooms and sessions."""
        require_organiser()
        forum = get_or_404(Forum, forum_id, "forum")
        check_if_match(forum)
        db.session.delete(forum)


@blp.route("/forums/<int:forum_id>/next-edition")
class NextEdition(MethodView):
    @blp.arguments(NextEditionSchema, required=False)
    @blp.response(201, ForumSchema)
    def post(self, data, forum_id):
        """Create next year's edition: the other host, the same weekdays a year on, the same
        rooms and sessions (unscheduled); the body may set its title, city and start."""
        require_organiser()
        forum = services.next_edition(get_or_404(Forum, forum_id, "forum"), data)
        return with_etag(forum)


@blp.route("/forums/<int:forum_id>/rooms")
class Rooms(MethodView):
    @blp.response(200, RoomSchema(many=True))
    def get(self, forum_id):
        """A forum's rooms."""
        return visibility.forum_or_404(user(), forum_id).rooms

    @blp.arguments(RoomSchema)
    @blp.response(201, RoomSchema)
    def post(self, data, forum_id):
        """Add a room with its capacity."""
        require_organiser()
        return with_etag(services.add_room(get_or_404(Forum, forum_id, "forum"), data))


@blp.route("/rooms/<int:room_id>")
class RoomItem(MethodView):
    @blp.response(200, RoomSchema)
    def get(self, room_id):
        """One room with its windows, in the forum's zone."""
        return with_etag(visibility.room_or_404(user(), room_id))

    @blp.arguments(RoomSchema(partial=True))
    @blp.response(200, RoomSchema)
    def patch(self, data, room_id):
        """Rename a room, change its capacity, or replace its windows (``If-Match`` as for
        centres)."""
        require_organiser()
        room = get_or_404(Room, room_id, "room")
        check_if_match(room)
        return with_etag(services.update_room(room, data))

    @blp.response(204)
    def delete(self, room_id):
        """Remove a room; its sessions keep their times but lose the room (published ones
        say so in the programme's changelog)."""
        require_organiser()
        room = get_or_404(Room, room_id, "room")
        check_if_match(room)
        services.delete_room(room)


@blp.route("/forums/<int:forum_id>/sessions")
class Sessions(MethodView):
    @blp.response(200, SessionSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, forum_id):
        """A forum's sessions, scheduled first, in time order (drafts only for organisers
        and the experts invited to them)."""
        viewer = user()
        return sessions.sessions_query(visibility.forum_or_404(viewer, forum_id), viewer)

    @blp.arguments(SessionWriteSchema)
    @blp.response(201, SessionSchema)
    def post(self, data, forum_id):
        """Add a session; without ``start`` it stays unscheduled."""
        require_organiser()
        session = sessions.create_session(get_or_404(Forum, forum_id, "forum"), data)
        return with_etag(session)


@blp.route("/sessions/<int:session_id>")
class SessionItem(MethodView):
    @blp.response(200, SessionSchema)
    def get(self, session_id):
        """One session, its times in the forum's zone; a draft is 404 but to organisers
        and the experts invited to it."""
        return with_etag(visibility.session_or_404(user(), session_id))

    @blp.arguments(SessionWriteSchema(partial=True))
    @blp.response(200, SessionSchema)
    def patch(self, data, session_id):
        """Edit a session; a stale ``If-Match`` (its version moved on) gets 412."""
        require_organiser()
        session = get_or_404(ForumSession, session_id, "session")
        check_if_match(session)
        sessions.update_session(session, data)
        return with_etag(session)

    @blp.response(204)
    def delete(self, session_id):
        """Delete a session."""
        require_organiser()
        session = get_or_404(ForumSession, session_id, "session")
        check_if_match(session)
        sessions.delete_session(session)


@blp.route("/sessions/<int:session_id>/participants")
class Participants(MethodView):
    @blp.response(200, ParticipationSchema(many=True))
    def get(self, session_id):
        """A session's participants and their answers (organisers)."""
        require_organiser()
        return get_or_404(ForumSession, session_id, "session").participations

    @blp.arguments(ParticipationSchema)
    @blp.response(201, ParticipationSchema)
    def post(self, data, session_id):
        """Invite an expert as speaker, moderator or discussant."""
        require_organiser()
        return invitations.invite(get_or_404(ForumSession, session_id, "session"), data)


@blp.route("/me/invitations")
class MyInvitations(MethodView):
    @blp.arguments(InvitationQuerySchema, location="query")
    @blp.response(200, InvitationSchema(many=True))
    @blp.paginate(SelectPage)
    def get(self, query):
        """Your invitations, newest first."""
        return invitations.my_invitations(require_user(), query.get("status"))


@blp.route("/invitations/<int:participation_id>/<any(accept, decline):answer>")
class Answer(MethodView):
    @blp.response(200, InvitationSchema)
    def post(self, participation_id, answer):
        """Accept or decline one of your invitations, once."""
        part = invitations.own_invitation(require_user(), participation_id)
        status = (
            ParticipationStatus.ACCEPTED if answer == "accept" else ParticipationStatus.DECLINED
        )
        invitations.answer(part, status)
        return part


@blp.route("/invitations/<int:participation_id>/reopen")
class Reopen(MethodView):
    @blp.response(200, InvitationSchema)
    def post(self, participation_id):
        """Reopen an answered invitation (organisers), so the expert can answer again."""
        require_organiser()
        return invitations.reopen(invitations.get_participation(participation_id))
