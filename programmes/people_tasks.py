"""Background work for a partnership's people, run by the django-tasks worker: the
invitation e-mail, sent once the invitation is saved.

The link's secret token is an HMAC of the invitation's row, keyed by the installation's
secret key: this task rebuilds it for the e-mail, so it is never stored (the row keeps only
its SHA-256 hash, to find the invitation when the link is opened: programmes.people)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django_tasks import task

from challenge.mail import send_batch
from challenge.validators import single_line
from programmes.models import Invitation, SignOnProvider

INVITATION_KEY_SALT = "programmes.people.invitation"  # noqa: S105 (a salt, not a secret)


def invitation_token(invitation) -> str:
    """The secret in the invitation's link."""
    message = f"{invitation.pk}:{invitation.membership_id}:{invitation.created_at.isoformat()}"
    return salted_hmac(INVITATION_KEY_SALT, message, algorithm="sha256").hexdigest()


def invitation_url(invitation) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


@task()
def send_invitation(*, invitation_id: int) -> int:
    """E-mail the invitation's one-time link, recording on the invitation whether it went."""
    return send_batch(Invitation, invitation_id, lambda: _messages(invitation_id))


def _messages(invitation_id):
    invitation = Invitation.objects.select_related("membership__person", "membership__partnership", "invited_by").get(
        pk=invitation_id
    )
    if invitation.replaced_at is not None or invitation.accepted_at is not None:
        return []  # resent or accepted before the worker got to it: this link no longer works
    person, by = invitation.membership.person, invitation.invited_by
    partnership = invitation.membership.partnership
    added = f"{by.display_name} has added you" if by else "You have been added"
    context = {
        "person": person,
        "opening": f"{added} to {partnership.name} on Challenge, where the partnership prepares and runs its "
        "peer challenge sessions.",
        "ask": (f"{by.display_name} <{by.email}>" if by.email else by.display_name)
        if by
        else f"a facilitator of {partnership.name}",
        "url": invitation_url(invitation),
        "expires": date_format(localtime(invitation.expires_at), "l j F Y, H:i"),
        "username": person.username,
        "sign_in": settings.SITE_URL + reverse("login"),
        # An organisation that signs its people in with its own account: no password to set.
        "sign_on": SignOnProvider.objects.filter(
            partner_id=invitation.membership.partner_id, enabled=True, required=True
        )
        .select_related("partner")
        .first(),
    }
    message = EmailMessage(
        subject=single_line(f"You are invited to {partnership.name} on Challenge"),
        body=render_to_string("programmes/people/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )
    return [(f"{person.display_name} <{person.email}>", message)]
