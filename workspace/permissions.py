"""What one person may do in one session's workspace (see SessionAccess)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from challenge.prepared import PreparedQuery
from programmes.permissions import belongs_to, is_officer_of, refuse_outside
from sessions.independence import rule_for
from sessions.models import ChallengeSession, Participant
from sessions.permissions import can_manage_session

# Every workspace page's participants: unsorted (Participant's ordering joins the session, and
# no answer here depends on it), the SQL built once (challenge/prepared.py).
_PARTICIPANTS = PreparedQuery(lambda session: Participant.objects.filter(session_id=session).order_by(), session=int)


class SessionAccess:
    """What one user may do in one session's workspace, worked out once per request.

    facilitator: everything in their programme. Presenter (or the area's lead officer):
    answers for their areas, replies. Peer reviewer (a scrutiny meeting's panel member, a
    stretch session's challenger): comments, except where the session kind's independence
    rule refuses it (for a peer challenge, areas their own organisation leads), and replies
    in their own threads.
    Observer and the partnership's officers: read. Anybody else, and anyone no longer an
    active member of the partnership: nothing.

    `participants`: the session's participants, if already read. Otherwise they are read here,
    all of them in one query (a session has a few dozen): this user's parts, and who presents
    each area (the workspace's "mine" filter: what waits for an area's presenters)."""

    def __init__(self, user, session, participants=None):
        self.user = user
        self.session = session
        partnership = session.programme.partnership_id
        self.is_member = belongs_to(user, partnership)
        if not self.is_member:
            participants = []
        elif participants is None:
            participants = _PARTICIPANTS.all(session=session.pk)
            for participant in participants:
                participant.session = session  # as the related manager would
        self.participants = participants
        participants = [p for p in participants if p.person_id == user.pk]
        self.parts = participants
        self.is_facilitator = can_manage_session(user, session)
        self.is_officer = is_officer_of(user, partnership)
        self.partner = user.partner_in(partnership) if self.is_member else None
        self.presenter_area_ids = {p.area_id for p in participants if p.role == p.Role.PRESENTER}
        self.is_reviewer = any(p.role == p.Role.REVIEWER for p in participants)

    @property
    def can_view(self):
        if self.is_facilitator:
            return True
        if self.session.programme.status == self.session.programme.Status.DRAFT:
            return False  # a cycle being prepared: only those who set the partnership up see it
        return self.is_officer or bool(self.parts)

    def presents(self, area):
        """Leads `area` in this session: the area lead rule of ThematicArea.objects.led_by,
        narrowed to this session's participants, which are already loaded (no query)."""
        return area.pk in self.presenter_area_ids or (
            self.is_member and area.lead_officer_id is not None and area.lead_officer_id == self.user.pk
        )

    def area_presenter_ids(self, area) -> set:
        """Who presents `area` in this session (the area lead rule, as `presents`): its
        presenters and its lead officer."""
        ids = {p.person_id for p in self.participants if p.role == p.Role.PRESENTER and p.area_id == area.pk}
        if area.lead_officer_id is not None:
            ids.add(area.lead_officer_id)
        return ids

    def may_answer(self, area):
        """Whether this user's part lets them answer (and reply) for `area` while the session
        is open. A write refused only because the session has since closed is shown back
        with what they typed, not answered with a 403 page."""
        return self.is_facilitator or self.presents(area)

    def can_answer(self, area):
        return self.session.is_open_for_work and self.may_answer(area)

    def can_reply(self, area):
        return self.can_answer(area)

    def comment_refusal(self, area):
        """Why this user may not post a challenge on `area`, or None if they may."""
        if not self.session.is_open_for_work:
            return "The session is closed: comments can no longer be posted."
        return self.comment_role_refusal(area)

    def comment_role_refusal(self, area):
        """Why this user's part does not let them challenge `area`, open session or not."""
        rule = rule_for(self.session.kind)
        if not self.is_reviewer:
            return f"Only the session's {rule.challengers_label.split(' (')[0].lower()} post challenges."
        # Each kind of session has its own independence rule (sessions/independence.py): for
        # a scrutiny meeting, a councillor may challenge their own council's officers.
        return rule.comment_refusal(self, area)

    def can_comment(self, area):
        return self.comment_refusal(area) is None

    def can_edit_comment(self, comment):
        """Edit or withdraw `comment`: its author, while it stands and the session is open."""
        return self.session.is_open_for_work and comment.author_id == self.user.pk and not comment.is_withdrawn

    def may_reply_to(self, thread):
        """Whether this user's part lets them reply in `thread` while the session is open: the
        area's presenters and the facilitator, and the thread's author (the critical friend
        answering back). A reply refused only because the session has since closed is shown
        back with what they typed."""
        return self.may_answer(thread.area) or thread.author_id == self.user.pk

    def can_reply_to(self, thread):
        """Reply in `thread` (to it or to one of its replies: every reply's parent is the
        thread): who `may_reply_to` it, while the session is open and the thread stands."""
        return (
            self.session.is_open_for_work and thread.is_thread and self.may_reply_to(thread) and not thread.is_withdrawn
        )

    def can_moderate(self):
        return self.is_facilitator and self.session.is_open_for_work

    def can_mark(self, comment):
        """Mark `comment` open, addressed or unresolved: the facilitator, on a thread that
        stands and asks something (a commendation has no status)."""
        return (
            self.can_moderate()
            and comment.is_thread
            and comment.kind != comment.Kind.COMMENDATION
            and not comment.is_withdrawn
        )


# What the workspace's pages read of a session, with it.
SESSION_RELATED = ("programme__partnership", "facilitator", "question_set", "closed_by")
# What the pages of one of its areas read, with the area: neither the partnership nor the
# facilitator (their ids are enough), and what the heading shows of the area
# (as workspace.selectors.session_areas).
SESSION_AREA_RELATED = (
    "challengesession__programme",
    "challengesession__question_set",
    "challengesession__closed_by",
    "thematicarea__lead_partner",
    "thematicarea__lead_officer",
)


# The workspace's pages start from these, their SQL built once (challenge/prepared.py).
_SESSION = PreparedQuery(lambda pk: ChallengeSession.objects.select_related(*SESSION_RELATED).filter(pk=pk), pk=int)
_SESSION_AREA = PreparedQuery(
    lambda pk, area_pk: ChallengeSession.areas.through.objects.filter(
        challengesession__pk=pk, thematicarea__pk=area_pk
    ).select_related(*SESSION_AREA_RELATED)[:1],
    pk=int,
    area_pk=int,
)


def _access(user, session) -> SessionAccess:
    refuse_outside(user, session.programme.partnership_id)
    access = SessionAccess(user, session)
    if not access.can_view:
        raise PermissionDenied("You do not take part in this session.")
    return access


def get_session_access(user, pk) -> SessionAccess:
    """The session, with what `user` may do in it; PermissionDenied if they may not read it."""
    session = _SESSION.one(pk=int(pk))
    if session is None:
        raise Http404("No such session.")
    return _access(user, session)


def get_session_area_access(user, pk, area_pk):
    """`get_session_access` and the session's area `area_pk` (404 if the session does not
    cover it), both in one query: of the link between them."""
    found = _SESSION_AREA.all(pk=int(pk), area_pk=int(area_pk))
    if not found:  # refused as get_session_access refuses, or no such area in the session
        get_session_access(user, pk)
        raise Http404("No such area in this session")
    return _access(user, found[0].challengesession), found[0].thematicarea
