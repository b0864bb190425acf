"""My work: what is waiting for one person, across the partnerships they are an active member
of — challenges awaiting their reply, replies to their challenges they have not seen, answers
still blank in the areas they present, their open improvement actions (overdue first), drafts
circulated to them for comment. One query per list, whatever the amount of data.

"Presenting an area" is the area lead rule (ThematicArea.objects.led_by, SessionAccess.presents):
presenting it in the session, or being the area's lead officer."""

from dataclasses import dataclass, field

from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from challenge.clock import today as clock_today
from evaluations.models import DraftComment, SelfEvaluation
from findings.models import Action, Resolution
from programmes.models import Notice, NoticeKind, Programme, Question
from sessions.models import ChallengeSession, Participant
from workspace.models import Answer, Comment
from workspace.selectors import ANSWERED

NOTICES_SHOWN = 10  # unread replies listed; the rest are on the notices page


@dataclass
class BlankAnswers:
    session: object
    area: object
    blank: int
    total: int
    url: str


@dataclass
class MyWork:
    awaiting_reply: list = field(default_factory=list)
    unread_replies: list = field(default_factory=list)
    more_unread_replies: bool = False
    blank_answers: list = field(default_factory=list)
    actions: list = field(default_factory=list)
    resolutions: list = field(default_factory=list)
    drafts: list = field(default_factory=list)
    today: object = None

    @property
    def count(self) -> int:
        return (
            len(self.awaiting_reply)
            + len(self.unread_replies)
            + len(self.blank_answers)
            + len(self.actions)
            + len(self.resolutions)
            + len(self.drafts)
        )


def _place(session_id, area_id, question_id) -> str:
    return reverse("workspace", args=[session_id, area_id]) + f"#question-{question_id}"


def _presents(user, session_ref="session", area_ref="area"):
    """The area lead rule, for a row with a session and an area: `user` presents the area in
    that session, or is the area's lead officer."""
    presenter = Participant.objects.filter(
        session=OuterRef(session_ref), area=OuterRef(area_ref), role=Participant.Role.PRESENTER, person=user
    )
    return Exists(presenter) | Q(**{f"{area_ref}__lead_officer": user})


def _open_for_work(prefix="session"):
    """Sessions that ask for work: not closed, not cancelled, and not of a draft programme (a
    cycle being prepared, nobody invited yet)."""
    return (
        Q(**{f"{prefix}__closed_at": None})
        & ~Q(**{f"{prefix}__status": ChallengeSession.Status.CANCELLED})
        & ~Q(**{f"{prefix}__programme__status": Programme.Status.DRAFT})
    )


def awaiting_reply(user) -> list:
    """Open challenges, questions and suggestions (not withdrawn) on areas `user` presents, in
    sessions still open for work, whose last message (the thread or its latest reply that
    stands) is not from someone who presents the area there. Oldest first."""
    last_author = (
        Comment.objects.filter(parent=OuterRef("pk"), withdrawn_at=None)
        .order_by("-created_at", "-pk")
        .values("author_id")
    )[:1]
    presenter_wrote_last = Participant.objects.filter(
        session=OuterRef("session"),
        area=OuterRef("area"),
        role=Participant.Role.PRESENTER,
        person=OuterRef("last_author"),
    )
    threads = (
        Comment.objects.threads()
        .filter(session__programme__partnership__in=user.active_partnership_ids())
        .filter(_open_for_work(), status=Comment.Status.OPEN, withdrawn_at=None)
        .exclude(kind=Comment.Kind.COMMENDATION)
        .filter(_presents(user))
        .annotate(last_author=Coalesce(Subquery(last_author), F("author_id"), output_field=IntegerField()))
        .exclude(Exists(presenter_wrote_last))
        .exclude(Q(area__lead_officer__isnull=False) & Q(last_author=F("area__lead_officer")))
        .select_related("session", "area", "question", "author")
        .order_by("created_at", "pk")
    )
    result = list(threads)
    for thread in result:
        thread.place = _place(thread.session_id, thread.area_id, thread.question_id)
    return result


def unread_replies(user) -> tuple[list, bool]:
    """`user`'s unread notices of replies to their challenges, newest first: the first
    NOTICES_SHOWN, and whether there are more."""
    notices = list(
        Notice.objects.for_person(user)
        .unread()
        .filter(kind=NoticeKind.REPLY)
        .order_by("-created_at", "-pk")[: NOTICES_SHOWN + 1]
    )
    return notices[:NOTICES_SHOWN], len(notices) > NOTICES_SHOWN


def blank_answers(user) -> list:
    """For each session still open for work and area in it that `user` presents: how many of
    the session's questions have no answer yet for the area, and the first of them."""
    through = ChallengeSession.areas.through
    questions = Question.objects.filter(section__question_set=OuterRef("challengesession__question_set"))
    # Inside `questions`: the row's session and area are two levels out.
    answered = Answer.objects.filter(
        session=OuterRef(OuterRef("challengesession")),
        area=OuterRef(OuterRef("thematicarea")),
        question=OuterRef("pk"),
    ).filter(ANSWERED)
    first_blank = (
        questions.exclude(Exists(answered)).order_by("section__position", "section_id", "position", "pk").values("pk")
    )[:1]

    def counted(queryset):
        # COUNT as a plain function, not an aggregate: no GROUP BY in the subquery.
        count = Func(F("pk"), function="COUNT", output_field=IntegerField())
        return Coalesce(Subquery(queryset.order_by().annotate(n=count).values("n")[:1]), 0)

    rows = (
        through.objects.filter(challengesession__programme__partnership__in=user.active_partnership_ids())
        .filter(_open_for_work("challengesession"))
        .filter(_presents(user, "challengesession", "thematicarea"))
        .annotate(
            total=counted(questions),
            blank=counted(questions.exclude(Exists(answered))),
            first_blank=Subquery(first_blank),
        )
        .filter(blank__gt=0)
        .select_related("challengesession", "thematicarea")
        .order_by("challengesession__date", "challengesession__start_time", "challengesession_id", "thematicarea__name")
    )
    return [
        BlankAnswers(
            session=row.challengesession,
            area=row.thematicarea,
            blank=row.blank,
            total=row.total,
            url=_place(row.challengesession_id, row.thematicarea_id, row.first_blank),
        )
        for row in rows
    ]


def my_actions(user, today) -> list:
    """`user`'s open improvement actions, in the partnerships they are still a member of, by
    due date (so the overdue ones come first), each marked `overdue`."""
    partnerships = user.active_partnership_ids()
    actions = list(
        Action.objects.filter(owner=user)
        # A finding comes from a session or from an assurance audit of an area.
        .filter(
            Q(finding__session__programme__partnership__in=partnerships)
            | Q(finding__audit__area__partnership__in=partnerships)
        )
        .exclude(status__in=Action.CLOSED)
        .select_related("finding__area")
        .order_by("due_date", "pk")
    )
    for action in actions:
        action.overdue = action.is_overdue(today)
        # An assurance audit's action is followed up on the audit's page (the action page sends
        # there too); a session finding's on its own page.
        action.url = (
            reverse("audit_detail", args=[action.finding.audit_id]) + f"#finding-{action.finding_id}"
            if action.finding.audit_id is not None
            else reverse("action_page", args=[action.pk])
        )
    return actions


def my_resolutions(user, today) -> list:
    """The scrutiny resolutions and recommendations `user` owns (who responds and reports
    progress), open, in the partnerships they are still a member of, of meetings that were not
    cancelled, by response due date, each marked `overdue` when its response is late."""
    resolutions = list(
        Resolution.objects.filter(owner=user, closed_at__isnull=True)
        .filter(agenda_item__session__programme__partnership__in=user.active_partnership_ids())
        # A cancelled meeting's resolutions take no response (findings.resolutions.can_update_resolution).
        .exclude(agenda_item__session__status=ChallengeSession.Status.CANCELLED)
        .select_related("agenda_item__area")
        .order_by("response_due", "pk")
    )
    for resolution in resolutions:
        resolution.overdue = resolution.response == Resolution.Response.AWAITED and resolution.response_due < today
    return resolutions


def drafts_for_comment(user) -> list:
    """Circulated drafts sent to the organisation `user` works for (as one who comments, not an
    officer), that they did not circulate themselves and have not commented on yet."""
    partner_ids = [m.partner_id for m in user.active_memberships() if m.partner_id and not m.is_officer]
    if not partner_ids:
        return []
    circulated_to = SelfEvaluation.circulated_to.through.objects.filter(
        selfevaluation=OuterRef("pk"), partner__in=partner_ids
    )
    commented = DraftComment.objects.filter(self_evaluation=OuterRef("pk"), author=user)
    return list(
        SelfEvaluation.objects.filter(status=SelfEvaluation.Status.CIRCULATED)
        .filter(Exists(circulated_to))
        .exclude(circulated_by=user)
        .exclude(Exists(commented))
        .select_related("programme", "area")
        .defer("pdf", "introduction", "conclusion")
        .order_by("circulated_at", "pk")
    )


def my_work(user) -> MyWork:
    """Everything on the My work page for `user`: seven queries."""
    today = clock_today()
    replies, more = unread_replies(user)
    return MyWork(
        awaiting_reply=awaiting_reply(user),
        unread_replies=replies,
        more_unread_replies=more,
        blank_answers=blank_answers(user),
        actions=my_actions(user, today),
        resolutions=my_resolutions(user, today),
        drafts=drafts_for_comment(user),
        today=today,
    )
