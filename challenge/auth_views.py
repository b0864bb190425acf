"""The app's own pieces of signing in: the lock-out page django-axes shows, and a password
reset form that stops sending e-mails to one address after a few requests."""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.views import PasswordResetView
from django.core.cache import cache
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from challenge import audit
from challenge.session_timeout import describe_duration

PASSWORD_RESET_WINDOW = 60 * 60  # seconds over which PASSWORD_RESET_LIMIT counts


def locked_out(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the page for a sign-in refused by a lock-out.

    Each refused attempt starts the cool-off again (axes' default), so the lock ends one
    cool-off after now."""
    cool_off = settings.AXES_COOLOFF_TIME
    now = timezone.localtime()
    retry_at = timezone.localtime(now + cool_off)
    return render(
        request,
        "registration/lockout.html",
        {
            "username": (credentials or {}).get("username") or request.POST.get("username", ""),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cool_off": describe_duration(int(cool_off.total_seconds())),
            "retry_at": retry_at,
            "retry_same_day": retry_at.date() == now.date(),
            "support_email": settings.SUPPORT_EMAIL,
        },
        status=429,
    )


def _password_reset_allowed(request, email: str) -> bool:
    """Count this request against PASSWORD_RESET_LIMIT for the e-mail address and the
    client's address, in Django's cache; False once over the limit for the hour."""
    identity = f"{email.casefold()}|{audit.client_ip(request)}"
    key = "password-reset:" + hashlib.sha256(identity.encode()).hexdigest()
    cache.add(key, 0, timeout=PASSWORD_RESET_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=PASSWORD_RESET_WINDOW)
        count = 1
    return count <= settings.PASSWORD_RESET_LIMIT


class RateLimitedPasswordResetView(PasswordResetView):
    """Django's password reset, sending nothing past PASSWORD_RESET_LIMIT requests an hour for
    one e-mail address from one client address. The answer is the same either way ("if an
    account uses that address, we have sent it a link"), so it tells nobody which addresses
    have accounts, nor that the limit was reached."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if not _password_reset_allowed(self.request, email):
            audit.log_event(logging.WARNING, "password reset refused (over limit)", self.request, email=email)
            return HttpResponseRedirect(self.get_success_url())
        audit.log_event(logging.INFO, "password reset requested", self.request, email=email)
        return super().form_valid(form)
