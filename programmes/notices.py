"""Notices: what a person should know (a new challenge on their area, a reply to their
challenge, a challenge marked unresolved, a draft circulated to them, an action of theirs due
or overdue), shown in the app until read and e-mailed as each person chooses per kind.

This is the lowest app, so every app above calls `notify` from its own services, inside the
transaction of the change it reports (no signals). E-mails go from the worker once that
transaction commits (programmes.notice_tasks); the daily digest is queued by
`manage.py send_daily_notices`, which also queues again the at-once e-mails that failed."""

import datetime

from django.db import transaction
from django.utils import timezone

from programmes.models import Membership, Notice, NoticeKind, NoticePreference
from programmes.notice_tasks import (  # noqa: F401  (the link tokens, for the views)
    ALL_KINDS,
    read_unsubscribe_token,
    send_notice_digest,
    send_notice_emails,
    unsubscribe_token,
)

TEXT_LENGTH = Notice._meta.get_field("text").max_length
# An at-once e-mail still unsent this long after its notice was made failed (or its worker
# died): the daily round queues it again, for a week after the notice, then leaves it.
RETRY_AFTER = datetime.timedelta(hours=1)
RETRY_FOR = datetime.timedelta(days=7)


def excerpt(text: str, length: int = 120) -> str:
    """The start of what someone typed, on one line, for a notice's text."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def notify(*, people, kind, text, url, partnership, actor=None, key="") -> list[Notice]:
    """Record a `kind` notice saying `text`, linking to the local path `url`, for each of
    `people` (users or ids) who is still an active member of `partnership`, except `actor`
    (nobody hears of what they did themselves) and, with a `key`, those who already had a
    notice of that key. Each is e-mailed as the person's preference for `kind` says: at once
    (a task queued once the transaction commits, so nothing goes for a change rolled back),
    in the next daily digest, or not at all. Returns the notices made. Three queries, four
    with a `key`, whatever the number of people."""
    if kind not in NoticeKind.values:
        raise ValueError(f"Unknown notice kind {kind!r}")
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError("A notice links to a page of this site.")
    partnership_id = getattr(partnership, "pk", partnership)
    ids = {getattr(person, "pk", person) for person in people if person is not None}
    ids.discard(getattr(actor, "pk", actor))
    if not ids:
        return []
    members = set(
        Membership.objects.filter(
            partnership_id=partnership_id, person_id__in=ids, is_active=True, person__is_active=True
        ).values_list("person_id", flat=True)
    )
    if key and members:
        members -= set(Notice.objects.filter(key=key, person_id__in=members).values_list("person_id", flat=True))
    if not members:
        return []
    choices = dict(NoticePreference.objects.filter(person_id__in=members, kind=kind).values_list("person_id", "choice"))
    now = timezone.now()
    notices = Notice.objects.bulk_create(
        Notice(
            person_id=person_id,
            partnership_id=partnership_id,
            kind=kind,
            text=text[:TEXT_LENGTH],
            url=url,
            key=key,
            created_at=now,
            delivery=choices.get(person_id, Notice.Delivery.AT_ONCE),
        )
        for person_id in sorted(members)
    )
    at_once = [notice.pk for notice in notices if notice.delivery == Notice.Delivery.AT_ONCE]
    if at_once:
        transaction.on_commit(lambda: send_notice_emails.enqueue(notice_ids=at_once))
    return notices


def mark_read(*, notice) -> Notice:
    """Mark one of a person's notices read (again: nothing changes)."""
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at=None).update(read_at=notice.read_at)
    return notice


def mark_all_read(*, person) -> int:
    """Mark every unread notice of `person` read. Returns how many."""
    return Notice.objects.for_person(person).unread().update(read_at=timezone.now())


def preferences_of(person) -> dict:
    """kind: choice, for every kind (at once where the person has not chosen)."""
    chosen = dict(NoticePreference.objects.filter(person=person).values_list("kind", "choice"))
    return {kind: chosen.get(kind, Notice.Delivery.AT_ONCE) for kind in NoticeKind.values}


@transaction.atomic
def set_preferences(*, person, choices: dict) -> None:
    """Record `person`'s choice (a Notice.Delivery) for each kind in `choices`."""
    for kind, choice in choices.items():
        if kind not in NoticeKind.values or choice not in Notice.Delivery.values:
            raise ValueError(f"Unknown notice kind or choice: {kind!r}, {choice!r}")
        NoticePreference.objects.update_or_create(person=person, kind=kind, defaults={"choice": choice})


# --- Unsubscribing from a digest, by a link, without signing in ------------------------------
# The link's token: programmes.notice_tasks (unsubscribe_token, read_unsubscribe_token).


def unsubscribe(*, person, kind) -> None:
    """Turn off `person`'s e-mails of `kind` (all kinds for ALL_KINDS); the notices are still
    shown in the app. Notices waiting for the digest are not sent."""
    kinds = NoticeKind.values if kind == ALL_KINDS else [kind]
    set_preferences(person=person, choices=dict.fromkeys(kinds, Notice.Delivery.OFF))
    Notice.objects.filter(person=person, kind__in=kinds, emailed_at=None).exclude(delivery=Notice.Delivery.OFF).update(
        delivery=Notice.Delivery.OFF
    )


def queue_digests() -> int:
    """Queue a digest e-mail for every person with notices waiting for it. Returns how many
    were queued. Run daily (manage.py send_daily_notices)."""
    person_ids = sorted(
        set(Notice.objects.filter(delivery=Notice.Delivery.DIGEST, emailed_at=None).values_list("person_id", flat=True))
    )
    for person_id in person_ids:
        send_notice_digest.enqueue(person_id=person_id)
    return len(person_ids)


def queue_unsent(now=None) -> int:
    """Queue again, in one task, the at-once e-mails of the last RETRY_FOR that are still
    unsent RETRY_AFTER after their notice was made (the mail server refused them, or the
    worker died). Each goes once: the task claims a notice before sending it. Returns how many
    were queued. Run daily (manage.py send_daily_notices)."""
    now = now or timezone.now()
    ids = list(
        Notice.objects.filter(
            delivery=Notice.Delivery.AT_ONCE,
            emailed_at=None,
            created_at__lt=now - RETRY_AFTER,
            created_at__gte=now - RETRY_FOR,
            person__is_active=True,
        )
        .exclude(person__email="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        send_notice_emails.enqueue(notice_ids=ids)
    return len(ids)
