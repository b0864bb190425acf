"""Sessions end after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_COOKIE_AGE
seconds after signing in however busy the person has been.

Django alone cannot do either: its session lasts SESSION_COOKIE_AGE from the last time the
session was saved, so a session saved now and then never ends. The middleware keeps two times
in the session (when the person signed in, when they were last seen) and signs them out, with a
message, when one of the limits has passed. It saves "last seen" at most once a minute, so
most requests do not write the session.

The clock starts in a receiver of Django's `user_logged_in` signal: the one place that sees
every way of signing in (the sign-in page, the admin's, the sign-in that follows a password
reset), and the session is written then anyway."""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

SIGNED_IN_AT = "challenge_signed_in_at"
LAST_SEEN = "challenge_last_seen"
LAST_SEEN_RESOLUTION = 60  # seconds: how stale "last seen" may get before it is saved again


def _now() -> float:
    # One place for the tests to move the clock.
    return time.time()


def describe_duration(seconds: int) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'' if hours == 1 else 's'}"
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute{'' if minutes == 1 else 's'}"


def _start_clock(session) -> None:
    session[SIGNED_IN_AT] = session[LAST_SEEN] = _now()


@receiver(user_logged_in, dispatch_uid="challenge.session_timeout.start_clock")
def _signed_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None:
        _start_clock(session)


def _same_site_path(request, url: str | None) -> str | None:
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            ended = self._ended_because(request.session, _now())
            if ended:
                signed_out = self._sign_out(request, ended)
                if signed_out is not None:
                    return signed_out
        response = self.get_response(request)
        if request.user.is_authenticated:
            self._note_activity(request.session)
        return response

    @staticmethod
    def _ended_because(session, now) -> str | None:
        signed_in_at = session.get(SIGNED_IN_AT)
        last_seen = session.get(LAST_SEEN)
        if signed_in_at is not None and now - signed_in_at >= settings.SESSION_COOKIE_AGE:
            return (
                f"You were signed out {describe_duration(settings.SESSION_COOKIE_AGE)} "
                "after signing in. Sign in again to carry on."
            )
        if last_seen is not None and now - last_seen >= settings.SESSION_IDLE_TIMEOUT:
            return (
                f"You were signed out after {describe_duration(settings.SESSION_IDLE_TIMEOUT)} "
                "without activity. Sign in again to carry on."
            )
        return None

    @staticmethod
    def _sign_out(request, message):
        """Sign out (flushing the session), leave the message for the sign-in page and send
        the person there, coming back afterwards to the page they asked for."""
        request.sign_out_reason = "session timed out"  # for the audit line
        logout(request)
        messages.info(request, message)
        login_url = resolve_url(settings.LOGIN_URL)
        if request.path == login_url:
            return None  # the sign-in page itself: show it, with the message
        if getattr(request, "htmx", False):
            # A fragment request: have htmx load the sign-in page as a whole page, coming
            # back to the page the fragment was on.
            back_to = request.htmx.current_url_abs_path or resolve_url("home")
            return HttpResponseClientRedirect(redirect_to_login(back_to)["Location"])
        if request.method in ("GET", "HEAD"):
            return redirect_to_login(request.get_full_path())
        # A form sent from a timed-out page (what it sent is lost, signing out or not): back
        # to that page afterwards, not to the address the form posted to.
        back_to = _same_site_path(request, request.headers.get("Referer"))
        return redirect_to_login(back_to) if back_to else redirect(login_url)

    @staticmethod
    def _note_activity(session) -> None:
        if SIGNED_IN_AT not in session:
            _start_clock(session)  # signed in before the app kept these times
        elif _now() - session.get(LAST_SEEN, 0) >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN] = _now()
