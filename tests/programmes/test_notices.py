"""Notices (programmes.notices): who is told of what, the e-mails the worker sends after the
commit (at once, or in the daily digest with its unsubscribe links), people's choices, and
the notice pages."""

import datetime
import io
import re

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from evaluations import services as evaluation_services
from findings import services as finding_services
from findings.models import Action, Finding
from findings.notices import notify_due_actions
from programmes import notices
from programmes.models import Membership, Notice, NoticeKind, NoticePreference
from sessions.models import Participant
from tests import factories as f
from workspace import services as workspace_services
from workspace.models import Comment

pytestmark = pytest.mark.django_db


def _question(world):
    return world.session.question_set.sections.order_by("position").first().questions.order_by("position").first()


def _challenge(world, author=None, text="Where is the evidence of improved outcomes?"):
    return workspace_services.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=_question(world),
        author=author or world.reviewer,
        kind=Comment.Kind.CHALLENGE,
        text=text,
    )


def _noticed(kind):
    return sorted(Notice.objects.filter(kind=kind).values_list("person__username", flat=True))


def _workspace_place(world, question):
    return reverse("workspace", args=[world.session.pk, world.safeguarding.pk]) + f"#question-{question.pk}"


# --- Who is told ------------------------------------------------------------------------------


def test_a_new_challenge_tells_the_areas_presenters_and_lead_officer_not_the_author(world):
    second = f.person(world.council, "second-presenter")
    f.participant(world.session, second, Participant.Role.PRESENTER, world.safeguarding)
    left = f.person(world.council, "left-presenter")
    f.participant(world.session, left, Participant.Role.PRESENTER, world.safeguarding)
    Membership.objects.filter(person=left).update(is_active=False)
    officer = f.person(world.council, "area-officer")
    world.safeguarding.lead_officer = officer
    world.safeguarding.save()
    thread = _challenge(world, text="Where is the\nevidence?")
    assert _noticed(NoticeKind.CHALLENGE) == ["area-officer", "lead", "second-presenter"]
    notice = Notice.objects.get(person=world.lead)
    assert notice.text == (
        "Paul Hargreaves posted a challenge on Safeguarding children in Safeguarding children: “Where is the evidence?”"
    )
    assert notice.url == _workspace_place(world, thread.question)
    assert notice.partnership == world.programme.partnership
    assert not notice.is_read


def test_a_reply_tells_the_threads_author_and_the_authors_reply_tells_the_presenters(world):
    thread = _challenge(world)
    Notice.objects.all().delete()
    workspace_services.reply_to(parent=thread, author=world.lead, text="See the audit of 2008.")
    assert _noticed(NoticeKind.REPLY) == ["reviewer"]
    assert Notice.objects.get().text.startswith("Andrew Kenyon replied to your challenge on Safeguarding children")
    workspace_services.reply_to(parent=thread, author=world.reviewer, text="The audit is of 2007.")
    assert _noticed(NoticeKind.CHALLENGE) == ["lead"]
    assert _noticed(NoticeKind.REPLY) == ["reviewer"]  # nobody is told of their own reply


def test_marking_unresolved_tells_the_author_and_presenters_once_and_not_the_facilitator(world):
    thread = _challenge(world)
    Notice.objects.all().delete()
    workspace_services.set_comment_status(comment=thread, by=world.facilitator, status=Comment.Status.ADDRESSED)
    assert not Notice.objects.exists()
    workspace_services.set_comment_status(
        comment=thread, by=world.facilitator, status=Comment.Status.UNRESOLVED, note="Not persuaded."
    )
    workspace_services.set_comment_status(
        comment=thread, by=world.facilitator, status=Comment.Status.UNRESOLVED, note="Not persuaded."
    )
    assert _noticed(NoticeKind.UNRESOLVED) == ["lead", "reviewer"]


def test_a_circulated_draft_tells_the_people_of_the_partners_it_went_to(world):
    world.police.contact_email = "partnership@gmp.example"
    world.police.save()
    other = f.partner("Elsewhere", f.partnership("Elsewhere partnership", slug="elsewhere"))
    f.person(other, "elsewhere-person")
    f.person(world.police, "police-officer", is_officer=True)  # reads, does not comment
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    evaluation_services.circulate(self_evaluation=se, by=world.facilitator)
    assert _noticed(NoticeKind.CIRCULATED) == ["constable", "reviewer"]
    assert Notice.objects.filter(kind=NoticeKind.CIRCULATED).first().url == se.get_absolute_url()


def test_the_demonstration_seed_circulates_without_notices(world):
    world.police.contact_email = "partnership@gmp.example"
    world.police.save()
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    evaluation_services.circulate(self_evaluation=se, by=world.facilitator, notify=False)
    assert not Notice.objects.exists()


def _action(world, due, owner=None):
    finding = finding_services.record_finding(
        session=world.session,
        area=world.safeguarding,
        by=world.facilitator,
        kind=Finding.Kind.IMPROVEMENT,
        title="Pace of delivery",
        text="Delivery is slow.",
    )
    return finding_services.add_action(
        finding=finding, description="Speed up the audit", owner=owner or world.lead, due_date=due
    )


def test_actions_due_within_a_week_or_overdue_tell_their_owner_once_per_state(world):
    today = datetime.date(2009, 5, 6)
    due = _action(world, datetime.date(2009, 5, 13))
    later = _action(world, datetime.date(2009, 5, 14))
    done = _action(world, datetime.date(2009, 5, 1))
    finding_services.set_action_status(action=done, status=Action.Status.DONE)
    assert notify_due_actions(today) == 1
    assert notify_due_actions(today) == 0  # run twice a day: nobody is told twice
    notice = Notice.objects.get()
    assert (notice.person, notice.kind, notice.url) == (world.lead, NoticeKind.ACTION_DUE, f"/actions/{due.pk}/")
    assert notice.text == "Your improvement action on Safeguarding children is due on 13 May 2009: Speed up the audit"
    assert notify_due_actions(datetime.date(2009, 5, 14)) == 2  # `due` overdue now; `later` due
    assert Notice.objects.get(key=f"action-overdue:{due.pk}:2009-05-13").text.startswith(
        "Your improvement action on Safeguarding children is overdue (due 13 May 2009)"
    )
    assert Notice.objects.filter(key__startswith=f"action-due:{later.pk}:").exists()


def test_the_daily_command_makes_the_action_notices_and_queues_the_digests(world, settings):
    settings.CHALLENGE_TODAY = datetime.date(2009, 5, 6)
    _action(world, datetime.date(2009, 5, 1))
    NoticePreference.objects.create(person=world.lead, kind=NoticeKind.ACTION_DUE, choice=Notice.Delivery.DIGEST)
    out = io.StringIO()
    call_command("send_daily_notices", stdout=out)
    assert out.getvalue().strip() == "1 action notice made; 1 digest queued."
    assert [m.to for m in mail.outbox] == [["lead@example.org"]]  # the digest, sent by the (immediate) worker
    assert "overdue (due 1 May 2009)" in mail.outbox[0].body


# --- E-mails ----------------------------------------------------------------------------------


def test_the_email_goes_after_the_commit_with_a_link_back(world, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://challenge.example.org"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        thread = _challenge(world)
    assert Notice.objects.filter(person=world.lead, emailed_at=None).exists()
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["lead@example.org"]]
    message = mail.outbox[0]
    assert message.subject == (
        "Challenge: Paul Hargreaves posted a challenge on Safeguarding children in Safeguarding children: "
        "“Where is the evidence of improved outcomes?”"
    )
    assert "https://challenge.example.org" + _workspace_place(world, thread.question) in message.body
    assert "https://challenge.example.org/notices/settings/" in message.body
    assert Notice.objects.get(person=world.lead).emailed_at is not None


def test_a_change_rolled_back_sends_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        _challenge(world)
        raise RuntimeError("the request failed after the post")
    assert not Notice.objects.exists()
    assert mail.outbox == []


def test_off_and_digest_send_nothing_at_once(world, django_capture_on_commit_callbacks):
    notices.set_preferences(person=world.lead, choices={NoticeKind.CHALLENGE: Notice.Delivery.OFF})
    NoticePreference.objects.create(person=world.reviewer, kind=NoticeKind.REPLY, choice=Notice.Delivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        thread = _challenge(world)
        workspace_services.reply_to(parent=thread, author=world.lead, text="See the audit.")
    assert mail.outbox == []
    # Shown in the app all the same.
    assert Notice.objects.get(person=world.lead).delivery == Notice.Delivery.OFF
    assert Notice.objects.get(person=world.reviewer).delivery == Notice.Delivery.DIGEST


def _digest_world(world, django_capture_on_commit_callbacks):
    """Two reply notices and one unresolved notice waiting for the reviewer's digest."""
    for kind in (NoticeKind.REPLY, NoticeKind.UNRESOLVED):
        NoticePreference.objects.create(person=world.reviewer, kind=kind, choice=Notice.Delivery.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        first = _challenge(world, text="First challenge")
        second = _challenge(world, text="Second challenge")
        workspace_services.reply_to(parent=first, author=world.lead, text="Answer one.")
        workspace_services.reply_to(parent=second, author=world.lead, text="Answer two.")
        workspace_services.set_comment_status(
            comment=first, by=world.facilitator, status=Comment.Status.UNRESOLVED, note="Not persuaded."
        )
    mail.outbox.clear()  # the lead's notices, at once


def test_the_digest_groups_a_persons_waiting_notices_in_one_email(world, settings, django_capture_on_commit_callbacks):
    settings.SITE_URL = "https://challenge.example.org"
    _digest_world(world, django_capture_on_commit_callbacks)
    assert notices.queue_digests() == 1
    assert [m.to for m in mail.outbox] == [["reviewer@example.org"]]
    message = mail.outbox[0]
    assert message.subject == "Challenge: your daily digest (3 notices)"
    body = message.body
    assert (
        body.index(NoticeKind.REPLY.label)
        < body.index("replied to your challenge")
        < body.index(NoticeKind.UNRESOLVED.label)
    )
    assert body.count("Andrew Kenyon replied to your challenge") == 2
    assert "Ruth Mellor marked the challenge on Safeguarding children unresolved" in body
    assert body.count("https://challenge.example.org/notices/unsubscribe/") == 3  # each kind, and all
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://challenge.example.org/notices/unsubscribe/")
    assert not Notice.objects.filter(person=world.reviewer, emailed_at=None).exists()
    mail.outbox.clear()
    assert notices.queue_digests() == 0  # nothing waits any more
    assert mail.outbox == []


def _unsubscribe_link(body, nth=0):
    return re.findall(r"https?://[^/\s]+(/notices/unsubscribe/[^\s]+/)", body)[nth]


def test_the_unsubscribe_link_works_without_signing_in(client, world, django_capture_on_commit_callbacks):
    _digest_world(world, django_capture_on_commit_callbacks)
    notices.queue_digests()
    replies_link = _unsubscribe_link(mail.outbox[0].body, 0)
    page = client.get(replies_link)
    assert page.status_code == 200
    assert "Stop e-mails about “a reply to my challenge”" in page.content.decode()
    assert NoticePreference.objects.get(person=world.reviewer, kind=NoticeKind.REPLY).choice == "digest"  # asked first
    page = client.post(replies_link)
    assert "you will no longer receive e-mails about “a reply to my challenge”" in page.content.decode()
    assert notices.preferences_of(world.reviewer)[NoticeKind.REPLY] == Notice.Delivery.OFF
    assert notices.preferences_of(world.reviewer)[NoticeKind.UNRESOLVED] == Notice.Delivery.DIGEST
    # The whole lot, from the last link.
    client.post(_unsubscribe_link(mail.outbox[0].body, 2))
    assert set(notices.preferences_of(world.reviewer).values()) == {Notice.Delivery.OFF}


def test_a_digest_leaves_out_a_kind_turned_off_since(world, django_capture_on_commit_callbacks):
    _digest_world(world, django_capture_on_commit_callbacks)
    notices.unsubscribe(person=world.reviewer, kind=NoticeKind.REPLY)
    notices.queue_digests()
    assert mail.outbox[0].subject == "Challenge: your daily digest (1 notice)"
    assert "replied to your challenge" not in mail.outbox[0].body


@pytest.mark.parametrize("change", ["tampered", "other salt", "garbage"])
def test_a_tampered_unsubscribe_token_is_refused(client, world, change):
    token = notices.unsubscribe_token(world.reviewer, NoticeKind.REPLY)
    bad = {
        "tampered": token.replace(token.split(":")[0], notices.unsubscribe_token(world.lead).split(":")[0]),
        "other salt": signing.dumps({"p": world.reviewer.pk, "k": "all"}),
        "garbage": "not-a-token",
    }[change]
    for method in (client.get, client.post):
        response = method(reverse("notice_unsubscribe", args=[bad]))
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert not NoticePreference.objects.exists()


# --- The pages --------------------------------------------------------------------------------


def test_the_list_shows_newest_first_and_marks_unread_with_a_word(client, world):
    thread = _challenge(world, text="Older")
    workspace_services.reply_to(parent=thread, author=world.reviewer, text="Newer")
    notices.mark_read(notice=Notice.objects.get(person=world.lead, text__endswith="“Older”"))
    client.force_login(world.lead)
    html = " ".join(client.get(reverse("notice_list")).content.decode().split())
    assert html.index("“Newer”") < html.index("“Older”")
    assert html.count(">Unread</span>") == 1
    assert "1 unread notice." in html
    assert 'Notices <span class="badge text-bg-light">1<span class="visually-hidden"> unread</span>' in html


def test_opening_a_notice_marks_it_read_and_goes_to_its_place(client, world):
    thread = _challenge(world)
    notice = Notice.objects.get(person=world.lead)
    client.force_login(world.lead)
    response = client.get(reverse("notice_open", args=[notice.pk]))
    assert response.status_code == 302
    assert response["Location"] == _workspace_place(world, thread.question)
    notice.refresh_from_db()
    assert notice.is_read


@pytest.mark.parametrize("url", ["//evil.example/", "https://evil.example/x", "/\\evil.example"])
def test_opening_refuses_a_link_off_the_site(client, world, url):
    notice = Notice.objects.create(
        person=world.lead, partnership=world.programme.partnership, kind=NoticeKind.REPLY, text="x", url=url
    )
    client.force_login(world.lead)
    assert client.get(reverse("notice_open", args=[notice.pk])).status_code == 404


def test_notify_refuses_a_link_off_the_site(world):
    with pytest.raises(ValueError):
        notices.notify(
            people=[world.lead],
            kind=NoticeKind.REPLY,
            text="x",
            url="//evil.example/",
            partnership=world.programme.partnership,
        )


def test_someone_elses_notice_is_not_found(client, world):
    _challenge(world)
    notice = Notice.objects.get(person=world.lead)
    for who in (world.reviewer, world.facilitator, world.outsider):
        client.force_login(who)
        assert client.get(reverse("notice_open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert not notice.is_read


def test_notices_of_a_partnership_left_are_hidden(client, world):
    _challenge(world)
    Membership.objects.filter(person=world.lead).update(is_active=False)
    client.force_login(world.lead)
    html = client.get(reverse("notice_list")).content.decode()
    assert "posted a challenge" not in html
    assert "No unread notices." in html
    assert client.get(reverse("notice_open", args=[Notice.objects.get().pk])).status_code == 404


def test_mark_all_read(client, world):
    _challenge(world, text="One")
    _challenge(world, text="Two")
    other = f.person(world.council, "other")
    f.participant(world.session, other, Participant.Role.PRESENTER, world.safeguarding)
    _challenge(world, text="Three")
    client.force_login(world.lead)
    assert client.get(reverse("notice_read_all")).status_code == 405
    response = client.post(reverse("notice_read_all"), follow=True)
    assert "Marked 3 notices read." in response.content.decode()
    assert not Notice.objects.filter(person=world.lead, read_at=None).exists()
    assert Notice.objects.filter(person=other, read_at=None).count() == 1  # someone else's stay unread


def test_the_settings_form_records_each_kinds_choice(client, world):
    client.force_login(world.lead)
    page = client.get(reverse("notice_settings")).content.decode()
    assert len(re.findall(r'value="at_once"[^>]*checked', page)) == len(NoticeKind.values)
    assert page.count("<legend") == len(NoticeKind.values) and NoticeKind.ACTION_DUE.label in page
    data = dict.fromkeys(NoticeKind.values, "at_once") | {"reply": "digest", "action_due": "off"}
    response = client.post(reverse("notice_settings"), data)
    assert response.status_code == 302
    prefs = notices.preferences_of(world.lead)
    assert (prefs["reply"], prefs["action_due"], prefs["challenge"]) == ("digest", "off", "at_once")
    bad = client.post(reverse("notice_settings"), data | {"reply": "sometimes"})
    assert bad.status_code == 200
    assert "Select a valid choice" in bad.content.decode()
    assert notices.preferences_of(world.lead)["reply"] == "digest"


@pytest.mark.parametrize("name", ["notice_list", "notice_settings"])
def test_the_pages_ask_to_sign_in(client, world, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_opening_asks_to_sign_in(client, world):
    _challenge(world)
    response = client.get(reverse("notice_open", args=[Notice.objects.get().pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Notice.objects.get().is_read


# --- Queries ----------------------------------------------------------------------------------


def _many_notices(world, n):
    Notice.objects.bulk_create(
        Notice(
            person=world.lead,
            partnership=world.programme.partnership,
            kind=NoticeKind.CHALLENGE,
            text=f"Notice {i}",
            url="/",
        )
        for i in range(n)
    )


@pytest.mark.parametrize("name", ["notice_list", "notice_settings"])
def test_the_pages_cost_the_same_queries_with_more_notices(client, world, name, django_assert_num_queries):
    """Session, user, memberships (with the unread count), then the list's count and page, or
    the preferences."""
    client.force_login(world.lead)
    expected = {"notice_list": 5, "notice_settings": 4}[name]
    _many_notices(world, 1)
    with django_assert_num_queries(expected):
        assert client.get(reverse(name)).status_code == 200
    _many_notices(world, 60)
    with django_assert_num_queries(expected):
        html = client.get(reverse(name)).content.decode()
    assert "61" in html  # the unread count, in the header


def test_notify_costs_the_same_queries_for_many_people(world, django_assert_num_queries):
    people = [f.person(world.council, f"member{i}") for i in range(5)]
    with django_assert_num_queries(3):
        notices.notify(
            people=people[:1], kind=NoticeKind.REPLY, text="x", url="/", partnership=world.programme.partnership
        )
    with django_assert_num_queries(3):
        made = notices.notify(
            people=people, kind=NoticeKind.REPLY, text="y", url="/", partnership=world.programme.partnership
        )
    assert len(made) == 5


def test_an_email_that_fails_is_left_unsent_and_the_others_go(world, monkeypatch, django_capture_on_commit_callbacks):
    colleague = f.person(world.council, "colleague-presenter")
    f.participant(world.session, colleague, Participant.Role.PRESENTER, world.safeguarding)
    real_send = mail.EmailMessage.send

    def send(message, *args, **kwargs):
        if message.to == ["lead@example.org"]:
            raise OSError("mailbox unavailable")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMessage, "send", send)
    with django_capture_on_commit_callbacks(execute=True):
        _challenge(world)
    assert [m.to for m in mail.outbox] == [["colleague-presenter@example.org"]]
    assert Notice.objects.get(person=world.lead).emailed_at is None  # to be tried again
    assert Notice.objects.get(person=colleague).emailed_at is not None
    # Tried again, it goes once, and the one already sent is not sent again.
    monkeypatch.setattr(mail.EmailMessage, "send", real_send)
    notices.send_notice_emails.call(notice_ids=list(Notice.objects.values_list("pk", flat=True)))
    assert [m.to for m in mail.outbox] == [["colleague-presenter@example.org"], ["lead@example.org"]]


def test_opening_costs_the_same_queries_whatever_the_notices(client, world, django_assert_num_queries):
    """Session, user, memberships, the notice, marking it read."""
    _challenge(world)
    client.force_login(world.lead)
    for more in (0, 40):
        _many_notices(world, more)
        notice = Notice.objects.filter(person=world.lead, read_at=None).order_by("pk").first()
        with django_assert_num_queries(5):
            assert client.get(reverse("notice_open", args=[notice.pk])).status_code == 302


def test_the_unsubscribe_page_costs_one_query(client, world, django_assert_num_queries):
    """The person the link is for: nobody is signed in, so no session is read."""
    url = reverse("notice_unsubscribe", args=[notices.unsubscribe_token(world.reviewer, NoticeKind.REPLY)])
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("name", "method"),
    [("notice_list", "post"), ("notice_open", "post"), ("notice_read_all", "get"), ("notice_settings", "put")],
)
def test_the_wrong_method_is_refused(client, world, name, method):
    _challenge(world)
    client.force_login(world.lead)
    args = [Notice.objects.get().pk] if name == "notice_open" else []
    assert getattr(client, method)(reverse(name, args=args)).status_code == 405
    assert not Notice.objects.get().is_read


def test_the_daily_command_queues_again_the_at_once_emails_that_failed(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(message, *args, **kwargs):
        raise OSError("mail server down")

    real_send = mail.EmailMessage.send
    monkeypatch.setattr(mail.EmailMessage, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        _challenge(world)
    failed = Notice.objects.get(person=world.lead)
    assert failed.emailed_at is None and mail.outbox == []
    monkeypatch.setattr(mail.EmailMessage, "send", real_send)

    # Within the hour it may still be on its way: not queued again.
    assert notices.queue_unsent() == 0
    # An hour on, the daily round sends it, once.
    Notice.objects.filter(pk=failed.pk).update(created_at=failed.created_at - notices.RETRY_AFTER)
    out = io.StringIO()
    call_command("send_daily_notices", stdout=out)
    assert out.getvalue().strip() == "0 action notices made; 0 digests queued; 1 unsent e-mail queued again."
    assert [m.to for m in mail.outbox] == [["lead@example.org"]]
    assert notices.queue_unsent() == 0
    # A week on, an unsent one is left alone; so is one for someone without an address.
    Notice.objects.filter(pk=failed.pk).update(emailed_at=None, created_at=failed.created_at - notices.RETRY_FOR)
    assert notices.queue_unsent() == 0
    Notice.objects.filter(pk=failed.pk).update(created_at=failed.created_at - notices.RETRY_AFTER)
    type(world.lead).objects.filter(pk=world.lead.pk).update(email="")
    assert notices.queue_unsent() == 0
