"""Single sign-on: each partner organisation's own OpenID Connect provider (SignOnProvider).

django-allauth does the protocol, one OpenID Connect app per provider: discovery from the
issuer, the authorisation request with state and PKCE, the code exchange, the ID token's
issuer, audience and expiry. This module adds what the app needs on top:

- the apps come from the SignOnProvider rows (SignOnAdapter.list_apps), with their secret
  opened only for the request that uses it; an http issuer is refused unless it is a loopback
  address and settings.SIGN_ON_ALLOW_HTTP_LOOPBACK allows it (the tests' provider);
- the ID token's signature is always checked against the provider's published keys (JWKS),
  even though it came straight from the provider, and it must carry the nonce the app sent,
  derived from allauth's one-time state (PartnerOIDCAdapter);
- a sign-in links to the invited person with that verified e-mail address, who must be active
  and an active member of a partnership for that organisation, and for no organisation that
  does not use the same issuer; nobody is ever created (`person_for`);
- every sign-in and every refusal is written to the audit log with the provider."""

import functools
import ipaddress
import logging
import re
import socket
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount import app_settings as socialaccount_settings
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.http import require_POST

from challenge import audit
from challenge.editing import refuse_stale
from programmes.models import Membership, SignOnProvider, User

# In the session: the provider a person signed in with (to offer its sign-out afterwards).
SESSION_KEY = "sign_on_provider"
# After sign-out, in the new session: the provider to offer the end of its session for.
SIGNED_OUT_KEY = "sign_on_signed_out_from"
# The ID token of the sign-in (in the session while signed in, then in the new session after
# sign-out): the id_token_hint of the provider's sign-out, which tells it whose session to end.
ID_TOKEN_KEY = "sign_on_id_token"  # noqa: S105 (a session key's name, not a password)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


class SignOnRefused(Exception):
    """A sign-in through a provider that the app refuses, with the reason to show."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason  # short, for the audit log


# --- Which providers -------------------------------------------------------------------------


def internal_host(hostname: str | None) -> bool:
    """Whether `hostname` names this machine or a private network by itself: localhost, a name
    of one label (the local network's) or a reserved suffix's, or an address that is not a
    public one (127.0.0.1, 10.x, 169.254.169.254 — the cloud's metadata service), in any
    spelling (2852039166 and 0xA9FEA9FE are 169.254.169.254 too). The app fetches the issuer's
    documents from its servers: an issuer there would make it reach inside its own network.
    (A public name can still resolve to such an address: not checked.)"""
    host = (hostname or "").rstrip(".").lower()
    if ":" in host:  # IPv6
        try:
            return not ipaddress.ip_address(host).is_global
        except ValueError:
            return True
    if "." not in host or host == "localhost" or host.endswith(INTERNAL_SUFFIXES):
        return True
    if not re.fullmatch(r"\d+|0x[0-9a-f]*", host.rpartition(".")[2]):
        return False  # a name: its last label has letters, as every public domain's
    try:
        return not ipaddress.ip_address(host).is_global
    except ValueError:
        return True  # numbers in another spelling than an address's usual one


def issuer_allowed(issuer: str) -> bool:
    """https, to a public address; or http on a loopback address where the settings allow it
    (tests only)."""
    parts = urlsplit(issuer)
    if parts.scheme == "https":
        return not internal_host(parts.hostname)
    return parts.scheme == "http" and settings.SIGN_ON_ALLOW_HTTP_LOOPBACK and parts.hostname in LOOPBACK_HOSTS


def refuse_internal_destination(url: str) -> None:
    """Raise requests.ConnectionError, before connecting, unless `url` is one `issuer_allowed`
    would take (https to a public name or address; http to loopback in the tests) and every
    address its name resolves to is a public one. The app reaches a provider's discovery
    document, keys and token endpoint from its servers: the issuer is checked when it is saved,
    but the other addresses come from the discovery document, and a public name can resolve to
    an address inside the network (10.x, 169.254.169.254). Each request and each redirect is
    checked (PublicOnlySession). (A name that resolves differently a moment later is not.)"""
    parts = urlsplit(url)
    if not issuer_allowed(url):
        raise requests.ConnectionError(
            f"Refused to reach {parts.scheme}://{parts.hostname}: not a public https address."
        )
    if parts.scheme != "https":
        return  # loopback, allowed for the tests' own provider
    try:
        found = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise requests.ConnectionError(f"{parts.hostname} could not be found.") from exc
    for *_, address in found:
        if not ipaddress.ip_address(address[0].split("%")[0]).is_global:
            raise requests.ConnectionError(f"Refused to reach {parts.hostname}: it is an address inside the network.")


class PublicOnlySession(requests.Session):
    """The HTTP session of every request to an identity provider (SignOnAdapter): each request,
    and each redirect it follows, only to a public address (refuse_internal_destination)."""

    def send(self, request, **kwargs):
        refuse_internal_destination(request.url)
        return super().send(request, **kwargs)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def let_forms_reach_providers(response, providers):
    """The Content-Security-Policy's form-action, widened on a page with sign-on forms to the
    providers' origins: browsers apply it to the redirect that follows the form too."""
    origins = sorted({origin_of(p.issuer) for p in providers})
    if origins:
        response._csp_update = {"form-action": origins}
    return response


def enabled_providers():
    """The providers people can sign in with, by partnership and organisation."""
    return (
        SignOnProvider.objects.filter(enabled=True)
        .select_related("partner__partnership")
        .order_by("partner__partnership__name", "partner__name")
    )


def provider_by_id(provider_id: str) -> SignOnProvider | None:
    """The enabled provider of allauth's `provider_id` ("partner-<partner pk>"), or None."""
    prefix, _, pk = provider_id.partition("-")
    if prefix != "partner" or not pk.isdigit():
        return None
    return enabled_providers().filter(partner_id=int(pk)).first()


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def providers_for_email(email: str) -> list[SignOnProvider]:
    """Home-realm discovery: the providers whose organisation uses the address's domain."""
    domain = email_domain(email)
    if not domain:
        return []
    return [p for p in enabled_providers() if domain in p.domains() and issuer_allowed(p.issuer)]


def required_provider_for(user) -> SignOnProvider | None:
    """The provider `user` must sign in with: their organisation's in a partnership where they
    are an active member and that organisation requires single sign-on. Administrators keep
    their password (the accounts of last resort)."""
    if user.is_superuser:
        return None
    return (
        SignOnProvider.objects.filter(
            enabled=True,
            required=True,
            partner__memberships__person=user,
            partner__memberships__is_active=True,
        )
        .select_related("partner")
        .order_by("partner__name")
        .first()
    )


def social_app_for(provider: SignOnProvider) -> SocialApp:
    """allauth's app for `provider`, in memory only: the secret is not written anywhere."""
    return SocialApp(
        provider="openid_connect",
        provider_id=provider.provider_id,
        name=provider.partner.name,
        client_id=provider.client_id,
        secret=provider.client_secret() or "",
        settings={
            "server_url": provider.issuer,
            # The ID token says who signed in; it is checked in full (PartnerOIDCAdapter).
            "fetch_userinfo": False,
            "oauth_pkce_enabled": True,
        },
    )


# --- Who signs in ----------------------------------------------------------------------------


def person_for(provider: SignOnProvider, claims: dict, linked_user=None) -> User:
    """The invited person a verified ID token's claims sign in, or SignOnRefused."""
    partner = provider.partner
    email = (claims.get("email") or "").strip()
    if not email:
        raise SignOnRefused(f"{partner.name}'s sign-in did not tell us your e-mail address.", "no e-mail address")
    vouched = claims.get("email_verified") is True or str(claims.get("email_verified")).lower() == "true"
    if not vouched and not (provider.trust_domain_addresses and "email_verified" not in claims):
        raise SignOnRefused(
            f"{partner.name}'s sign-in has not verified your e-mail address {email}, so it cannot sign you in here.",
            "e-mail address not verified",
        )
    if email_domain(email) not in provider.domains():
        raise SignOnRefused(
            f"{email} is not one of {partner.name}'s addresses, so its sign-in cannot be used for it.",
            "e-mail domain not allowed",
        )
    people = list(User.objects.filter(email__iexact=email)[:2])
    if not people:
        raise SignOnRefused(
            f"Nobody has been invited to Challenge as {email}. Ask your partnership's facilitator to invite you.",
            "not invited",
        )
    if len(people) > 1:
        raise SignOnRefused(
            f"More than one account uses {email}: ask your partnership's facilitator to sort it out.",
            "e-mail address used by several accounts",
        )
    person = people[0]
    if not person.is_active:
        raise SignOnRefused(f"The account for {email} has been switched off.", "account switched off")
    if not Membership.objects.filter(person=person, partner=partner, is_active=True).exists():
        raise SignOnRefused(
            f"{email} is not an active member of {partner.partnership.name} for {partner.name}. "
            "Ask your partnership's facilitator.",
            "no active membership for the organisation",
        )
    # The account opens every partnership the person is in: each must trust this provider for
    # them (their organisation there uses the same issuer). Otherwise a facilitator elsewhere
    # could add the person to an organisation of theirs, give it a provider they run, and sign
    # in as them.
    elsewhere = (
        Membership.objects.filter(person=person, is_active=True)
        .exclude(partner__sign_on__issuer=provider.issuer, partner__sign_on__enabled=True)
        .exists()
    )
    if elsewhere:
        raise SignOnRefused(
            f"{email} is also a member of another partnership, whose organisation does not sign you in with "
            f"{partner.name}'s account: signing in with it would open that partnership's work too. "
            "Ask your partnership's facilitator.",
            "member where this provider is not used",
        )
    if linked_user is not None and linked_user.pk != person.pk:
        raise SignOnRefused(
            f"This {partner.name} account is linked to another person in Challenge.", "account linked to another person"
        )
    return person


def refusal_response(request, provider: SignOnProvider | None, message: str, reason: str, email: str = ""):
    """Log the refusal (with the address the provider gave, if it gave one) and answer with
    the page that says why (403)."""
    audit.log_event(
        logging.WARNING,
        "single sign-on refused",
        request,
        username=None,
        provider=provider.partner.name if provider else "unknown",
        reason=reason,
        email=email,
    )
    return render(
        request,
        "registration/sign_on_refused.html",
        {"provider": provider, "message": message, "password_allowed": provider is None or not provider.required},
        status=403,
    )


# --- allauth, adapted ------------------------------------------------------------------------


def nonce_for(state_id: str) -> str:
    """The nonce sent with an authorisation request: bound to allauth's state for it, which is
    random, kept in this browser's session and usable once."""
    return salted_hmac("programmes.sign_on.nonce", state_id).hexdigest()


class NonceOAuth2Client(OAuth2Client):
    """allauth's client, sending the nonce (and the address typed, as a hint)."""

    def get_redirect_url(self, authorization_url, scope, extra_params) -> str:
        extra = dict(extra_params)
        extra["nonce"] = nonce_for(self.state)
        hint = getattr(self.request, "sign_on_login_hint", None)
        if hint:
            extra["login_hint"] = hint
        return super().get_redirect_url(authorization_url, scope, extra)


# The ID token's faults, as a person should read them.
TOKEN_FAULTS = [
    (jwt.ExpiredSignatureError, "it had expired", "expired ID token"),
    (jwt.InvalidAudienceError, "it was issued for another application", "ID token for another audience"),
    (jwt.InvalidIssuerError, "it was issued by another provider", "ID token from another issuer"),
    (jwt.InvalidSignatureError, "its signature does not match the provider's keys", "bad ID token signature"),
    (jwt.ImmatureSignatureError, "it is not valid yet", "ID token not valid yet"),
]


# Signed with the provider's private key, checked with its published public key: never a
# shared secret (HS256) nor "none".
ASYMMETRIC_ALGORITHMS = {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"}


class IDTokenRefused(OAuth2Error):
    def __init__(self, why: str, reason: str):
        super().__init__(why)
        self.why = why
        self.reason = reason


class PartnerOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """allauth's OpenID Connect adapter, checking the ID token in full: signature (JWKS),
    issuer, audience, expiry and nonce."""

    client_class = NonceOAuth2Client

    def complete_login(self, request, app, token, **kwargs):
        id_token = kwargs["response"].get("id_token")
        if not id_token:
            raise IDTokenRefused("the provider sent no ID token", "no ID token")
        login = super().complete_login(request, app, token, **kwargs)
        # Checked in full by now; kept for the session if the sign-in is let in (pre_social_login).
        request.sign_on_id_token = id_token
        return login

    def _decode_id_token(self, app, id_token):
        config = self.openid_config
        try:
            alg, key = jwtkit.fetch_key(id_token, config["jwks_uri"], jwtkit.lookup_kid_jwk)
        except OAuth2Error as exc:  # no key of the provider's has the token's key id
            raise IDTokenRefused("its signature does not match the provider's keys", "unknown ID token key") from exc
        except (jwt.PyJWTError, KeyError) as exc:  # not a JWT, or no key id in its header
            raise IDTokenRefused("it could not be read", "ID token unreadable") from exc
        if alg not in ASYMMETRIC_ALGORITHMS:
            raise IDTokenRefused(f"it is signed with {alg}, which is not accepted", "ID token algorithm")
        try:
            claims = jwt.decode(
                id_token,
                key=key,
                algorithms=[alg],
                issuer=config["issuer"],
                audience=app.client_id,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            for kind, why, reason in TOKEN_FAULTS:
                if isinstance(exc, kind):
                    raise IDTokenRefused(why, reason) from exc
            raise IDTokenRefused("it could not be read", f"ID token unreadable ({type(exc).__name__})") from exc
        state_id = self.request.GET.get("state", "")
        if not state_id or not constant_time_compare(str(claims.get("nonce", "")), nonce_for(state_id)):
            raise IDTokenRefused("it does not answer this sign-in (its nonce differs)", "ID token nonce mismatch")
        try:
            jwtkit.verify_jti(claims)
        except OAuth2Error as exc:
            raise IDTokenRefused("it had been used before", "ID token replayed") from exc
        return claims


class SignOnAdapter(DefaultSocialAccountAdapter):
    """allauth's social-account adapter: apps from SignOnProvider, links to invited people
    only, refusals on the app's own page."""

    def get_requests_session(self):
        session = PublicOnlySession()
        session.request = functools.partial(session.request, timeout=socialaccount_settings.REQUESTS_TIMEOUT)
        return session

    def list_apps(self, request, provider=None, client_id=None):
        if provider in (None, "openid_connect"):
            candidates = list(enabled_providers())
        else:
            found = provider_by_id(provider)
            candidates = [found] if found else []
        return [
            social_app_for(p)
            for p in candidates
            if issuer_allowed(p.issuer) and (client_id is None or client_id == p.client_id)
        ]

    def get_provider(self, request, provider, client_id=None):
        found = super().get_provider(request, provider, client_id=client_id)
        if found.id == "openid_connect":
            # The provider builds its own adapter for the authorisation request: ours, so
            # that request carries the nonce the callback checks.
            found.oauth2_adapter_class = PartnerOIDCAdapter
        return found

    def is_open_for_signup(self, request, sociallogin):
        return False

    def send_notification_mail(self, *args, **kwargs):
        """No e-mails from allauth: the app sends its own."""

    def pre_social_login(self, request, sociallogin):
        provider = provider_by_id(sociallogin.account.provider)
        claims = sociallogin.account.extra_data.get("id_token") or {}
        try:
            if provider is None:
                raise SignOnRefused("This organisation's sign-in is no longer in use.", "provider not in use")
            person = person_for(provider, claims, sociallogin.user if sociallogin.is_existing else None)
        except SignOnRefused as refusal:
            response = refusal_response(
                request, provider, refusal.message, refusal.reason, email=str(claims.get("email", ""))
            )
            raise ImmediateHttpResponse(response) from None
        if not sociallogin.is_existing:
            sociallogin.connect(request, person)
        request.session[SESSION_KEY] = provider.provider_id
        request.session[ID_TOKEN_KEY] = getattr(request, "sign_on_id_token", "")
        audit.log_event(
            logging.INFO,
            "single sign-on succeeded",
            request,
            username=person.get_username(),
            provider=provider.partner.name,
            email=claims.get("email", ""),
        )

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        sign_on = provider_by_id(provider.app.provider_id) if provider is not None and provider.app else None
        name = sign_on.partner.name if sign_on else "your organisation"
        if isinstance(exception, IDTokenRefused):
            message = f"{name}'s answer could not be trusted: {exception.why}. You are not signed in."
            reason = exception.reason
        elif error == "cancelled":
            message = f"You cancelled signing in with {name}."
            reason = "cancelled"
        elif exception is not None:
            message = f"Signing in with {name} did not work: the provider could not be reached or refused."
            reason = f"provider error ({type(exception).__name__})"
        else:
            message = f"Signing in with {name} did not work: the answer did not belong to this sign-in. Try again."
            reason = f"authentication error ({error})"
        raise ImmediateHttpResponse(refusal_response(request, sign_on, message, reason))


class SignOnAccountAdapter(DefaultAccountAdapter):
    """allauth's account adapter: nobody signs up through allauth."""

    def is_open_for_signup(self, request):
        return False


def end_session_url(request, provider: SignOnProvider, return_to: str, id_token: str = "") -> str | None:
    """The provider's end_session_endpoint (RP-initiated logout), from its discovery document,
    to sign out there too; None if it has none or cannot be reached. With the sign-in's ID
    token as id_token_hint (OpenID Connect RP-Initiated Logout 1.0), which the provider needs
    to know whose session to end and to send the person back to `return_to`."""
    try:
        config = PartnerOIDCAdapter(request, provider.provider_id).openid_config
    except (requests.RequestException, ValueError, SocialApp.DoesNotExist):
        return None
    endpoint = config.get("end_session_endpoint")
    if not endpoint:
        return None
    params = {"client_id": provider.client_id, "post_logout_redirect_uri": return_to}
    if id_token:
        params["id_token_hint"] = id_token
    query = urlencode(params)
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


# --- allauth's two addresses, with the adapter above ------------------------------------------


@require_POST
def sign_on_login(request, provider_id):
    """Start signing in with `provider_id`: a form's POST (with its CSRF token), never a link."""
    if provider_by_id(provider_id) is None:
        raise Http404("No such sign-in")
    return OAuth2LoginView.adapter_view(PartnerOIDCAdapter(request, provider_id))(request)


def sign_on_callback(request, provider_id):
    """Where the provider sends the person back, with the code."""
    provider = provider_by_id(provider_id)
    if provider is None:
        return refusal_response(
            request, None, "This organisation's sign-in is no longer in use.", "provider not in use"
        )
    return OAuth2CallbackView.adapter_view(PartnerOIDCAdapter(request, provider_id))(request)


# --- Configuring a provider (the organisation's "Single sign-on" page, and the admin) ----------


DOMAIN_TAKEN = (
    "Another organisation's single sign-on, at another provider, already signs in addresses of {domains}: "
    "a domain has one provider. Leave it out here, or ask an administrator."
)


def domains_of_other_providers(provider: SignOnProvider) -> list[str]:
    """`provider`'s e-mail domains that another organisation's provider, at another issuer,
    has too. The same issuer is the same directory (a force that is a partner organisation in
    two partnerships); another would vouch for addresses that directory gives out, and so sign
    in as the people another partnership invited with them."""
    others = SignOnProvider.objects.exclude(partner_id=provider.partner_id).exclude(issuer=provider.issuer)
    theirs = {domain for other in others.only("email_domains") for domain in other.domains()}
    return [domain for domain in provider.domains() if domain in theirs]


def save_provider(*, partner, expected_revision, new_secret, **fields) -> SignOnProvider:
    """Create or change `partner`'s provider, unless someone else changed it since the form was
    opened (StaleEdit). An empty `new_secret` keeps the secret kept. ValidationError if one of
    its e-mail domains is another organisation's, at another provider
    (`domains_of_other_providers`)."""
    with transaction.atomic():
        current = SignOnProvider.objects.select_for_update().filter(partner=partner).first()
        if current is None:
            current = SignOnProvider(partner=partner)
        else:
            refuse_stale(current, expected_revision)
        for name, value in fields.items():
            setattr(current, name, value)
        if new_secret:
            current.set_client_secret(new_secret)
        if current.client_secret_env:
            current.client_secret_sealed = ""  # the environment holds it: keep no copy
        if not current.has_client_secret:
            raise ValidationError({"new_secret": "Give the client secret, or the environment variable that holds it."})
        if taken := domains_of_other_providers(current):
            raise ValidationError({"email_domains": DOMAIN_TAKEN.format(domains=", ".join(taken))})
        current.revision += 1
        current.save()
    return current
