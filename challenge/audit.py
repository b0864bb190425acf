"""The audit trail: one line on the `challenge.audit` logger for every sign-in, failed sign-in,
lock-out, sign-out and refusal (HTTP 403), saying who, from which address and on which page.

The receivers below listen to Django's own authentication signals and django-axes' lock-out
signal. They only write the log: no rule of the app hangs on them. The same sign-in events are
kept in the database by django-axes, for administrators to read in the admin ("Axes")."""

import ipaddress
import json
import logging

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("challenge.audit")


def client_ip(request) -> str | None:
    """The address of the person making the request. Behind TRUSTED_PROXY_COUNT reverse proxies
    that each append the address they were reached from to X-Forwarded-For, that is the entry
    TRUSTED_PROXY_COUNT places from the right: whatever stands left of it the client wrote.
    Without proxies the header is ignored. django-axes uses this too (AXES_CLIENT_IP_CALLABLE)."""
    remote = request.META.get("REMOTE_ADDR") or None
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in header.split(",") if hop.strip()]
        if len(hops) >= count:
            try:
                return str(ipaddress.ip_address(hops[-count]))
            except ValueError:
                pass
    return remote


def _quoted(value) -> str:
    """A value someone typed, quoted and escaped so that it stays on one line and cannot pass
    for another field."""
    return json.dumps(str(value)[:150], ensure_ascii=False)


def log_event(level: int, event: str, request, username=None, **fields) -> None:
    """Write one audit line: the event, the user (as typed, or the signed-in user's name),
    the client's address and the path, then any other fields."""
    if username is None:
        user = getattr(request, "user", None)
        username = user.get_username() if user is not None and user.is_authenticated else None
    parts = [
        event + ":",
        f"user={_quoted(username) if username is not None else 'anonymous'}",
        f"ip={client_ip(request) if request is not None else None}",
        f"path={_quoted(request.path) if request is not None else '-'}",
    ]
    parts += [f"{name}={_quoted(value)}" for name, value in fields.items()]
    logger.log(level, " ".join(parts))


@receiver(user_logged_in, dispatch_uid="challenge.audit.signed_in")
def _signed_in(sender, request, user, **kwargs):
    log_event(logging.INFO, "sign-in succeeded", request, username=user.get_username())


@receiver(user_login_failed, dispatch_uid="challenge.audit.sign_in_failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get(get_user_model().USERNAME_FIELD, "")
    log_event(logging.WARNING, "sign-in failed", request, username=username)


@receiver(user_locked_out, dispatch_uid="challenge.audit.locked_out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    failures = getattr(request, "axes_failures_since_start", None)
    log_event(
        logging.WARNING,
        "sign-in locked out",
        request,
        username=username or "",
        failures=failures if failures is not None else "",
    )


@receiver(user_logged_out, dispatch_uid="challenge.audit.signed_out")
def _signed_out(sender, request, user, **kwargs):
    # The session time-out says why it signed someone out; otherwise they chose to.
    reason = getattr(request, "sign_out_reason", "signed out")
    username = user.get_username() if user is not None else None
    log_event(logging.INFO, "sign-out", request, username=username, reason=reason)


class ForbiddenAuditMiddleware:
    """Log every 403 answer, whichever part of the app gave it (a permission helper's
    PermissionDenied, a CSRF failure, a view's own HttpResponseForbidden). It sits outside
    CSRF and the views in MIDDLEWARE; `request.user` is there by the time the answer is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            log_event(logging.WARNING, "refused (403)", request, method=request.method)
        return response
