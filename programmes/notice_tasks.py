"""The e-mails of notices (programmes.notices), sent by the django-tasks worker: each notice
at once, after the change that made it commits, or a person's waiting notices in one daily
digest, with links back to the site and, in the digest, links that turn its e-mails off
without signing in (a token signed with the installation's secret key).

A task claims its notices (sets `emailed_at`) before sending, so a notice goes once; one
that could not be sent is released again and the task fails, so the failure is recorded."""

import logging
from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from challenge.mail import EmailBatchFailed
from challenge.validators import single_line
from programmes.models import Notice, NoticeKind, NoticePreference, User

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "programmes.notices.unsubscribe"
ALL_KINDS = "all"


def unsubscribe_token(person, kind=ALL_KINDS) -> str:
    """The signed token of a link that turns off `person`'s e-mails of `kind` (or all)."""
    return signing.dumps({"p": person.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    """(person id, kind) from a token, or None if it was not made here or was changed."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("p"), int):
        return None
    if data.get("k") != ALL_KINDS and data.get("k") not in NoticeKind.values:
        return None
    return data["p"], data["k"]


def unsubscribe_url(person, kind=ALL_KINDS) -> str:
    return settings.SITE_URL + reverse("notice_unsubscribe", args=[unsubscribe_token(person, kind)])


def _claim(notices) -> list:
    """Mark `notices` e-mailed now, keeping those no other task claimed first."""
    now = timezone.now()
    claimed = []
    for notice in notices:
        if Notice.objects.filter(pk=notice.pk, emailed_at=None).update(emailed_at=now):
            notice.emailed_at = now
            claimed.append(notice)
    return claimed


def _release(notices) -> None:
    Notice.objects.filter(pk__in=[n.pk for n in notices]).update(emailed_at=None)


def _send(person, message, notices, failures) -> int:
    try:
        return message.send()
    except Exception as exc:  # one bad address must not hold back the others
        logger.exception("Notice e-mail to %s failed", person.email)
        _release(notices)
        failures.append(f"{single_line(person.display_name)}: {single_line(str(exc))[:300] or type(exc).__name__}")
        return 0


def _recipient_ok(person) -> bool:
    return person.is_active and bool(person.email)


@task()
def send_notice_emails(*, notice_ids: list[int]) -> int:
    """E-mail each of the notices `notice_ids` (those still to be e-mailed at once) to its
    person. Returns how many were sent; raises EmailBatchFailed after trying them all if any
    failed (those are left unsent)."""
    with transaction.atomic():
        pending = list(
            Notice.objects.filter(pk__in=notice_ids, delivery=Notice.Delivery.AT_ONCE, emailed_at=None)
            .select_related("person", "partnership")
            .order_by("pk")
        )
        pending = _claim([n for n in pending if _recipient_ok(n.person)])
    sent, failures = 0, []
    for notice in pending:
        person = notice.person
        body = render_to_string(
            "programmes/notices/email/notice.txt",
            {
                "person": person,
                "notice": notice,
                "url": settings.SITE_URL + notice.url,
                "settings_url": settings.SITE_URL + reverse("notice_settings"),
            },
        )
        subject = single_line(f"Challenge: {notice.text}")[:200]
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email])
        sent += _send(person, message, [notice], failures)
    if failures:
        raise EmailBatchFailed(f"{len(failures)} of {len(pending)} notice e-mails failed: " + "; ".join(failures))
    return sent


@task()
def send_notice_digest(*, person_id: int) -> int:
    """E-mail `person_id` one digest of their notices waiting for it (in the partnerships
    they are still an active member of), grouped by kind, each kind with a link that turns
    its e-mails off, and one for all. A kind they have turned off since is not sent. Returns
    1 if a digest went, 0 if there was nothing to send."""
    person = User.objects.get(pk=person_id)
    with transaction.atomic():
        waiting = Notice.objects.filter(person=person, delivery=Notice.Delivery.DIGEST, emailed_at=None)
        off = set(
            NoticePreference.objects.filter(person=person, choice=Notice.Delivery.OFF).values_list("kind", flat=True)
        )
        # Not to be sent, ever: kinds turned off since, partnerships left, nowhere to send.
        unsendable = Q(kind__in=off) | ~Q(partnership__in=person.active_partnership_ids())
        if not _recipient_ok(person):
            unsendable = Q()
        waiting.filter(unsendable).update(delivery=Notice.Delivery.OFF)
        notices = _claim(waiting.exclude(delivery=Notice.Delivery.OFF).order_by("created_at", "pk"))
    if not notices:
        return 0
    by_kind = defaultdict(list)
    for notice in notices:
        by_kind[notice.kind].append(notice)
    groups = [
        {
            "label": label,
            "notices": [{"text": n.text, "url": settings.SITE_URL + n.url} for n in by_kind[kind]],
            "unsubscribe_url": unsubscribe_url(person, kind),
        }
        for kind, label in NoticeKind.choices
        if kind in by_kind
    ]
    everything = unsubscribe_url(person)
    body = render_to_string(
        "programmes/notices/email/digest.txt",
        {
            "person": person,
            "groups": groups,
            "unsubscribe_all_url": everything,
            "settings_url": settings.SITE_URL + reverse("notice_settings"),
            "notices_url": settings.SITE_URL + reverse("notice_list"),
        },
    )
    count = len(notices)
    subject = f"Challenge: your daily digest ({count} notice{'s' if count != 1 else ''})"
    message = EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [person.email], headers={"List-Unsubscribe": f"<{everything}>"}
    )
    failures = []
    sent = _send(person, message, notices, failures)
    if failures:
        raise EmailBatchFailed("The digest e-mail failed: " + failures[0])
    return sent
