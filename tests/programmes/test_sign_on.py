"""Single sign-on with a partner organisation's OpenID Connect provider (programmes/sign_on.py),
against a real provider: tests/oidc_provider/ (django-oauth-toolkit) in a subprocess, reached
over HTTP. The app's side runs in the test client; the person's browser at the provider is a
`requests` session, which hands the provider's redirect back to the test client."""

import html
import re
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.urls import reverse

from challenge import secretbox
from programmes import sign_on
from programmes.models import Membership, SignOnProvider, User
from tests import factories as f
from tests.oidc_provider.accounts import CLIENTS, PASSWORD

pytestmark = pytest.mark.django_db

POLICE_CLIENT = "challenge-police"


def audit_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "challenge.audit"]


@pytest.fixture
def police_sign_on(world, oidc_provider):
    """The police's provider, configured as a facilitator would; the invited reviewer works
    there as reviewer@police.example."""
    world.reviewer.email = "reviewer@police.example"
    world.reviewer.save()
    provider = SignOnProvider(
        partner=world.police, issuer=oidc_provider, client_id=POLICE_CLIENT, email_domains="police.example"
    )
    provider.set_client_secret(CLIENTS[POLICE_CLIENT][0])
    provider.save()
    return provider


def at_provider(authorize_url: str, username: str) -> str:
    """Sign in at the provider as `username` (a fresh browser there) and return where it sends
    the person back to: the app's callback address, with the code and state."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)
    assert page.status_code == 200, page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
    answer = browser.post(
        page.url,
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD, "next": next_url},
        allow_redirects=False,
        timeout=10,
    )
    for _ in range(5):
        assert answer.status_code == 302, answer.text
        location = urljoin(answer.url, answer.headers["Location"])
        if urlsplit(location).hostname == "testserver":
            return location
        answer = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the person back")


def sign_in_through_provider(client, email: str, username: str):
    """The whole journey: the work address on the sign-in page, the provider, back."""
    start = client.post(reverse("sign_on_discover"), {"email": email})
    assert start.status_code == 302, start.content.decode()
    back = at_provider(start["Location"], username)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def signed_in_user(client):
    return client.session.get("_auth_user_id")


# --- The journey ----------------------------------------------------------------------------


def test_the_address_sends_the_person_to_their_organisations_provider_with_state_nonce_and_pkce(
    client, police_sign_on, oidc_provider
):
    start = client.post(reverse("sign_on_discover"), {"email": "Reviewer@Police.example"})
    assert start.status_code == 302
    url = urlsplit(start["Location"])
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc_provider}/authorize/"
    assert query["client_id"] == [POLICE_CLIENT]
    assert query["login_hint"] == ["Reviewer@Police.example"]
    assert query["nonce"][0] == sign_on.nonce_for(query["state"][0])
    assert query["code_challenge_method"] == ["S256"]
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}


def test_an_invited_reviewer_signs_in_with_the_police_account_and_is_linked_once(client, world, police_sign_on, caplog):
    users_before = User.objects.count()
    answer = sign_in_through_provider(client, "reviewer@police.example", "reviewer")
    assert answer.status_code == 302 and answer["Location"] == reverse("home")
    assert signed_in_user(client) == str(world.reviewer.pk)
    account = SocialAccount.objects.get()
    assert (account.user, account.provider) == (world.reviewer, police_sign_on.provider_id)
    assert User.objects.count() == users_before
    assert any(
        line.startswith('single sign-on succeeded: user="reviewer"') and 'provider="Greater Manchester Police"' in line
        for line in audit_lines(caplog)
    )
    # Signed out and in again: the same link, no second one.
    client.post(reverse("logout"))
    assert signed_in_user(client) is None
    sign_in_through_provider(client, "reviewer@police.example", "reviewer")
    assert signed_in_user(client) == str(world.reviewer.pk)
    assert SocialAccount.objects.count() == 1


def test_sign_out_offers_the_providers_own_sign_out(client, police_sign_on, oidc_provider):
    sign_in_through_provider(client, "reviewer@police.example", "reviewer")
    answer = client.post(reverse("logout"), follow=True)
    assert signed_in_user(client) is None
    page = answer.content.decode()
    assert "You have signed out of Challenge" in page
    link = re.search(r'href="([^"]+)">Sign out of\s+Greater Manchester Police too', page).group(1)
    url = urlsplit(link.replace("&amp;", "&"))
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{oidc_provider}/logout/"
    assert parse_qs(url.query)["client_id"] == [POLICE_CLIENT]
    # The provider knows the end-session address it published.
    assert requests.get(link.replace("&amp;", "&"), timeout=10, allow_redirects=False).status_code in {200, 302}


def test_the_providers_sign_out_carries_the_sign_ins_id_token_as_its_hint(client, police_sign_on, oidc_provider):
    """OpenID Connect RP-Initiated Logout: the provider is told whose session to end by the ID
    token it issued for the sign-in (id_token_hint), and where to send the person back. The
    real provider accepts that hint, and refuses one it did not issue."""
    import jwt

    sign_in_through_provider(client, "reviewer@police.example", "reviewer")
    id_token = client.session[sign_on.ID_TOKEN_KEY]
    claims = jwt.decode(id_token, options={"verify_signature": False})
    assert (claims["aud"], claims["email"]) == (POLICE_CLIENT, "reviewer@police.example")
    answer = client.post(reverse("logout"), follow=True)
    page = answer.content.decode()
    link = re.search(r'href="([^"]+)">Sign out of\s+Greater Manchester Police too', page).group(1)
    query = parse_qs(urlsplit(link.replace("&amp;", "&")).query)
    assert query["id_token_hint"] == [id_token]
    assert query["client_id"] == [POLICE_CLIENT]
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert sign_on.ID_TOKEN_KEY not in client.session  # shown once, then forgotten
    assert requests.get(link.replace("&amp;", "&"), timeout=10, allow_redirects=False).status_code in {200, 302}
    forged = link.replace("&amp;", "&").replace(id_token, id_token[:-8] + "AAAAAAAA")
    assert requests.get(forged, timeout=10, allow_redirects=False).status_code == 400
    # The page shown again offers no provider's sign-out: it was for that one moment.
    assert "Greater Manchester Police too" not in client.get(reverse("login")).content.decode()


def test_a_refused_sign_in_keeps_no_id_token(client, world, police_sign_on):
    answer = sign_in_through_provider(client, "stranger@police.example", "stranger")
    assert answer.status_code == 403 and sign_on.ID_TOKEN_KEY not in client.session


@pytest.mark.parametrize(
    ("username", "change", "message", "reason"),
    [
        ("stranger", None, "Nobody has been invited to Challenge as stranger@police.example", "not invited"),
        ("unverified", None, "has not verified your e-mail address", "e-mail address not verified"),
        ("reviewer", "leave", "is not an active member of", "no active membership for the organisation"),
        ("reviewer", "switch off", "has been switched off", "account switched off"),
        (
            "reviewer",
            "wrong domain",
            "is not one of Greater Manchester Police's addresses",
            "e-mail domain not allowed",
        ),
    ],
)
def test_only_an_active_invited_person_with_a_verified_address_gets_in(
    client, world, police_sign_on, caplog, username, change, message, reason
):
    if change == "leave":
        Membership.objects.filter(person=world.reviewer).update(is_active=False)
    elif change == "switch off":
        User.objects.filter(pk=world.reviewer.pk).update(is_active=False)
    elif change == "wrong domain":
        SignOnProvider.objects.filter(pk=police_sign_on.pk).update(email_domains="gmp.police.uk, police.example")
        police_sign_on.refresh_from_db()
    users_before = User.objects.count()
    start = client.post(reverse("sign_on_discover"), {"email": "reviewer@police.example"})
    if change == "wrong domain":  # the provider vouches for an address outside the organisation's
        SignOnProvider.objects.filter(pk=police_sign_on.pk).update(email_domains="gmp.police.uk")
    back = urlsplit(at_provider(start["Location"], username))
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code == 403
    assert message in html.unescape(answer.content.decode())
    assert signed_in_user(client) is None
    assert User.objects.count() == users_before
    assert not SocialAccount.objects.exists()
    assert any(
        line.startswith("single sign-on refused:")
        and f'reason="{reason}"' in line
        and 'provider="Greater Manchester Police"' in line
        and ('email="stranger@police.example"' if username == "stranger" else 'email="reviewer@police.example"') in line
        for line in audit_lines(caplog)
    )


def test_a_provider_signs_in_only_people_whose_every_partnership_trusts_it(
    client, world, police_sign_on, oidc_provider
):
    """A facilitator of another partnership adds a person to an organisation of theirs and
    gives it a provider they run, claiming the person's domain: it must not sign in as them,
    for the account opens the partnerships the person is in. So a provider signs in only a
    person whose every organisation uses the same issuer."""
    from programmes.services import create_partnership

    theirs = f.partner("Their police", create_partnership(name="Elsewhere"))
    f.member(world.reviewer, theirs)
    other = SignOnProvider(
        partner=theirs, issuer="https://idp.their.example", client_id="x", email_domains="elsewhere.example"
    )
    other.save()
    answer = sign_in_through_provider(client, "reviewer@police.example", "reviewer")
    assert answer.status_code == 403 and signed_in_user(client) is None
    assert "is also a member of another partnership, whose organisation does not sign you in with" in html.unescape(
        answer.content.decode()
    )
    assert not SocialAccount.objects.exists()
    # The other organisation uses the same issuer (the same force's directory): let in.
    SignOnProvider.objects.filter(pk=other.pk).update(issuer=oidc_provider)
    sign_in_through_provider(client, "reviewer@police.example", "reviewer")
    assert signed_in_user(client) == str(world.reviewer.pk)
    # Linked since, then added to an organisation without it: refused again.
    client.post(reverse("logout"))
    f.member(world.reviewer, f.partner("No sign-on here", create_partnership(name="Third")))
    assert sign_in_through_provider(client, "reviewer@police.example", "reviewer").status_code == 403
    assert signed_in_user(client) is None


def test_an_address_without_email_verified_is_trusted_only_where_the_organisation_says_so(
    client, world, police_sign_on
):
    """Microsoft Entra ID sends no email_verified claim: refused, unless the organisation's
    provider is marked as the one directory of its domains."""
    answer = sign_in_through_provider(client, "reviewer@police.example", "entra-style")
    assert answer.status_code == 403
    assert "has not verified your e-mail address" in html.unescape(answer.content.decode())
    SignOnProvider.objects.filter(pk=police_sign_on.pk).update(trust_domain_addresses=True)
    sign_in_through_provider(client, "reviewer@police.example", "entra-style")
    assert signed_in_user(client) == str(world.reviewer.pk)
    # An explicit "not verified" stays refused.
    client.post(reverse("logout"))
    assert sign_in_through_provider(client, "reviewer@police.example", "unverified").status_code == 403


def test_a_linked_person_who_left_cannot_sign_in_again(client, world, police_sign_on):
    sign_in_through_provider(client, "reviewer@police.example", "reviewer")
    client.post(reverse("logout"))
    Membership.objects.filter(person=world.reviewer).update(is_active=False)
    answer = sign_in_through_provider(client, "reviewer@police.example", "reviewer")
    assert answer.status_code == 403
    assert signed_in_user(client) is None


@pytest.mark.parametrize(
    ("username", "message", "reason"),
    [
        ("tamper-audience", "it was issued for another application", "ID token for another audience"),
        ("tamper-expired", "it had expired", "expired ID token"),
        ("tamper-signature", "its signature does not match the provider's keys", "bad ID token signature"),
    ],
)
def test_a_tampered_id_token_is_refused_with_a_clear_message(
    client, world, police_sign_on, caplog, username, message, reason
):
    """The provider spoils these accounts' ID tokens after signing them (tests/oidc_provider/
    validator.py); the app checks them with the provider's published keys."""
    answer = sign_in_through_provider(client, "reviewer@police.example", username)
    assert answer.status_code == 403
    page = html.unescape(answer.content.decode())
    assert f"Greater Manchester Police's answer could not be trusted: {message}. You are not signed in." in page
    assert signed_in_user(client) is None
    assert not SocialAccount.objects.exists()
    assert any(
        line.startswith("single sign-on refused:") and f'reason="{reason}"' in line for line in audit_lines(caplog)
    )


def test_a_callback_without_its_state_is_refused(client, police_sign_on):
    answer = client.get(reverse("openid_connect_callback", args=[police_sign_on.provider_id]), {"code": "x"})
    assert answer.status_code == 403
    assert "the answer did not belong to this sign-in" in answer.content.decode()


def test_signing_in_starts_only_from_a_form(client, police_sign_on):
    assert client.get(reverse("openid_connect_login", args=[police_sign_on.provider_id])).status_code == 405
    assert client.post(reverse("openid_connect_login", args=["partner-99999"])).status_code == 404


# --- Home-realm discovery and passwords -----------------------------------------------------


def test_the_sign_in_page_offers_each_organisations_button_and_the_password(client, police_sign_on):
    page = client.get(reverse("login")).content.decode()
    assert "Work e-mail address" in page
    assert f'action="{reverse("openid_connect_login", args=[police_sign_on.provider_id])}"' in page
    assert "Sign in with Greater Manchester Police" in page
    assert 'name="password"' in page


def test_an_address_of_a_domain_without_a_provider_gets_the_password_form(client, world, police_sign_on):
    answer = client.post(reverse("sign_on_discover"), {"email": "lead@salford.gov.uk"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Your organisation (salford.gov.uk) does not sign in with its own" in page
    assert 'name="password"' in page
    # and the password works for them
    answer = client.post(reverse("login"), {"username": "lead", "password": "a-long-test-password"})
    assert answer.status_code == 302 and signed_in_user(client) == str(world.lead.pk)


def test_a_mistyped_address_is_shown_again_with_its_message(client, police_sign_on):
    answer = client.post(reverse("sign_on_discover"), {"email": "reviewer at police"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'value="reviewer at police"' in page
    assert "Enter a valid email address." in page


def test_without_any_provider_the_sign_in_page_is_the_password_form(client, world):
    page = client.get(reverse("login")).content.decode()
    assert "Work e-mail address" not in page
    assert 'name="password"' in page


def test_a_required_sign_on_organisations_person_cannot_use_a_password(client, world, police_sign_on, caplog):
    SignOnProvider.objects.filter(pk=police_sign_on.pk).update(required=True)
    answer = client.post(reverse("login"), {"username": "reviewer", "password": "a-long-test-password"})
    assert answer.status_code == 200
    assert signed_in_user(client) is None
    assert (
        "Greater Manchester Police signs its people in with their work account: use the "
        "“Sign in with Greater Manchester Police” button instead of a password."
    ) in answer.content.decode()
    assert any(
        line.startswith('password sign-in refused (single sign-on required): user="reviewer"')
        for line in audit_lines(caplog)
    )
    # A wrong password says nothing about the organisation.
    answer = client.post(reverse("login"), {"username": "reviewer", "password": "wrong"})
    assert "Sign in with Greater Manchester Police” button" not in answer.content.decode()
    # Others, and administrators, keep their password.
    assert client.post(reverse("login"), {"username": "lead", "password": "a-long-test-password"}).status_code == 302
    client.post(reverse("logout"))
    f.member(User.objects.create_superuser("root", "root@police.example", "a-long-test-password"), world.police)
    assert client.post(reverse("login"), {"username": "root", "password": "a-long-test-password"}).status_code == 302
    # and the police's people sign in through the provider
    client.post(reverse("logout"))
    sign_in_through_provider(client, "reviewer@police.example", "reviewer")
    assert signed_in_user(client) == str(world.reviewer.pk)


def test_an_http_issuer_is_refused_outside_the_tests_loopback_allowance(settings, police_sign_on):
    assert sign_on.issuer_allowed(police_sign_on.issuer)
    assert sign_on.issuer_allowed("https://login.microsoftonline.com/tenant/v2.0")
    assert not sign_on.issuer_allowed("http://idp.example/o")
    settings.SIGN_ON_ALLOW_HTTP_LOOPBACK = False
    assert not sign_on.issuer_allowed(police_sign_on.issuer)
    assert sign_on.providers_for_email("reviewer@police.example") == []


@pytest.mark.parametrize(
    "issuer",
    [
        "https://169.254.169.254/latest",
        "https://0xA9FEA9FE/",
        "https://127.1/o",
        "https://localhost/o",
        "https://[fd00::1]/o",
        "https://idp/o",
        "https://sso.corp.internal/o",
    ],
)
def test_an_issuer_inside_the_servers_network_is_never_fetched(client, police_sign_on, issuer):
    """The app fetches the issuer's discovery document (at sign-in and sign-out) from its own
    servers: an issuer at a local or internal address (saved before the form refused them, or
    by hand) is not used, so nothing is fetched from there."""
    assert not sign_on.issuer_allowed(issuer)
    SignOnProvider.objects.filter(pk=police_sign_on.pk).update(issuer=issuer)
    assert sign_on.providers_for_email("reviewer@police.example") == []
    assert sign_on.SignOnAdapter().list_apps(None) == []
    assert "Sign in with Greater Manchester Police" not in client.get(reverse("login")).content.decode()


def test_requests_to_a_provider_reach_only_public_addresses(monkeypatch):
    """Every request to a provider (its discovery document, keys, token endpoint: the last two
    named by the document itself) and every redirect it follows goes through a session that
    refuses, before connecting, an address inside the network, whatever name leads there."""
    session = sign_on.SignOnAdapter().get_requests_session()
    assert isinstance(session, sign_on.PublicOnlySession)

    def resolve(host, port, *args, **kwargs):
        addresses = {"idp.example.org": "10.0.0.5", "login.example.org": "93.184.216.34", "v6.example.org": "fd00::1"}
        if host not in addresses:
            raise sign_on.socket.gaierror("not found")
        return [(None, None, None, "", (addresses[host], port))]

    monkeypatch.setattr(sign_on.socket, "getaddrinfo", resolve)
    for url in (
        "https://idp.example.org/.well-known/openid-configuration",  # a public name, an internal address
        "https://v6.example.org/keys",
        "https://nowhere.example.org/token",
        "http://169.254.169.254/latest/meta-data/",  # named by a discovery document
        "https://127.0.0.1/keys",
    ):
        with pytest.raises(requests.ConnectionError):
            session.get(url)
    sign_on.refuse_internal_destination("https://login.example.org/token")  # public: let through


def test_a_provider_redirecting_inside_the_network_is_not_followed():
    """A redirect is checked as its own request: the tests' loopback provider (allowed) sending
    the app on to the cloud's metadata address is refused there."""
    import http.server
    import threading

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(requests.ConnectionError, match="not a public https address"):
            sign_on.SignOnAdapter().get_requests_session().get(f"http://127.0.0.1:{server.server_port}/keys")
    finally:
        server.shutdown()


# --- The secret -----------------------------------------------------------------------------


def test_the_client_secret_is_kept_sealed_and_opens_under_a_fallback_key(settings, police_sign_on):
    police_sign_on.refresh_from_db()
    secret = CLIENTS[POLICE_CLIENT][0]
    assert secret not in police_sign_on.client_secret_sealed
    assert police_sign_on.client_secret() == secret
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-for-the-test", [old_key]
    assert police_sign_on.client_secret() == secret
    settings.SECRET_KEY_FALLBACKS = []
    assert police_sign_on.client_secret() is None
    assert secretbox.open_sealed(secretbox.seal("x")) == "x"


def test_the_client_secret_may_come_from_the_environment(monkeypatch, police_sign_on):
    police_sign_on.client_secret_env = "POLICE_SSO_SECRET"
    assert police_sign_on.client_secret() is None
    monkeypatch.setenv("POLICE_SSO_SECRET", "from-the-environment")
    assert police_sign_on.client_secret() == "from-the-environment"


def test_an_invitation_to_a_required_sign_on_organisation_sets_no_password(client, world, police_sign_on):
    from programmes import people, people_tasks

    SignOnProvider.objects.filter(pk=police_sign_on.pk).update(required=True)
    world.reviewer.set_unusable_password()
    world.reviewer.save()
    invitation = people.invite(membership=Membership.objects.get(person=world.reviewer))
    address = reverse("invitation_accept", args=[people_tasks.invitation_token(invitation)])
    page = html.unescape(client.get(address).content.decode())
    assert "Sign in with your Greater Manchester Police account" in page
    assert f'action="{reverse("openid_connect_login", args=[police_sign_on.provider_id])}"' in page
    answer = client.post(address, {"new_password1": "a-brand-new-pass-99", "new_password2": "a-brand-new-pass-99"})
    assert answer.status_code == 409
    world.reviewer.refresh_from_db()
    assert not world.reviewer.check_password("a-brand-new-pass-99")
    assert signed_in_user(client) is None


def test_an_address_whose_domain_two_organisations_use_offers_a_choice(client, world, police_sign_on, oidc_provider):
    """A force that takes part in two partnerships is a partner organisation in each."""
    from programmes.services import create_partnership

    elsewhere = f.partner("Greater Manchester Police (Wigan)", create_partnership(name="Wigan Partnership"))
    other = SignOnProvider(
        partner=elsewhere, issuer=oidc_provider, client_id="challenge-council", email_domains="police.example"
    )
    other.set_client_secret(CLIENTS["challenge-council"][0])
    other.save()
    answer = client.post(reverse("sign_on_discover"), {"email": "reviewer@police.example"})
    assert answer.status_code == 200
    page = html.unescape(answer.content.decode())
    assert "Several organisations use that address: choose yours." in page
    assert "Sign in with Greater Manchester Police</button>" in page
    assert "Sign in with Greater Manchester Police (Wigan)</button>" in page
    assert answer["Content-Security-Policy"].count(oidc_provider.removesuffix("/o")) == 1


def test_an_id_token_without_this_sign_ins_nonce_is_refused(client, police_sign_on, monkeypatch, caplog):
    """The provider's real, signed ID token carries the nonce of the request it answers; the
    app expects another one here (as for a token captured from another sign-in)."""
    start = client.post(reverse("sign_on_discover"), {"email": "reviewer@police.example"})
    back = urlsplit(at_provider(start["Location"], "reviewer"))
    monkeypatch.setattr(sign_on, "nonce_for", lambda state_id: "the-nonce-of-another-sign-in")
    answer = client.get(f"{back.path}?{back.query}")
    assert answer.status_code == 403
    assert "it does not answer this sign-in (its nonce differs)" in html.unescape(answer.content.decode())
    assert signed_in_user(client) is None
    assert any('reason="ID token nonce mismatch"' in line for line in audit_lines(caplog))


def test_the_invitation_email_of_a_required_sign_on_organisation_names_its_button(
    world, police_sign_on, django_capture_on_commit_callbacks
):
    from django.core import mail

    from programmes import people

    SignOnProvider.objects.filter(pk=police_sign_on.pk).update(required=True)
    world.reviewer.set_unusable_password()
    world.reviewer.save()
    with django_capture_on_commit_callbacks(execute=True):
        people.invite(membership=Membership.objects.get(person=world.reviewer))
    [message] = mail.outbox
    assert '"Sign in with Greater Manchester Police"' in message.body
    assert "no password" in message.body and "set your password" not in message.body


def test_no_password_reset_link_for_a_required_sign_on_organisations_people(
    client, world, police_sign_on, django_capture_on_commit_callbacks
):
    from django.core import mail

    world.council_colleague.email = "colleague@council.example"
    world.council_colleague.save()
    for email in ("reviewer@police.example", "colleague@council.example"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("password_reset"), {"email": email})
    assert [m.to for m in mail.outbox] == [["reviewer@police.example"], ["colleague@council.example"]]
    mail.outbox.clear()
    SignOnProvider.objects.filter(pk=police_sign_on.pk).update(required=True)
    for email in ("reviewer@police.example", "colleague@council.example"):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(reverse("password_reset"), {"email": email})
        assert answer.status_code == 302  # the same answer either way
    assert [m.to for m in mail.outbox] == [["colleague@council.example"]]
