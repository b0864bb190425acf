"""Exact query counts for every page and download of the session work: the workspace, the
findings, the self-evaluations. Each page is counted twice, with a little data and with a lot
more (answers, versions, comments and replies, findings with themes, evidence and actions,
more people to own actions, more sessions covering the area, indicators, self-evaluation
versions and partners' comments): the count is pinned, and must be the same both times.

A count that changes means a query moved into a loop (or a join was lost): fix the selector,
do not raise the number."""

import datetime
import itertools
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from challenge.clock import today as clock_today
from evaluations import selectors as evaluation_selectors
from evaluations import services as evaluation_services
from evaluations.models import AreaSelfEvaluationBuild, CirculationEmail, DraftComment, DraftPdf, SelfEvaluation
from findings import services as finding_services
from findings.models import Action, Finding, Theme
from findings.selectors import FINDINGS_SHOWN
from indicators.models import Indicator, IndicatorValue
from programmes.models import AnswerKind, Partner
from programmes.selectors import members_of
from sessions.models import ChallengeSession, Participant
from tests import factories as f
from tests.evaluations.drafts import download_draft_pdf
from workspace import services as workspace_services
from workspace.models import Answer, Comment

_serial = itertools.count(1)


def _questions(session):
    return [q for s in session.question_set.sections.order_by("position") for q in s.questions.order_by("position")]


def _answer(session, area, question, by, text):
    current = Answer.objects.filter(session=session, area=area, question=question).first()
    return workspace_services.save_answer(
        session=session,
        area=area,
        question=question,
        by=by,
        expected_revision=current.revision if current else 0,
        text=text,
    )


def _challenge(w, session, question, text):
    thread = workspace_services.post_comment(
        session=session, area=w.safeguarding, question=question, author=w.reviewer, kind="challenge", text=text
    )
    workspace_services.reply_to(parent=thread, author=w.lead, text=f"Reply to {text}")
    return thread


def _finding(w, session, kind, title, answers, threads, owners):
    finding = finding_services.record_finding(
        session=session,
        area=w.safeguarding,
        by=w.facilitator,
        kind=kind,
        title=title,
        text=f"What we found: {title}.",
        themes=[w.theme],
        new_themes=[f"Theme {next(_serial)}"],
        evidence_answers=answers,
        evidence_comments=threads,
    )
    for owner in owners:
        finding_services.add_action(
            finding=finding,
            description=f"Act on {title}",
            owner=owner,
            due_date=datetime.date(2009, 5, 1),
        )
    return finding


def _indicator(w):
    n = next(_serial)
    indicator = Indicator.objects.create(area=w.safeguarding, code=f"kpi-{n}", name=f"Indicator {n}", target=50)
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=indicator,
            period_start=datetime.date(year, 1, 1),
            value=Decimal(40 + year - 2004),
            national=Decimal(45),
        )
        for year in range(2004, 2009)
    )


def _add_work(w, size):
    """`size` rounds of everything the pages show, in the world's session and, from the second
    round on, in another session of the programme that covers the same area."""
    questions = _questions(w.session)
    for round_ in range(size):
        session = w.session
        if round_:
            session = f.session(
                w.programme,
                areas=[w.safeguarding],
                facilitator=w.facilitator,
                title=f"Follow-up {next(_serial)}",
                date=datetime.date(2009, 5, 20),
            )
            f.participant(session, w.lead, Participant.Role.PRESENTER, w.safeguarding)
            f.participant(session, w.reviewer, Participant.Role.REVIEWER)
        chosen = questions if round_ else questions[:1]
        answers = [_answer(session, w.safeguarding, q, w.lead, f"Answer {round_} to {q.pk}") for q in chosen]
        for q in chosen[:3]:
            _answer(session, w.safeguarding, q, w.lead, f"Second thoughts {round_} on {q.pk}")
        threads = [_challenge(w, session, q, f"Challenge {round_}.{q.pk}") for q in chosen[:4]]
        owner = f.person(f.partner(), first_name="Owner", last_name=str(next(_serial)))
        _finding(w, session, "red_flag", f"Flag {round_}", answers[:2], threads[:2], [w.lead, owner])
        _finding(w, session, "strength", f"Strength {round_}", answers[:1], threads[:1], [owner])
        _indicator(w)


@pytest.fixture
def work(world):
    """The world with one round of work on its session's area (safeguarding), a theme, and
    `more()` to add several more rounds."""
    world.theme = Theme.objects.create(programme=world.programme, name="Governance")
    _add_work(world, 1)
    world.question = _questions(world.session)[0]
    world.thread = world.session.comments.filter(parent__isnull=True).first()

    def more():
        _add_work(world, 4)
        # A comment that was edited: its page and the history show the edits.
        workspace_services.edit_comment(
            comment=world.thread, by=world.reviewer, expected_revision=world.thread.revision, text="Edited once."
        )
        world.thread.refresh_from_db()

    world.more = more
    return world


def _count(client, url, django_assert_num_queries, expected, status=200):
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == status, url
    return response


def _flat(client, work, user, url, django_assert_num_queries, expected, check=None, more=None):
    """The page costs `expected` queries with little data and with a lot more."""
    client.force_login(user)
    small = _count(client, url, django_assert_num_queries, expected)
    if check:
        check(small)
    (more or work.more)()
    large = _count(client, url, django_assert_num_queries, expected)
    if check:
        check(large)
    return small, large


def _html(response):
    return response.content.decode()


# --- The workspace ----------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "expected"), [("facilitator", 10), ("lead", 11), ("reviewer", 11)])
def test_workspace(client, work, django_assert_num_queries, who, expected):
    """The page as it is served after its first request: the question set's structure (its
    sections and questions, two queries) comes from the cache, and the session and the area
    come in one query (workspace.permissions.get_session_area_access), on every workspace page
    of an area. One query reads the area's focus topics for the heading. The page's text may
    come from the cache too (workspace.blocks), but only after the same queries: its key is a
    hash of what they read."""

    def shows_every_thread_and_reply(response):
        comments = Comment.objects.filter(session=work.session, area=work.safeguarding)
        html = _html(response)
        assert html.count('<div class="thread') == comments.filter(parent__isnull=True).count()
        assert html.count('<li id="comment-') == comments.filter(parent__isnull=False).count()
        assert "<textarea" not in html  # every form is fetched when asked for

    url = reverse("workspace", args=[work.session.pk, work.safeguarding.pk])
    client.force_login(getattr(work, who))
    client.get(url)
    _flat(client, work, getattr(work, who), url, django_assert_num_queries, expected, shows_every_thread_and_reply)


@pytest.mark.parametrize(
    ("who", "query", "expected"),
    [("lead", "?show=mine&fold=1", 11), ("reviewer", "?show=open", 11), ("facilitator", "?show=unanswered", 10)],
)
def test_workspace_filtered_and_folded(client, work, django_assert_num_queries, who, query, expected):
    """The filter's counts and "mine" come from the rows the page reads anyway (who presents
    the area, from the session's participants SessionAccess reads): no query of their own."""

    def shows_the_filter(response):
        html = _html(response)
        assert '<nav aria-label="Show questions">' in html
        assert "<strong>Filtered:</strong>" in html

    url = reverse("workspace", args=[work.session.pk, work.safeguarding.pk]) + query
    client.force_login(getattr(work, who))
    client.get(url)
    _flat(client, work, getattr(work, who), url, django_assert_num_queries, expected, shows_the_filter)


def test_workspace_with_a_confirmation_inside_a_question(client, work, django_assert_num_queries):
    """After a save without JavaScript, the page with the confirmation in the question (drawn
    for that request only) costs what the page costs: the message is read with the session."""
    url = reverse("answer_save", args=[work.session.pk, work.safeguarding.pk, work.question.pk])
    client.force_login(work.lead)
    client.get(reverse("workspace", args=[work.session.pk, work.safeguarding.pk]))
    for _ in range(2):
        revision = Answer.objects.get(session=work.session, area=work.safeguarding, question=work.question).revision
        p = f"q{work.question.pk}-"
        location = client.post(url, {p + "text": "Again.", p + "evidence": "", p + "revision": revision})["Location"]
        response = _count(client, location, django_assert_num_queries, 11)
        assert "autofocus>Answer saved.</div>" in _html(response)
        work.more()


def test_workspace_first_request_reads_the_question_set(client, work, django_assert_num_queries):
    """With nothing cached, the page reads the question set's structure once (two queries)
    and the next request does not."""
    url = reverse("workspace", args=[work.session.pk, work.safeguarding.pk])
    client.force_login(work.facilitator)
    first = _count(client, url, django_assert_num_queries, 12)
    second = _count(client, url, django_assert_num_queries, 10)
    token = re.compile(r"\b[A-Za-z0-9]{64}\b")  # the CSRF token, masked afresh for each request
    assert token.sub("", _html(first)) == token.sub("", _html(second))


def _form_check(field_name, textareas=1):
    def check(response):
        html = _html(response)
        assert html.count("<textarea") == textareas  # the one form, none of the other questions' or threads'
        assert f'name="{field_name}"' in html

    return check


@pytest.mark.parametrize(("htmx", "expected"), [(False, 7), (True, 7)])
def test_answer_form(client, work, django_assert_num_queries, htmx, expected):
    """The answer form of one question, alone (htmx) or on its page: the structure from the
    cache, the answer as saved now. Both read the user's memberships (the permission checks,
    and the page's header)."""
    url = reverse("answer_edit", args=[work.session.pk, work.safeguarding.pk, work.question.pk])
    client.force_login(work.lead)
    client.get(reverse("workspace", args=[work.session.pk, work.safeguarding.pk]))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for _ in range(2):
        with django_assert_num_queries(expected):
            response = client.get(url, **headers)
        _form_check(f"q{work.question.pk}-text", textareas=2)(response)  # the answer and its evidence
        work.more()


@pytest.mark.parametrize(("htmx", "expected"), [(False, 6), (True, 6)])
def test_comment_form(client, work, django_assert_num_queries, htmx, expected):
    url = reverse("comment_new", args=[work.session.pk, work.safeguarding.pk, work.question.pk])
    client.force_login(work.reviewer)
    client.get(reverse("workspace", args=[work.session.pk, work.safeguarding.pk]))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for _ in range(2):
        with django_assert_num_queries(expected):
            response = client.get(url, **headers)
        _form_check(f"c{work.question.pk}-text")(response)
        work.more()


@pytest.mark.parametrize(("htmx", "expected"), [(False, 8), (True, 7)])
def test_reply_form(client, work, django_assert_num_queries, htmx, expected):
    """The reply form of one thread; its page also shows the thread's replies (one query)."""
    url = reverse("comment_reply", args=[work.thread.pk])
    client.force_login(work.lead)
    client.get(reverse("workspace", args=[work.session.pk, work.safeguarding.pk]))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for _ in range(2):
        with django_assert_num_queries(expected):
            response = client.get(url, **headers)
        _form_check(f"r{work.thread.pk}-text")(response)
        work.more()


@pytest.mark.parametrize(("htmx", "expected"), [(False, 8), (True, 7)])
def test_reply_to_a_reply_form(client, work, django_assert_num_queries, htmx, expected):
    """The reviewer's form to answer the presenter's reply: as the thread's, the thread read
    with the reply (issue 14)."""
    reply = work.thread.replies.get()
    url = reverse("comment_reply", args=[reply.pk])
    client.force_login(work.reviewer)
    client.get(reverse("workspace", args=[work.session.pk, work.safeguarding.pk]))
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    for _ in range(2):
        with django_assert_num_queries(expected):
            response = client.get(url, **headers)
        _form_check(f"r{work.thread.pk}-text")(response)
        work.more()


def test_answer_history(client, work, django_assert_num_queries):
    def shows_every_version(response):
        answer = Answer.objects.get(session=work.session, area=work.safeguarding, question=work.question)
        assert _html(response).count('<h3 class="h6">') == answer.versions.count()

    url = reverse("answer_history", args=[work.session.pk, work.safeguarding.pk, work.question.pk])
    client.force_login(work.lead)
    client.get(url)  # the question set's structure is cached from now on
    _flat(client, work, work.lead, url, django_assert_num_queries, 8, shows_every_version)


def test_comment_edit_page(client, work, django_assert_num_queries):
    def shows_the_comment_as_saved(response):
        work.thread.refresh_from_db()
        assert response.context["form"]["text"].value() == work.thread.text

    url = reverse("comment_edit", args=[work.thread.pk])
    _flat(client, work, work.reviewer, url, django_assert_num_queries, 7, shows_the_comment_as_saved)


def test_close_confirmation_page(client, work, django_assert_num_queries):
    def asks_to_close(response):
        assert "<h1>Close the session</h1>" in _html(response)

    url = reverse("session_freeze", args=[work.session.pk, "close"])
    _flat(client, work, work.facilitator, url, django_assert_num_queries, 5, asks_to_close)


def test_reopen_confirmation_page(client, work, django_assert_num_queries):
    session = work.session
    workspace_services.close_session(session=session, by=work.facilitator)
    client.force_login(work.facilitator)
    url = reverse("session_freeze", args=[session.pk, "reopen"])
    assert "Why reopen it?" in _html(_count(client, url, django_assert_num_queries, 5))
    # More work, and the session closed and reopened again: its page still costs the same.
    workspace_services.reopen_session(session=session, by=work.facilitator, note="One more answer")
    work.more()
    workspace_services.close_session(session=session, by=work.facilitator)
    assert "Why reopen it?" in _html(_count(client, url, django_assert_num_queries, 5))


def test_withdraw_comment_confirmation_page(client, work, django_assert_num_queries):
    """8: the comment with its session, area and question, the session access, the replies
    still standing counted."""

    def asks_first(response):
        assert "<h1>Withdraw your challenge?</h1>" in _html(response)

    url = reverse("comment_withdraw", args=[work.thread.pk])
    _flat(client, work, work.reviewer, url, django_assert_num_queries, 8, asks_first)


# --- Findings -------------------------------------------------------------------------------


def _first_finding(work):
    return Finding.objects.filter(session=work.session, area=work.safeguarding).order_by("pk").first()


def test_finding_edit_page(client, work, django_assert_num_queries):
    """13: the finding and the session access, what it rests on now (themes, answers and
    challenges: for the form's values, and to keep what was blanked or withdrawn since among
    the choices), the programme's themes, and the area's answers and challenges."""
    finding = _first_finding(work)

    def offers_every_answer_and_challenge(response):
        form = response.context["form"]
        answers = Answer.objects.filter(session=work.session, area=work.safeguarding).count()
        assert len(form.fields["evidence_answers"].choices) == answers
        threads = Comment.objects.filter(session=work.session, area=work.safeguarding, parent__isnull=True).count()
        assert len(form.fields["evidence_comments"].choices) == threads

    url = reverse("finding_edit", args=[finding.pk])
    _flat(client, work, work.facilitator, url, django_assert_num_queries, 13, offers_every_answer_and_challenge)


def test_finding_withdraw_page(client, work, django_assert_num_queries):
    finding = _first_finding(work)

    def names_its_open_actions(response):
        assert f"It has {finding.actions.count()} open improvement action" in _html(response)

    url = reverse("finding_withdraw", args=[finding.pk])
    _flat(client, work, work.facilitator, url, django_assert_num_queries, 7, names_its_open_actions)


def test_finding_history_page(client, work, django_assert_num_queries):
    """The same however many steps the history has, by however many people."""
    finding = _first_finding(work)

    def more():
        work.more()
        for n in range(4):
            finding_services.update_finding(
                finding=finding,
                by=work.lead if n % 2 else work.facilitator,
                expected_revision=Finding.objects.get(pk=finding.pk).revision,
                kind=finding.kind,
                title=f"Retitled {n}",
                text=finding.text,
            )

    def lists_every_step(response):
        assert response.context["history"] == list(finding.versions.all())

    url = reverse("finding_history", args=[finding.pk])
    _flat(client, work, work.lead, url, django_assert_num_queries, 8, lists_every_step, more=more)


# The facilitator's 18th: the same area's findings of earlier cycles, which the form offers to
# mark a new finding "raised again" from (issue 13).
@pytest.mark.parametrize(("who", "expected"), [("facilitator", 18), ("officer", 14)])
def test_session_findings(client, work, django_assert_num_queries, who, expected):
    def shows_every_finding_and_action(response):
        findings = Finding.objects.filter(session=work.session, area=work.safeguarding)
        html = _html(response)
        assert html.count('<article class="card mb-3 finding') == findings.count() >= 2
        # Every action is overdue (due 1 May, today is 6 May).
        assert html.count('<tr class="table-danger">') == Action.objects.filter(finding__in=findings).count()
        # The facilitator's "Add an action" form under every finding offers every possible owner.
        manage = who == "facilitator"
        assert html.count("Add an action<span") == (findings.count() if manage else 0)
        for owner in members_of(work.programme.partnership):
            assert html.count(f'<option value="{owner.pk}"') == (findings.count() if manage else 0)

    url = reverse("session_findings", args=[work.session.pk, work.safeguarding.pk])
    _flat(client, work, getattr(work, who), url, django_assert_num_queries, expected, shows_every_finding_and_action)


def test_emerging_findings(client, work, django_assert_num_queries):
    def shows_every_finding(response):
        emerging = response.context["emerging"]
        flags = Finding.objects.filter(session__programme=work.programme, kind__in=["red_flag", "green_flag"])
        # Every flag counted; the page lists the first few (see test_emerging_findings_collapse).
        assert len(emerging.flags) == flags.count()
        assert [finding.pk for finding in emerging.flags] == list(
            flags.order_by("created_at").values_list("pk", flat=True)[:FINDINGS_SHOWN]
        )
        actions = Action.objects.filter(finding__session__programme=work.programme)
        assert emerging.action_counts["total"] == Action.objects.count() == actions.count()
        assert emerging.action_counts["overdue"] == actions.overdue(clock_today()).count() > 0

    url = reverse("emerging_findings", args=[work.programme.slug])
    # 12: each finding's kind, area and date (to count and place them), the themes, their
    # findings, the findings listed, and the actions counted by status; not the findings'
    # evidence, text, or any finding not listed; and the open actions of earlier cycles that
    # the programme carries over (issue 13).
    _flat(client, work, work.reviewer, url, django_assert_num_queries, 12, shows_every_finding)


# --- Self-evaluations -----------------------------------------------------------------------


def _self_evaluation(work):
    return evaluation_services.current_self_evaluation(programme=work.programme, area=work.safeguarding)


def test_finalise_confirmation_page(client, work, django_assert_num_queries):
    """The partners' comments since circulation are read in one query, however many."""
    self_evaluation = _self_evaluation(work)
    evaluation_services.circulate(self_evaluation=self_evaluation, by=work.facilitator, notify=False)
    self_evaluation.refresh_from_db()

    def more():
        work.more()
        for author in [work.lead, work.council_colleague, work.health_reviewer] * 4:
            DraftComment.objects.create(self_evaluation=self_evaluation, author=author, text="A view on the draft.")

    def warns(response):
        received = response.context["received"]
        assert received.count == self_evaluation.draft_comments.count()
        if received.count:
            assert f"{received.count} comment" in _html(response)

    url = reverse("self_evaluation_action", args=[self_evaluation.pk, "finalise"])
    _flat(client, work, work.facilitator, url, django_assert_num_queries, 6, warns, more=more)


def _more_for(work, self_evaluation):
    """`work.more()`, and what the self-evaluation page lists besides the area's record: more
    later versions than it shows (finalised by different people), more partners' comments than
    it shows, and circulation e-mails."""

    def more():
        work.more()
        finalisers = [work.facilitator, work.lead] * 3 + [None]
        for number, finaliser in enumerate(finalisers, start=self_evaluation.version + 1):
            SelfEvaluation.objects.create(
                programme=work.programme,
                area=work.safeguarding,
                version=number,
                status=SelfEvaluation.Status.FINAL if finaliser else SelfEvaluation.Status.DRAFT,
                finalised_by=finaliser,
                finalised_at=timezone.now() if finaliser else None,
                pdf=b"%PDF-1.7" if finaliser else None,
                pdf_sha256="0" * 64 if finaliser else "",
            )
        for author in [work.lead, work.council_colleague, work.health_reviewer] * 4:
            DraftComment.objects.create(self_evaluation=self_evaluation, author=author, text="A view on the draft.")
        for _ in range(3):
            CirculationEmail.objects.create(self_evaluation=self_evaluation, recipients=2, sent=2)

    return more


def _says_how_many_more(html, total, shown, noun):
    """The list shows its first `shown` of `total` and, when there are more, says so."""
    more = total - min(total, shown)
    if more:
        assert f"{more} more {noun}{'s' if more > 1 else ''}: show all {total}" in html
    else:
        assert f"more {noun}" not in html


def _shows_the_page(work, self_evaluation):
    """The page lists the first versions and partners' comments, says how many more, and
    links to the area's record."""

    def check(response):
        html = _html(response)
        versions = SelfEvaluation.objects.filter(programme=work.programme, area=work.safeguarding)
        listed = response.context["versions"]
        assert listed.total == versions.count()
        assert [v.pk for v in listed] == list(versions.order_by("-version").values_list("pk", flat=True)[:5])
        _says_how_many_more(html, versions.count(), evaluation_selectors.VERSIONS_SHOWN, "version")
        comments = self_evaluation.draft_comments.count()
        assert html.count('<div class="thread">') == min(comments, evaluation_selectors.DRAFT_COMMENTS_SHOWN)
        _says_how_many_more(html, comments, evaluation_selectors.DRAFT_COMMENTS_SHOWN, "comment")
        assert f'href="{reverse("self_evaluation_record", args=[self_evaluation.pk])}"' in html

    return check


def _shows_the_record(work):
    """The area's record lists the first sessions, findings and actions and says how many more."""

    def check(response):
        html = _html(response)
        sessions = ChallengeSession.objects.filter(programme=work.programme, areas=work.safeguarding).count()
        findings = Finding.objects.filter(area=work.safeguarding).count()
        actions = Action.objects.filter(finding__area=work.safeguarding).count()
        assert html.count('<p class="session-line">') == min(sessions, evaluation_selectors.SESSIONS_SHOWN)
        assert html.count('<div class="finding finding-') == min(findings, evaluation_selectors.FINDINGS_SHOWN)
        assert html.count("<tr>") - 1 == min(actions, evaluation_selectors.ACTIONS_SHOWN)
        _says_how_many_more(html, sessions, evaluation_selectors.SESSIONS_SHOWN, "session")
        _says_how_many_more(html, findings, evaluation_selectors.FINDINGS_SHOWN, "finding")
        _says_how_many_more(html, actions, evaluation_selectors.ACTIONS_SHOWN, "action")

    return check


# 8: the session, the user and their partner; the version with its programme and area; the
# programme's facilitators (who may read, write and comment: no query of their own); the
# versions, the partners' comments and the circulation e-mails. The area's record is not read:
# the page shows it when asked (below).


def test_draft_self_evaluation(client, work, django_assert_num_queries):
    self_evaluation = _self_evaluation(work)
    url = reverse("self_evaluation", args=[self_evaluation.pk])
    check, more = _shows_the_page(work, self_evaluation), _more_for(work, self_evaluation)
    _flat(client, work, work.facilitator, url, django_assert_num_queries, 8, check, more)


def test_circulated_self_evaluation(client, work, django_assert_num_queries):
    Partner.objects.filter(pk__in=[work.police.pk, work.health.pk]).update(contact_email="contact@example.org")
    self_evaluation = evaluation_services.circulate(self_evaluation=_self_evaluation(work), by=work.facilitator)
    evaluation_services.comment_on_draft(self_evaluation=self_evaluation, author=work.reviewer, text="Looks fair.")
    url = reverse("self_evaluation", args=[self_evaluation.pk])
    check, more = _shows_the_page(work, self_evaluation), _more_for(work, self_evaluation)
    _flat(client, work, work.facilitator, url, django_assert_num_queries, 8, check, more)


def test_final_self_evaluation(client, work, django_assert_num_queries):
    self_evaluation = evaluation_services.finalise(self_evaluation=_self_evaluation(work), by=work.facilitator)
    url = reverse("self_evaluation", args=[self_evaluation.pk])
    check, more = _shows_the_page(work, self_evaluation), _more_for(work, self_evaluation)
    _flat(client, work, work.facilitator, url, django_assert_num_queries, 8, check, more)


# The area's record: the session, the user, the version and the facilitators (4); the sessions
# and, for those shown, their answers, questions and challenges counted (4); the impact; the
# indicators and their values (2); the findings; the actions (9); and, on its own page, the
# user's partner in the header.


# The fragment (htmx) has no page header but still reads the person's memberships for its
# permission check, as the page does for both (issue 13): the same count either way.
@pytest.mark.parametrize("htmx, expected", [(False, 14), (True, 14)])
def test_area_record(client, work, django_assert_num_queries, htmx, expected):
    self_evaluation = _self_evaluation(work)
    url = reverse("self_evaluation_record", args=[self_evaluation.pk])
    client.force_login(work.facilitator)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    check = _shows_the_record(work)
    with django_assert_num_queries(expected):
        small = client.get(url, **headers)
    check(small)
    work.more()
    with django_assert_num_queries(expected):
        large = client.get(url, **headers)
    check(large)
    assert _html(large).count('<p class="session-line">') > _html(small).count('<p class="session-line">')
    assert ("<h1>" in _html(large)) is not htmx


LISTS = ["sessions", "indicators", "findings", "actions"]


@pytest.mark.parametrize("listed", LISTS)
def test_area_record_shows_a_whole_list_when_asked(client, work, django_assert_num_queries, monkeypatch, listed):
    for name in LISTS:
        monkeypatch.setattr(evaluation_selectors, f"{name.upper()}_SHOWN", 2)
    work.more()
    url = reverse("self_evaluation_record", args=[_self_evaluation(work).pk])
    client.force_login(work.facilitator)
    cut = getattr(client.get(url).context["summary"], listed)
    assert len(cut) == 2 < cut.total
    with django_assert_num_queries(14):
        response = client.get(url + f"?all={listed}")
    summary = response.context["summary"]
    whole = getattr(summary, listed)
    assert len(whole) == whole.total == cut.total
    assert [getattr(item, "pk", None) for item in whole][:2] == [getattr(item, "pk", None) for item in cut]
    assert f"more {listed[:-1]}" not in _html(response)
    for other in set(LISTS) - {listed}:  # the others stay cut
        assert len(getattr(summary, other)) == 2


def _answer_rating(session, area, kind, by, value):
    question = next(q for q in _questions(session) if q.answer_kind == kind)
    current = Answer.objects.filter(session=session, area=area, question=question).first()
    workspace_services.save_answer(
        session=session,
        area=area,
        question=question,
        by=by,
        expected_revision=current.revision if current else 0,
        **{kind: value},
    )


def test_area_record_reads_as_the_pdf_compiles_it(work):
    """The record in short agrees with the PDF's compilation of the area (`compile_area`): the
    same impact, each session's answers and challenges, the findings, actions and indicators
    in the same order."""
    work.more()
    sessions = list(ChallengeSession.objects.filter(areas=work.safeguarding).order_by("date", "start_time", "pk"))
    # Ratings in two sessions (the later one's count), a scale only in the earlier one.
    _answer_rating(sessions[0], work.safeguarding, AnswerKind.LIKELIHOOD, work.lead, 2)
    _answer_rating(sessions[0], work.safeguarding, AnswerKind.SCALE, work.lead, 5)
    _answer_rating(sessions[-1], work.safeguarding, AnswerKind.LIKELIHOOD, work.lead, 4)
    # Challenges of every kind of state: addressed, withdrawn, a commendation (not counted).
    threads = Comment.objects.filter(area=work.safeguarding, parent__isnull=True).order_by("pk")
    Comment.objects.filter(pk=threads[0].pk).update(status=Comment.Status.ADDRESSED)
    Comment.objects.filter(pk=threads[1].pk).update(withdrawn_at=timezone.now())
    workspace_services.post_comment(
        session=sessions[1],
        area=work.safeguarding,
        question=_questions(sessions[1])[0],
        author=work.reviewer,
        kind=Comment.Kind.COMMENDATION,
        text="Well done.",
    )
    compiled = evaluation_selectors.compile_area(work.programme, work.safeguarding)
    assert compiled.impact == {"likelihood": 4, "scale": 5}
    assert evaluation_selectors.area_summary(work.programme, work.safeguarding).impact == compiled.impact
    for listed, compiled_list in [
        ("sessions", compiled.sessions),
        ("indicators", compiled.indicators),
        ("findings", compiled.findings),
        ("actions", compiled.actions),
    ]:
        summary = evaluation_selectors.area_summary(work.programme, work.safeguarding, expanded=listed)
        whole = getattr(summary, listed)
        assert len(whole) == whole.total == len(compiled_list) > 1, listed
        if listed == "sessions":
            assert [(row.session.pk, row.answered, row.total, row.counts) for row in whole] == [
                (workspace.session.pk, workspace.answered, workspace.total, workspace.counts)
                for workspace in compiled_list
            ]
        else:
            assert [item.pk for item in whole] == [item.pk for item in compiled_list], listed
        if listed == "indicators":
            assert [item.assessment for item in whole] == [item.assessment for item in compiled_list]
        if listed == "actions":
            assert [item.overdue for item in whole] == [item.overdue for item in compiled_list]


def _is_pdf(filename):
    def check(response):
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        assert b"".join(response.streaming_content if response.streaming else [response.content]).startswith(b"%PDF")

    return check


def test_draft_self_evaluation_pdf(client, work, django_assert_num_queries):
    """A draft's PDF the worker has rendered from the draft as it is now: a file send."""
    self_evaluation = _self_evaluation(work)
    url = reverse("self_evaluation_pdf", args=[self_evaluation.pk])
    check = _is_pdf("safeguarding-self-evaluation-v1-draft.pdf")
    client.force_login(work.facilitator)
    download_draft_pdf(client, url)
    # 23: one of them the user's memberships, read for the permission checks, one whether the
    # area has a previous cycle (tests/evaluations/test_since_last_cycle.py: three with one),
    # one the area's focus topics (compile_area), which the PDF's cover lists, and one the
    # partnership's logo (evaluations.document.partnership_logo).
    check(_count(client, url, django_assert_num_queries, 23))
    _more_for(work, self_evaluation)()
    download_draft_pdf(client, url)
    check(_count(client, url, django_assert_num_queries, 23))


def test_draft_self_evaluation_pdf_asked_for(client, work, django_assert_num_queries):
    """A draft changed since its PDF was asked for: the request asks the worker again and says
    it is being prepared, in the same number of queries however much the draft holds."""
    self_evaluation = _self_evaluation(work)
    url = reverse("self_evaluation_pdf", args=[self_evaluation.pk])

    def preparing(response):
        assert "being prepared in the background" in _html(response)
        assert DraftPdf.objects.get(pk=self_evaluation.pk).requested_at is not None

    client.force_login(work.facilitator)
    client.get(url)
    evaluation_services.update_texts(
        self_evaluation=self_evaluation, expected_revision=1, introduction="Changed.", conclusion=""
    )
    # 27 with the previous cycle's check, the area's focus topics (compile_area) and the
    # partnership's logo.
    preparing(_count(client, url, django_assert_num_queries, 27, status=202))
    _more_for(work, self_evaluation)()
    preparing(_count(client, url, django_assert_num_queries, 27, status=202))


def test_final_self_evaluation_pdf(client, work, django_assert_num_queries):
    self_evaluation = evaluation_services.finalise(self_evaluation=_self_evaluation(work), by=work.facilitator)
    url = reverse("self_evaluation_pdf", args=[self_evaluation.pk])
    check = _is_pdf("safeguarding-self-evaluation-v1.pdf")
    # 6: one of them the user's memberships, read for the permission checks.
    _flat(client, work, work.facilitator, url, django_assert_num_queries, 6, check, _more_for(work, self_evaluation))


# --- The programme's area self-evaluation build -----------------------------------------------


@pytest.mark.parametrize("status", ["queued", "ready"])
def test_area_build_page(client, work, django_assert_num_queries, status):
    build = AreaSelfEvaluationBuild.objects.create(
        programme=work.programme, requested_by=work.facilitator, status=status, pdf=b"%PDF-1.7", pdf_sha256="x"
    )

    def shows_the_build(response):
        assert response.context["build"] == build
        assert "<h1>Area self-evaluation</h1>" in _html(response)

    url = reverse("area_build_status", args=[build.pk])
    _flat(client, work, work.facilitator, url, django_assert_num_queries, 5, shows_the_build)


def test_area_build_pdf(client, work, django_assert_num_queries):
    build = AreaSelfEvaluationBuild.objects.create(
        programme=work.programme, requested_by=work.facilitator, status="ready", pdf=b"%PDF-1.7", pdf_sha256="x"
    )
    url = reverse("area_build_pdf", args=[build.pk])
    check = _is_pdf("caa-2009-area-self-evaluation.pdf")
    _flat(client, work, work.facilitator, url, django_assert_num_queries, 6, check)  # with the memberships
