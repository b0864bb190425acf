"""Sign-in throttling (django-axes), limits on password-reset e-mails, session time-outs and
the audit trail of sign-ins, sign-outs, lock-outs and refusals."""

import datetime
import logging
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core import mail
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from challenge import session_timeout
from challenge.audit import client_ip
from tests import factories as f

PASSWORD = "a-long-test-password"
HOME_ADDRESS = "203.0.113.7"
OTHER_ADDRESS = "198.51.100.20"


def sign_in(client, username, password, address=HOME_ADDRESS, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


def signed_in_as(client):
    response = client.get(reverse("home"))
    return response.context["user"].username if response.status_code == 200 else None


def audit_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "challenge.audit"]


# --- Sign-in throttling ---------------------------------------------------------------------


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_username_out_even_with_the_right_password(client):
    f.person(username="lead")
    for _ in range(4):
        response = sign_in(client, "lead", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    response = sign_in(client, "lead", "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert page.count("<h1") == 1 and "<h1>Sign-in paused</h1>" in page
    assert "Sign-in paused — Challenge" in page  # the site's own page, extending base.html

    response = sign_in(client, "lead", PASSWORD)
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert signed_in_as(client) is None
    attempt = AccessAttempt.objects.get(username="lead")
    assert attempt.ip_address == HOME_ADDRESS and attempt.failures_since_start == 6


@pytest.mark.django_db
def test_lockout_page_says_when_to_try_again_and_whom_to_ask(client):
    f.person(username="lead")
    for _ in range(4):
        sign_in(client, "lead", "wrong")
    before = timezone.localtime() + datetime.timedelta(minutes=15)
    response = sign_in(client, "lead", "wrong")
    after = timezone.localtime() + datetime.timedelta(minutes=15)
    page = response.content.decode()
    assert re.sub(r"\s+", " ", page).count("as <strong>lead</strong> from this network address") == 1
    assert "paused for 15 minutes" in page
    assert any(f"Try again after <strong>{t:%H:%M}</strong>" in page for t in (before, after)), page
    assert "your programme's facilitator or the partnership's Challenge administrator" in page
    assert f'href="{reverse("password_reset")}"' in page
    assert 'name="password"' not in page  # no sign-in form to keep trying on

    with override_settings(SUPPORT_EMAIL="challenge-help@salford.gov.uk"):
        page = sign_in(client, "lead", "wrong").content.decode()
    assert '<a href="mailto:challenge-help@salford.gov.uk">' in page


@pytest.mark.django_db
def test_lock_is_for_the_username_from_that_address_only(client):
    f.person(username="lead")
    f.person(username="reviewer")
    for _ in range(5):
        sign_in(client, "lead", "wrong")
    assert sign_in(client, "lead", PASSWORD).status_code == 429

    # The same person from their own desk, and someone else from the same address, sign in.
    assert sign_in(client, "lead", PASSWORD, address=OTHER_ADDRESS).status_code == 302
    assert signed_in_as(client) == "lead"
    client.post(reverse("logout"))
    assert sign_in(client, "reviewer", PASSWORD).status_code == 302
    assert signed_in_as(client) == "reviewer"


@pytest.mark.django_db
def test_lock_lifts_after_the_cool_off(client):
    f.person(username="lead")
    for _ in range(5):
        sign_in(client, "lead", "wrong")
    assert sign_in(client, "lead", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=14))
    assert sign_in(client, "lead", PASSWORD).status_code == 429  # and the wait starts again
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in(client, "lead", PASSWORD).status_code == 302
    assert signed_in_as(client) == "lead"


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_count(client):
    f.person(username="lead")
    for _ in range(4):
        sign_in(client, "lead", "wrong")
    assert sign_in(client, "lead", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert sign_in(client, "lead", "wrong").status_code == 200
    assert sign_in(client, "lead", PASSWORD).status_code == 302


@pytest.mark.django_db
@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=datetime.timedelta(hours=2))
def test_limit_and_cool_off_come_from_settings(client):
    f.person(username="lead")
    assert sign_in(client, "lead", "wrong").status_code == 200
    response = sign_in(client, "lead", "wrong")
    assert response.status_code == 429
    assert "paused for 2 hours" in response.content.decode()


@pytest.mark.django_db
def test_admin_sign_in_page_is_throttled_too(client):
    f.person(username="admin", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"}, REMOTE_ADDR=HOME_ADDRESS)
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": PASSWORD}, REMOTE_ADDR=HOME_ADDRESS
    )
    assert response.status_code == 429
    assert client.get(reverse("admin:index")).status_code == 302


# --- The client's address, with and without reverse proxies ----------------------------------


@pytest.mark.django_db
def test_without_trusted_proxies_x_forwarded_for_is_ignored(client):
    f.person(username="lead")
    for n in range(5):
        sign_in(client, "lead", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    response = sign_in(client, "lead", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {HOME_ADDRESS}


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_client_is_the_address_it_appended(client):
    f.person(username="lead")
    proxy = "10.0.0.5"
    for n in range(5):
        # Whatever the client wrote itself stands to the left of what the proxy added.
        sign_in(client, "lead", "wrong", address=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {HOME_ADDRESS}")
    assert AccessAttempt.objects.get().ip_address == HOME_ADDRESS
    response = sign_in(client, "lead", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=HOME_ADDRESS)
    assert response.status_code == 429
    response = sign_in(client, "lead", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR=OTHER_ADDRESS)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "count, forwarded, expected",
    [
        (0, "192.0.2.1", "10.0.0.5"),
        (1, "192.0.2.1, 203.0.113.7", "203.0.113.7"),
        (2, "192.0.2.1, 203.0.113.7, 10.0.0.4", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.5"),  # fewer hops than proxies: not to be trusted
        (1, "not-an-address", "10.0.0.5"),
        (1, None, "10.0.0.5"),
    ],
)
def test_client_ip(count, forwarded, expected):
    headers = {"REMOTE_ADDR": "10.0.0.5"}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(RequestFactory().get("/", **headers)) == expected


# --- Administrators see sign-ins, failures and lock-outs -------------------------------------


@pytest.mark.django_db
def test_administrators_see_sign_ins_failures_and_lockouts_in_the_admin(client):
    admin_user = f.person(username="admin", is_staff=True, is_superuser=True)
    f.person(username="lead")
    f.person(username="reviewer")
    assert sign_in(client, "lead", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(5):
        sign_in(client, "reviewer", "wrong", address=OTHER_ADDRESS)

    client.force_login(admin_user)
    page = client.get(reverse("admin:index")).content.decode()
    for name in ("Access attempts", "Access logs", "Access failures"):
        assert name in page

    response = client.get(reverse("admin:axes_accesslog_changelist"))
    assert response.status_code == 200
    logs = response.context["cl"].result_list
    assert [(a.username, a.ip_address) for a in logs if a.username == "lead"] == [("lead", HOME_ADDRESS)]
    assert [a.logout_time is not None for a in logs if a.username == "lead"] == [True]

    response = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert [(a.username, a.ip_address, a.failures_since_start) for a in response.context["cl"].result_list] == [
        ("reviewer", OTHER_ADDRESS, 5)
    ]

    response = client.get(reverse("admin:axes_accessfailurelog_changelist"))
    failures = sorted(((a.username, a.locked_out) for a in response.context["cl"].result_list), key=str)
    assert failures == [("reviewer", False)] * 4 + [("reviewer", True)]

    # Deleting the attempt lifts the lock.
    attempt = AccessAttempt.objects.get()
    response = client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    client.post(reverse("logout"))
    assert sign_in(client, "reviewer", PASSWORD, address=OTHER_ADDRESS).status_code == 302
    assert AccessFailureLog.objects.count() == 5 and AccessLog.objects.filter(username="reviewer").exists()


@pytest.mark.django_db
def test_people_who_are_not_administrators_cannot_read_the_sign_in_records(client, world):
    client.force_login(world.facilitator)
    for name in ("accessattempt", "accesslog", "accessfailurelog"):
        response = client.get(reverse(f"admin:axes_{name}_changelist"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


# --- Password reset: a few e-mails an hour per address ---------------------------------------


def ask_for_reset(client, email, address=HOME_ADDRESS):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address, follow=True)


def main_text(response):
    """What the page says: its <main>, which holds no per-request token."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


@pytest.mark.django_db
def test_password_reset_sends_no_more_than_three_e_mails_an_hour(client, caplog):
    f.person(username="ruth", email="ruth@example.org")
    answers = []
    for _ in range(5):
        response = ask_for_reset(client, "ruth@example.org")
        assert response.redirect_chain == [(reverse("password_reset_done"), 302)]
        answers.append(main_text(response))
    assert len(mail.outbox) == 3
    assert all(m.to == ["ruth@example.org"] for m in mail.outbox)
    assert len(set(answers)) == 1  # the same neutral page, over the limit or not
    assert "If an account uses that address, we have sent it a link" in answers[-1]
    assert any(
        line == "password reset refused (over limit): user=anonymous ip=203.0.113.7 "
        'path="/accounts/password_reset/" email="ruth@example.org"'
        for line in audit_lines(caplog)
    )

    # The count is per e-mail address and client address, whatever the case of the address.
    ask_for_reset(client, "RUTH@example.org")
    assert len(mail.outbox) == 3
    ask_for_reset(client, "ruth@example.org", address=OTHER_ADDRESS)
    assert len(mail.outbox) == 4


@pytest.mark.django_db
def test_password_reset_for_an_unknown_address_answers_the_same(client):
    answers = {main_text(ask_for_reset(client, "nobody@example.org")) for _ in range(5)}
    assert len(answers) == 1 and "If an account uses that address" in answers.pop()
    assert mail.outbox == []


@pytest.mark.django_db
@override_settings(PASSWORD_RESET_LIMIT=1)
def test_password_reset_limit_comes_from_settings(client):
    f.person(username="ruth", email="ruth@example.org")
    ask_for_reset(client, "ruth@example.org")
    ask_for_reset(client, "ruth@example.org")
    assert len(mail.outbox) == 1


# --- Session time-outs ------------------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 1_241_600_000.0  # 6 May 2009

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += datetime.timedelta(**kwargs).total_seconds()


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(session_timeout, "_now", clock)
    return clock


def dashboard(world):
    return reverse("programme_dashboard", args=[world.programme.slug])


@pytest.mark.django_db
@override_settings(SESSION_COOKIE_AGE=24 * 60 * 60)  # out of the way of this test
def test_session_ends_after_eight_hours_without_activity(client, world, clock, caplog):
    assert sign_in(client, "lead", PASSWORD).status_code == 302
    assert client.get(dashboard(world)).status_code == 200
    clock.advance(hours=7, minutes=59)
    assert client.get(dashboard(world)).status_code == 200  # and that counts as activity
    clock.advance(hours=7, minutes=59)
    assert client.get(dashboard(world)).status_code == 200
    clock.advance(hours=8)
    response = client.get(dashboard(world))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={dashboard(world)}"
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out after 8 hours without activity. Sign in again to carry on." in page
    assert signed_in_as(client) is None
    assert 'sign-out: user="lead" ip=127.0.0.1 path="/programmes/caa-2009/" reason="session timed out"' in audit_lines(
        caplog
    )


@pytest.mark.django_db
def test_session_ends_twelve_hours_after_signing_in_however_busy(client, world, clock):
    sign_in(client, "lead", PASSWORD)
    for _ in range(11):
        clock.advance(hours=1)
        assert client.get(dashboard(world)).status_code == 200
    clock.advance(minutes=59)
    assert client.get(dashboard(world)).status_code == 200
    clock.advance(minutes=1)
    response = client.get(dashboard(world), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("login"))
    assert "You were signed out 12 hours after signing in." in response.content.decode()
    # Signing in again starts a new twelve hours.
    sign_in(client, "lead", PASSWORD)
    clock.advance(hours=6)
    assert client.get(dashboard(world)).status_code == 200


@pytest.mark.django_db
@override_settings(SESSION_IDLE_TIMEOUT=30 * 60, SESSION_COOKIE_AGE=2 * 60 * 60)
def test_time_outs_come_from_settings(client, world, clock):
    client.force_login(world.lead)
    client.get(dashboard(world))
    clock.advance(minutes=31)
    response = client.get(dashboard(world), follow=True)
    assert "You were signed out after 30 minutes without activity." in response.content.decode()


@pytest.mark.django_db
def test_activity_is_saved_at_most_once_a_minute(client, world, clock):
    client.force_login(world.lead)  # starts the clock, in the session it saves
    assert "sessionid" not in client.get(dashboard(world)).cookies
    clock.advance(seconds=30)
    assert "sessionid" not in client.get(dashboard(world)).cookies  # session not written
    clock.advance(seconds=31)
    assert "sessionid" in client.get(dashboard(world)).cookies


@pytest.mark.django_db
def test_session_signed_in_before_the_time_outs_existed_gets_its_clock(client, world, clock):
    client.force_login(world.lead)
    session = client.session
    del session[session_timeout.SIGNED_IN_AT], session[session_timeout.LAST_SEEN]
    session.save()
    assert "sessionid" in client.get(dashboard(world)).cookies  # the times, saved
    clock.advance(hours=8)
    assert client.get(dashboard(world)).status_code == 302


@pytest.mark.django_db
def test_timed_out_htmx_request_loads_the_sign_in_page_as_a_whole_page(client, world, clock):
    client.force_login(world.lead)
    client.get(dashboard(world))
    clock.advance(hours=9)
    response = client.get(
        dashboard(world),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{reverse('session_detail', args=[world.session.pk])}",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == (f"{reverse('login')}?next={reverse('session_detail', args=[world.session.pk])}")


@pytest.mark.django_db
def test_form_sent_from_a_timed_out_page_comes_back_to_that_page(client, world, clock):
    client.force_login(world.facilitator)
    milestone = f.milestone(world.programme)
    clock.advance(hours=9)
    response = client.post(
        reverse("milestone_done", args=[world.programme.slug, milestone.pk]),
        HTTP_REFERER=f"http://testserver{dashboard(world)}",
    )
    assert response["Location"] == f"{reverse('login')}?next={dashboard(world)}"
    milestone.refresh_from_db()
    assert not milestone.done

    # Signing out of a timed-out page, or a form from elsewhere: just the sign-in page.
    client.force_login(world.facilitator)
    clock.advance(hours=9)
    response = client.post(reverse("logout"), HTTP_REFERER="https://elsewhere.example/")
    assert response["Location"] == reverse("login")


@pytest.mark.django_db
def test_timed_out_person_opening_the_sign_in_page_sees_it_with_the_message(client, world, clock):
    client.force_login(world.lead)
    client.get(dashboard(world))
    clock.advance(hours=9)
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "You were signed out after 8 hours without activity." in response.content.decode()
    assert sign_in(client, "lead", PASSWORD).status_code == 302
    assert signed_in_as(client) == "lead"


# --- The audit trail --------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_success_failure_and_sign_out_are_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="challenge.audit")
    f.person(username="lead")
    sign_in(client, "lead", "wrong")
    sign_in(client, "lead", PASSWORD)
    client.post(reverse("logout"), REMOTE_ADDR=HOME_ADDRESS)
    assert audit_lines(caplog) == [
        'sign-in failed: user="lead" ip=203.0.113.7 path="/accounts/login/"',
        'sign-in succeeded: user="lead" ip=203.0.113.7 path="/accounts/login/"',
        'sign-out: user="lead" ip=203.0.113.7 path="/accounts/logout/" reason="signed out"',
    ]
    levels = [r.levelname for r in caplog.records if r.name == "challenge.audit"]
    assert levels == ["WARNING", "INFO", "INFO"]


@pytest.mark.django_db
def test_lockout_is_logged(client, caplog):
    f.person(username="lead")
    for _ in range(5):
        sign_in(client, "lead", "wrong")
    sign_in(client, "lead", PASSWORD)
    lines = audit_lines(caplog)
    assert lines.count('sign-in failed: user="lead" ip=203.0.113.7 path="/accounts/login/"') == 6
    assert [line for line in lines if line.startswith("sign-in locked out")] == [
        'sign-in locked out: user="lead" ip=203.0.113.7 path="/accounts/login/" failures="5"',
        'sign-in locked out: user="lead" ip=203.0.113.7 path="/accounts/login/" failures="6"',
    ]
    assert not any(line.startswith("sign-in succeeded") for line in lines)


@pytest.mark.django_db
def test_refusal_on_a_view_is_logged_with_user_and_path(client, world, caplog):
    client.force_login(world.outsider)
    caplog.clear()
    assert client.get(dashboard(world)).status_code == 403
    assert audit_lines(caplog) == [
        'refused (403): user="outsider" ip=127.0.0.1 path="/programmes/caa-2009/" method="GET"'
    ]
    records = [r for r in caplog.records if r.name == "challenge.audit"]
    assert records[0].levelname == "WARNING"


@pytest.mark.django_db
def test_csrf_refusal_is_logged(caplog):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 403
    assert audit_lines(caplog) == ['refused (403): user=anonymous ip=127.0.0.1 path="/accounts/login/" method="POST"']


@pytest.mark.django_db
def test_what_someone_types_cannot_forge_an_audit_line(client, caplog):
    sign_in(client, 'lead"\nsign-in succeeded: user="admin', "wrong")
    (line,) = audit_lines(caplog)
    assert "\n" not in line
    assert line == (
        'sign-in failed: user="lead\\"\\nsign-in succeeded: user=\\"admin" ip=203.0.113.7 path="/accounts/login/"'
    )
