"""A partner organisation's "Single sign-on" page (programmes/sign_on_views.partner_sign_on):
for the partnership's facilitators only; the secret kept sealed and never shown back; bad
input refused beside its field and kept; a stale edit refused."""

import pytest
from django.urls import reverse

from programmes.models import Membership, SignOnProvider
from programmes.services import create_partnership
from tests import factories as f

pytestmark = pytest.mark.django_db

INTERNAL = "The issuer must be the provider&#x27;s address on the internet, not a local or internal one."
ISSUER = "https://login.microsoftonline.com/0000-tenant/v2.0"


@pytest.fixture
def setup(world):
    world.partnership = world.programme.partnership
    world.boss = f.person(world.council, "boss", first_name="Bea", last_name="Boss", is_facilitator=True)
    return world


@pytest.fixture
def boss_client(client, setup):
    client.force_login(setup.boss)
    return client


def address(setup, partner=None):
    return reverse("partner_sign_on", args=[setup.partnership.slug, (partner or setup.police).pk])


def form(**changes):
    data = {
        "issuer": ISSUER,
        "client_id": "challenge-app",
        "new_secret": "s3cret-value-from-entra",
        "client_secret_env": "",
        "email_domains": "gmp.police.uk, @Police.Example",
        "enabled": "on",
        "revision": "0",
    }
    data.update(changes)
    return data


def test_a_facilitator_configures_the_police_provider_and_the_secret_is_never_shown_back(boss_client, setup):
    page = boss_client.get(address(setup)).content.decode()
    assert "<h1>Single sign-on for Greater Manchester Police</h1>" in page
    assert f"/accounts/sign-on/partner-{setup.police.pk}/callback/" in page
    response = boss_client.post(address(setup), form(required="on"))
    assert response.status_code == 302
    provider = SignOnProvider.objects.get(partner=setup.police)
    assert (provider.issuer, provider.client_id, provider.email_domains, provider.required, provider.revision) == (
        ISSUER,
        "challenge-app",
        "gmp.police.uk, police.example",
        True,
        1,
    )
    assert "s3cret-value-from-entra" not in provider.client_secret_sealed
    assert provider.client_secret() == "s3cret-value-from-entra"
    page = boss_client.get(address(setup)).content.decode()
    assert "s3cret-value-from-entra" not in page and provider.client_secret_sealed not in page
    assert "A secret is kept (not shown)." in page
    # Saved again without a secret: the kept one stays.
    assert boss_client.post(address(setup), form(new_secret="", revision="1")).status_code == 302
    provider.refresh_from_db()
    assert provider.client_secret() == "s3cret-value-from-entra"
    # From the environment instead: no copy kept.
    assert (
        boss_client.post(address(setup), form(new_secret="", client_secret_env="GMP_SSO", revision="2")).status_code
        == 302
    )
    provider.refresh_from_db()
    assert (provider.client_secret_sealed, provider.client_secret_env) == ("", "GMP_SSO")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"issuer": "http://idp.example/o"}, "issuer", "The issuer must be an https address."),
        ({"issuer": "https://169.254.169.254/latest/meta-data"}, "issuer", INTERNAL),
        ({"issuer": "https://localhost:8443/realms/x"}, "issuer", INTERNAL),
        ({"issuer": "https://10.1.2.3/o"}, "issuer", INTERNAL),
        ({"issuer": "https://[::1]/o"}, "issuer", INTERNAL),
        ({"issuer": "https://metadata.google.internal/computeMetadata"}, "issuer", INTERNAL),
        ({"email_domains": "police"}, "email_domains", "Give the organisation&#x27;s e-mail domains"),
        ({"client_id": ""}, "client_id", "This field is required."),
        ({"new_secret": ""}, "new_secret", "Give the client secret, or the environment variable that holds it."),
        ({"client_secret_env": "gmp sso"}, "client_secret_env", "Capital letters, digits and underscores"),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_kept(boss_client, setup, changes, field, message):
    response = boss_client.post(address(setup), form(**{"client_id": "kept-client", **changes}))
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert f'id="error_1_id_{field}"' in page
    if field != "client_id":
        assert 'value="kept-client"' in page
    assert "s3cret-value-from-entra" not in page  # a typed secret is not written back into the page
    assert not SignOnProvider.objects.exists()


def test_a_stale_edit_is_refused_and_kept(boss_client, setup):
    boss_client.post(address(setup), form())
    boss_client.post(address(setup), form(client_id="someone-elses", new_secret="", revision="1"))
    response = boss_client.post(address(setup), form(client_id="mine", new_secret="", revision="1"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed while you were editing it" in page and 'value="mine"' in page and "someone-elses" in page
    assert SignOnProvider.objects.get().client_id == "someone-elses"


@pytest.mark.parametrize(
    ("who", "status"),
    [("facilitator", 403), ("officer", 403), ("reviewer", 403), ("stranger", 404), ("left", 404)],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_only_the_partnerships_facilitators_configure_sign_on(client, setup, who, status, method):
    if who == "stranger":
        other = create_partnership(name="Elsewhere")
        person = f.person(f.partner("Their council", other), "stranger", is_facilitator=True)
    elif who == "left":
        person = f.person(setup.council, "gone", is_facilitator=True)
        Membership.objects.filter(person=person).update(is_active=False)
    else:
        person = getattr(setup, who)
    client.force_login(person)
    response = client.get(address(setup)) if method == "GET" else client.post(address(setup), form())
    assert response.status_code == status
    assert not SignOnProvider.objects.exists()


def test_another_partnerships_organisation_is_not_found(boss_client, setup):
    theirs = f.partner("Their police", create_partnership(name="Elsewhere"))
    assert boss_client.get(address(setup, theirs)).status_code == 404
    assert boss_client.post(address(setup, theirs), form()).status_code == 404
    assert not SignOnProvider.objects.exists()


def test_signed_out_people_are_sent_to_sign_in(client, setup):
    for response in (client.get(address(setup)), client.post(address(setup), form())):
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_administrator_configures_it_too(client, setup):
    from programmes.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.org", "a-long-test-password"))
    assert client.post(address(setup), form()).status_code == 302
    assert SignOnProvider.objects.get().partner == setup.police


def test_query_counts(boss_client, setup, django_assert_num_queries):
    with django_assert_num_queries(6):
        assert boss_client.get(address(setup)).status_code == 200
    boss_client.post(address(setup), form())
    with django_assert_num_queries(6):
        assert boss_client.get(address(setup)).status_code == 200


def test_the_sign_in_page_query_count(client, setup, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(reverse("login")).status_code == 200


def test_the_admin_keeps_the_secret_sealed_and_never_shows_it(client, setup):
    from programmes.models import User

    client.force_login(User.objects.create_superuser("root", "root@example.org", "a-long-test-password"))
    add = reverse("admin:programmes_signonprovider_add")
    data = {k: v for k, v in form().items() if k != "revision"} | {"partner": setup.police.pk}
    assert client.post(add, data).status_code == 302
    provider = SignOnProvider.objects.get()
    assert provider.client_secret() == "s3cret-value-from-entra"
    page = client.get(reverse("admin:programmes_signonprovider_change", args=[provider.pk])).content.decode()
    assert "s3cret-value-from-entra" not in page and provider.client_secret_sealed not in page
    # A second provider for the same organisation is refused.
    assert "already exists" in client.post(add, data).content.decode()


def test_a_domain_another_organisations_provider_signs_in_is_refused(boss_client, setup):
    """A provider vouches for its domains' addresses: another partnership's facilitator who
    claimed them for a provider of their own could sign in as the people invited with them.
    The same issuer (the same directory: a force that is a partner in two partnerships) may."""
    theirs = f.partner("Their police", create_partnership(name="Elsewhere"))
    SignOnProvider.objects.create(
        partner=theirs, issuer="https://idp.elsewhere.example", client_id="x", email_domains="police.example"
    )
    response = boss_client.post(address(setup), form(client_id="kept-client"))
    page = response.content.decode()
    assert response.status_code == 200 and 'id="error_1_id_email_domains"' in page
    assert "Another organisation&#x27;s single sign-on, at another provider, already signs in addresses of " in page
    assert "police.example: a domain has one provider." in page
    assert 'value="kept-client"' in page and 'value="gmp.police.uk, @Police.Example"' in page
    assert "Elsewhere" not in page and "Their police" not in page  # another partnership's, not named
    assert not SignOnProvider.objects.filter(partner=setup.police).exists()
    # Without that domain, or at the same issuer, it is saved.
    assert boss_client.post(address(setup), form(email_domains="gmp.police.uk")).status_code == 302
    SignOnProvider.objects.filter(partner=theirs).update(issuer=ISSUER)
    answer = boss_client.post(address(setup), form(new_secret="", revision="1"))
    assert answer.status_code == 302
    assert SignOnProvider.objects.get(partner=setup.police).domains() == ["gmp.police.uk", "police.example"]
