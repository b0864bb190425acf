"""Browser journeys of single sign-on, against the real OpenID provider of tests/oidc_provider/:
a facilitator configures the police's provider on its organisation's page, and the invited
police reviewer signs in with the police account from the work e-mail address alone, then signs
out and is offered the provider's sign-out; a required-SSO organisation's person is refused a
password; and the whole sign-in works with JavaScript off. axe-core runs on each of the app's
pages on the way.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_sign_on.py -q
"""

import re

import pytest
from playwright.sync_api import Page, expect

from programmes.models import SignOnProvider
from tests import factories as f
from tests.browser_support import PASSWORD, assert_accessible, open_page, sign_in
from tests.oidc_provider.accounts import CLIENTS
from tests.oidc_provider.accounts import PASSWORD as PROVIDER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_invited_reviewer_signs_in_with_the_police_account(page: Page, live_server, world, oidc_provider):
    boss = f.person(world.council, "boss", first_name="Bea", last_name="Boss", is_facilitator=True)
    world.reviewer.email = "reviewer@police.example"
    world.reviewer.save()
    base = live_server.url
    slug = world.programme.partnership.slug

    # The partnership's facilitator configures the police's provider.
    sign_in(page, base, boss.username)
    page.goto(f"{base}/partnerships/{slug}/organisations/")
    page.get_by_role("link", name="Single sign-on of Greater Manchester Police").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Single sign-on for Greater Manchester Police")
    assert_accessible(page, "the organisation's single sign-on page")
    page.get_by_label("Issuer URL").fill(oidc_provider)
    page.get_by_label("Client id").fill("challenge-police")
    page.get_by_label("Client secret", exact=True).fill(CLIENTS["challenge-police"][0])
    page.get_by_label("E-mail domains").fill("police.example")
    page.get_by_role("button", name="Save single sign-on").click()
    expect(page.get_by_text("Saved the single sign-on of “Greater Manchester Police”.")).to_be_visible()
    page.get_by_role("link", name="Single sign-on of Greater Manchester Police").click()
    expect(page.get_by_label("Client secret", exact=True)).to_have_value("")  # never shown back
    expect(page.get_by_text("A secret is kept (not shown).")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The reviewer gives their work address and is sent to the police's provider.
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in with Greater Manchester Police")).to_be_visible()
    assert_accessible(page, "the sign-in page with single sign-on")
    page.get_by_label("Work e-mail address").fill("reviewer@police.example")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("Provider user name").fill("reviewer")
    page.get_by_label("Provider password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()
    expect(page.get_by_text(re.compile(r"^Signed in as"))).to_contain_text("Paul Hargreaves")
    assert page.url.startswith(base)

    # Signing out offers the police's own sign-out.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status").first).to_contain_text("You have signed out of Challenge")
    link = page.get_by_role("link", name="Sign out of Greater Manchester Police too")
    expect(link).to_have_attribute("href", re.compile(re.escape(f"{oidc_provider}/logout/?client_id=challenge-police")))
    assert_accessible(page, "the sign-in page after signing out")


def test_a_required_sign_on_organisations_person_is_sent_to_the_button(page: Page, live_server, world, oidc_provider):
    provider = SignOnProvider(
        partner=world.police,
        issuer=oidc_provider,
        client_id="challenge-police",
        email_domains="police.example",
        required=True,
    )
    provider.set_client_secret(CLIENTS["challenge-police"][0])
    provider.save()
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(world.police_officer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text(
        "Greater Manchester Police signs its people in with their work account: "
        "use the “Sign in with Greater Manchester Police” button instead of a password."
    )
    assert_accessible(page, "the sign-in page refusing a password")

    # Someone whose organisation has no provider is told to use the password form.
    page.get_by_label("Work e-mail address").fill("lead@salford.gov.uk")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("status")).to_contain_text("Your organisation (salford.gov.uk) does not sign in with its")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_text(re.compile(r"^Signed in as"))).to_contain_text("Andrew Kenyon")


def test_signing_in_with_the_organisations_account_needs_no_javascript(new_context, live_server, world, oidc_provider):
    provider = SignOnProvider(
        partner=world.police, issuer=oidc_provider, client_id="challenge-police", email_domains="police.example"
    )
    provider.set_client_secret(CLIENTS["challenge-police"][0])
    provider.save()
    world.reviewer.email = "reviewer@police.example"
    world.reviewer.save()
    page = open_page(new_context, java_script_enabled=False)
    page.goto(f"{live_server.url}/accounts/login/")
    # The organisation's button, this time, rather than the address.
    page.get_by_role("button", name="Sign in with Greater Manchester Police").click()
    page.get_by_label("Provider user name").fill("reviewer")
    page.get_by_label("Provider password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()
    expect(page.get_by_text(re.compile(r"^Signed in as"))).to_contain_text("Paul Hargreaves")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign out of Greater Manchester Police too")).to_be_visible()
