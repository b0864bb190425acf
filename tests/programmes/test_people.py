"""A partnership's organisations and people, set up in the app by its facilitators (issue
13): the partnership's home page, partner organisations, people (add, change, left and back),
invitations by e-mail with a one-time link, and adding people from a CSV file."""

import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programmes import people, people_tasks
from programmes.models import Invitation, Membership, Partner, User
from programmes.services import create_partnership
from tests import factories as f

pytestmark = pytest.mark.django_db

SLUG = "salford"


@pytest.fixture
def setup(world):
    """The world, with a partnership facilitator (`boss`) of its partnership."""
    world.partnership = world.programme.partnership
    world.boss = f.person(world.council, "boss", first_name="Bea", last_name="Boss", is_facilitator=True)
    return world


@pytest.fixture
def boss_client(client, setup):
    client.force_login(setup.boss)
    return client


def url(name, setup, *args):
    return reverse(name, args=[setup.partnership.slug, *args])


def membership(person, setup):
    return Membership.objects.get(person=person, partnership=setup.partnership)


def link_in(message) -> str:
    return re.search(r"https?://\S+/invitations/(\S+)/", message.body).group(0)


def path_of(link) -> str:
    return "/" + link.split("/", 3)[3]


# --- The partnership's home page and the navigation ------------------------------------------


def test_home_page_names_the_partnership_and_counts_its_organisations_and_people(boss_client, setup):
    page = boss_client.get(url("partnership_home", setup)).content.decode()
    assert f"<h1>{setup.partnership.name}</h1>" in page
    assert "4 organisations." in page
    assert 'href="/partnerships/salford/people/"' in page
    assert 'href="/partnerships/salford/organisations/"' in page
    assert "Question sets and programmes: the coordinator adds these sections here" not in page  # a comment


def test_navigation_links_the_set_up_for_its_facilitators_only(client, setup):
    client.force_login(setup.boss)
    assert 'href="/partnerships/salford/"' in client.get(reverse("home")).content.decode()
    client.force_login(setup.facilitator)  # a programme's facilitator does not set the partnership up
    assert "/partnerships/" not in client.get(reverse("home")).content.decode()


def test_home_page_query_count(boss_client, setup, django_assert_num_queries):
    with django_assert_num_queries(6):
        assert boss_client.get(url("partnership_home", setup)).status_code == 200


# --- Who may --------------------------------------------------------------------------------


def _addresses(setup):
    m = membership(setup.lead, setup).pk
    partner = setup.council.pk
    return [
        ("GET", url("partnership_home", setup)),
        ("GET", url("partner_list", setup)),
        ("GET", url("partner_add", setup)),
        ("POST", url("partner_add", setup)),
        ("GET", url("partner_edit", setup, partner)),
        ("POST", url("partner_edit", setup, partner)),
        ("GET", url("people_list", setup)),
        ("GET", url("person_add", setup)),
        ("POST", url("person_add", setup)),
        ("GET", url("people_import", setup)),
        ("POST", url("people_import", setup)),
        ("GET", url("person_edit", setup, m)),
        ("POST", url("person_edit", setup, m)),
        ("GET", url("person_leave", setup, m)),
        ("POST", url("person_leave", setup, m)),
        ("POST", url("person_rejoin", setup, m)),
        ("POST", url("person_invite", setup, m)),
    ]


def _state():
    return (
        list(Partner.objects.order_by("pk").values_list("name", "revision")),
        list(Membership.objects.order_by("pk").values_list("is_active", "is_facilitator", "revision")),
        User.objects.count(),
        Invitation.objects.count(),
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("facilitator", 403), ("officer", 403), ("lead", 403), ("reviewer", 403), ("stranger", 404), ("left", 404)],
)
def test_only_the_partnerships_facilitators_set_it_up(client, setup, who, status):
    if who == "stranger":
        person = f.person(f.partner("Elsewhere", create_partnership(name="Elsewhere")), "stranger")
    elif who == "left":
        person = f.person(setup.council, "gone", is_facilitator=True)
        Membership.objects.filter(person=person).update(is_active=False)
    else:
        person = getattr(setup, who)
    client.force_login(person)
    before = _state()
    for method, address in _addresses(setup):
        response = client.get(address) if method == "GET" else client.post(address, {"name": "X", "email": "x@x.org"})
        assert response.status_code == status, (method, address)
    assert _state() == before
    assert not mail.outbox


def test_signed_out_people_are_sent_to_sign_in(client, setup):
    for method, address in _addresses(setup):
        response = client.get(address) if method == "GET" else client.post(address, {})
        assert response.status_code == 302 and response.url.startswith(reverse("login")), address


def test_unknown_partnership_or_records_of_another_partnership_are_not_found(boss_client, setup):
    other = create_partnership(name="Elsewhere")
    their_partner = f.partner("Their council", other)
    their_member = Membership.objects.get(person=f.person(their_partner, "theirs"))
    assert boss_client.get(reverse("partnership_home", args=["nowhere"])).status_code == 404
    assert boss_client.get(url("partner_edit", setup, their_partner.pk)).status_code == 404
    assert (
        boss_client.get(url("person_edit", setup, Membership.objects.get(person__username="theirs").pk)).status_code
        == 404
    )
    assert boss_client.post(url("person_leave", setup, their_member.pk)).status_code == 404
    assert boss_client.post(url("person_invite", setup, their_member.pk)).status_code == 404


# --- Partner organisations --------------------------------------------------------------------


def test_add_and_edit_a_partner_organisation(boss_client, setup):
    response = boss_client.post(
        url("partner_add", setup),
        {"name": "Salford CVS", "short_name": "CVS", "kind": "voluntary", "contact_email": "hello@cvs.example.org"},
    )
    assert response.status_code == 302 and response.url == url("partner_list", setup)
    partner = Partner.objects.get(name="Salford CVS")
    assert (partner.partnership, partner.short_name, partner.kind) == (setup.partnership, "CVS", "voluntary")
    page = boss_client.get(url("partner_list", setup)).content.decode()
    assert "Salford CVS" in page and "hello@cvs.example.org" in page
    response = boss_client.post(
        url("partner_edit", setup, partner.pk),
        {"name": "Salford Community and Voluntary Services", "short_name": "CVS", "kind": "voluntary", "revision": 0},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.contact_email, partner.revision) == (
        "Salford Community and Voluntary Services",
        "",
        1,
    )


def test_partner_name_is_unique_in_the_partnership_only(boss_client, setup):
    response = boss_client.post(url("partner_add", setup), {"name": setup.council.name, "kind": "council"})
    assert response.status_code == 200
    assert "already has a partner organisation of this name" in response.content.decode()
    # Another partnership may have one of the same name.
    other = create_partnership(name="Elsewhere")
    assert people.add_partner(partnership=other, name=setup.council.name).partnership == other


def test_bad_partner_input_is_refused_beside_the_field_and_kept(boss_client, setup):
    response = boss_client.post(
        url("partner_add", setup), {"name": "Two\nlines", "kind": "nonsense", "contact_email": "not-an-address"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "not-an-address" in page
    assert "Select a valid choice" in page and "Enter a valid email address" in page
    assert not Partner.objects.filter(name__startswith="Two").exists()


def test_adding_an_organisation_twice_with_the_same_form_adds_one(boss_client, setup):
    data = {"name": "Salford CVS", "kind": "voluntary", "submission_token": "5f0c8f38-6c2c-4b5e-9a57-0b8c7f9bde51"}
    assert boss_client.post(url("partner_add", setup), data).status_code == 302
    assert boss_client.post(url("partner_add", setup), data).status_code == 302
    assert Partner.objects.filter(name="Salford CVS").count() == 1


def test_a_stale_organisation_edit_is_refused_and_kept(boss_client, setup):
    people.update_partner(
        partner=setup.council,
        expected_revision=0,
        name="Salford Council",
        short_name="SCC",
        kind="council",
        contact_email="",
    )
    response = boss_client.post(
        url("partner_edit", setup, setup.council.pk),
        {"name": "My new name", "kind": "council", "revision": 0},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed while you were editing it" in page and "My new name" in page and "Salford Council" in page
    setup.council.refresh_from_db()
    assert setup.council.name == "Salford Council"


def test_organisation_pages_query_counts(boss_client, setup, django_assert_num_queries):
    with django_assert_num_queries(5):
        assert boss_client.get(url("partner_list", setup)).status_code == 200
    f.partner("Another", setup.partnership)
    with django_assert_num_queries(5):
        assert boss_client.get(url("partner_list", setup)).status_code == 200
    with django_assert_num_queries(4):
        assert boss_client.get(url("partner_add", setup)).status_code == 200
    with django_assert_num_queries(5):
        assert boss_client.get(url("partner_edit", setup, setup.council.pk)).status_code == 200


# --- People ---------------------------------------------------------------------------------


def _person(setup, **extra):
    return {
        "first_name": "Nina",
        "last_name": "Patel",
        "email": "nina.patel@example.org",
        "job_title": "Head of Service",
        "partner": setup.health.pk,
        "is_officer": "on",
        **extra,
    }


def test_add_a_new_person_with_an_invitation_sent_after_the_commit(
    boss_client, setup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = boss_client.post(url("person_add", setup), _person(setup, invite="on"))
    assert response.status_code == 302 and response.url == url("people_list", setup)
    nina = User.objects.get(email="nina.patel@example.org")
    assert (nina.first_name, nina.job_title, nina.has_usable_password()) == ("Nina", "Head of Service", False)
    m = membership(nina, setup)
    assert (m.partner, m.is_officer, m.is_facilitator, m.is_active) == (setup.health, True, False, True)
    [message] = mail.outbox
    assert message.to == ["nina.patel@example.org"]
    assert "Bea Boss has added you to Salford" in message.body
    invitation = Invitation.objects.get(membership=m)
    assert invitation.status == Invitation.Status.SENT
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=7)
    # The link's secret is not stored, only its hash.
    token = link_in(message).rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash
    page = boss_client.get(url("people_list", setup)).content.decode()
    assert "Nina Patel" in page and "Invited" in page and "expires" in page and "Resend invitation" in page


def test_the_invitation_email_waits_for_the_commit(setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        added = people.add_person(partnership=setup.partnership, first_name="A", last_name="B", email="a@b.org")
        people.invite(membership=added.membership, by=setup.boss)
    assert len(callbacks) == 1 and not mail.outbox  # queued for after the commit, not sent in the transaction


def test_a_person_of_another_partnership_gets_a_membership_not_a_second_account(boss_client, setup):
    other = create_partnership(name="Elsewhere Partnership")
    elsewhere = f.partner("Elsewhere Borough Council", other, short_name="EBC")
    priya = f.person(
        elsewhere,
        "priya",
        first_name="Priya",
        last_name="Shah",
        email="Priya.Shah@example.org",
        job_title="Director",
        is_officer=True,
    )
    response = boss_client.post(
        url("person_add", setup),
        _person(setup, first_name="P", last_name="S", email="priya.shah@EXAMPLE.org", invite="on"),
        follow=True,
    )
    page = response.content.decode()
    assert "Priya Shah already had an account" in page
    assert User.objects.filter(email__iexact="priya.shah@example.org").count() == 1
    here = membership(priya, setup)
    assert (here.partner, here.is_officer) == (setup.health, True)
    priya.refresh_from_db()
    assert (priya.first_name, priya.job_title) == ("Priya", "Director")  # their own, not retyped
    assert not mail.outbox  # they have a password already: nothing to invite
    # Nothing of the other partnership is shown.
    for word in ("Elsewhere", "EBC"):
        assert word not in page
    assert "Elsewhere" not in boss_client.get(url("people_list", setup)).content.decode()


def test_adding_a_member_again_is_refused_beside_the_email(boss_client, setup):
    response = boss_client.post(url("person_add", setup), _person(setup, email=setup.lead.email))
    assert "Andrew Kenyon is already a member of the partnership." in response.content.decode()
    Membership.objects.filter(person=setup.lead).update(is_active=False)
    response = boss_client.post(url("person_add", setup), _person(setup, email=setup.lead.email))
    assert "has left the partnership: re-activate them" in response.content.decode()


def test_bad_person_input_is_refused_and_kept(boss_client, setup):
    other = create_partnership(name="Elsewhere")
    their = f.partner("Their org", other)
    response = boss_client.post(
        url("person_add", setup),
        _person(setup, first_name="", email="nope", partner=their.pk, job_title="Line\nbreak"),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page and "Enter a valid email address." in page
    assert "Select a valid choice" in page  # another partnership's organisation is not offered
    assert "nope" in page and "Patel" in page
    assert not User.objects.filter(last_name="Patel").exists()


def test_adding_a_person_twice_with_the_same_form_adds_one(boss_client, setup):
    data = _person(setup, submission_token="0d3c1c8a-21e5-4b6f-8b6e-9a3d0f7f2c11")
    assert boss_client.post(url("person_add", setup), data).status_code == 302
    response = boss_client.post(url("person_add", setup), data, follow=True)
    assert "Added Nina Patel." in response.content.decode()
    assert User.objects.filter(email="nina.patel@example.org").count() == 1


def test_two_forms_adding_the_same_new_address_at_the_same_moment(boss_client, setup, monkeypatch):
    """Two facilitators add the same new person at once: both saw no account for the address,
    so the second's new account collides with the first's. The second gets the message beside
    the e-mail address, not an error page, and one account and one membership are made."""
    from programmes import people as people_services

    assert boss_client.post(url("person_add", setup), _person(setup)).status_code == 302
    real_account_for = people_services.account_for
    calls = []

    def not_yet_seen(email):  # the second form read the accounts before the first committed
        calls.append(email)
        return None if len(calls) == 1 else real_account_for(email)

    monkeypatch.setattr(people_services, "account_for", not_yet_seen)
    # ...and chose the same user name, free at the time.
    monkeypatch.setattr(people_services, "_username_for", lambda email: email.strip().lower())
    response = boss_client.post(url("person_add", setup), _person(setup))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nina Patel is already a member of the partnership." in page
    assert User.objects.filter(email__iexact="nina.patel@example.org").count() == 1
    assert Membership.objects.filter(person__email__iexact="nina.patel@example.org").count() == 1


def test_a_new_address_added_at_the_same_moment_to_two_partnerships_makes_one_account(setup, monkeypatch):
    from programmes import people as people_services

    other = create_partnership(name="Elsewhere")
    first = people_services.add_person(
        partnership=setup.partnership, first_name="Nina", last_name="Patel", email="nina.patel@example.org"
    )
    real_account_for = people_services.account_for
    calls = []

    def not_yet_seen(email):  # read before the first committed; read again after
        calls.append(email)
        return None if len(calls) == 1 else real_account_for(email)

    monkeypatch.setattr(people_services, "account_for", not_yet_seen)
    monkeypatch.setattr(people_services, "_username_for", lambda email: email.strip().lower())
    second = people_services.add_person(
        partnership=other, first_name="Nina", last_name="Patel", email="Nina.Patel@example.org"
    )
    monkeypatch.undo()
    assert first.new_account and not second.new_account
    assert second.membership.person == first.membership.person
    assert User.objects.filter(email__iexact="nina.patel@example.org").count() == 1


def test_change_someones_organisation_roles_and_job_title(boss_client, setup):
    m = membership(setup.lead, setup)
    response = boss_client.post(
        url("person_edit", setup, m.pk),
        {"partner": setup.police.pk, "job_title": "Superintendent", "is_facilitator": "on", "revision": 0},
    )
    assert response.status_code == 302
    m.refresh_from_db()
    setup.lead.refresh_from_db()
    assert (m.partner, m.is_facilitator, m.is_officer, m.revision) == (setup.police, True, False, 1)
    assert setup.lead.job_title == "Superintendent"


def test_a_stale_membership_edit_is_refused(boss_client, setup):
    m = membership(setup.lead, setup)
    Membership.objects.filter(pk=m.pk).update(revision=3, is_officer=True)
    response = boss_client.post(url("person_edit", setup, m.pk), {"partner": setup.police.pk, "revision": 0})
    assert "changed while you were editing it" in response.content.decode()
    m.refresh_from_db()
    assert m.partner == setup.council


def test_facilitators_cannot_lock_themselves_out(boss_client, setup):
    mine = membership(setup.boss, setup)
    response = boss_client.post(url("person_edit", setup, mine.pk), {"partner": setup.council.pk, "revision": 0})
    assert "cannot take away your own facilitator role" in response.content.decode()
    response = boss_client.post(url("person_leave", setup, mine.pk), follow=True)
    assert "deactivate yourself" in response.content.decode()
    mine.refresh_from_db()
    assert mine.is_facilitator and mine.is_active


def test_someone_who_left_is_deactivated_after_confirming_and_can_come_back(boss_client, setup):
    m = membership(setup.reviewer, setup)
    page = boss_client.get(url("person_leave", setup, m.pk)).content.decode()
    assert "Has Paul Hargreaves left" in page and "Their name stays" in page
    m.refresh_from_db()
    assert m.is_active  # asking is not doing
    response = boss_client.post(url("person_leave", setup, m.pk), follow=True)
    assert response.redirect_chain == [(url("people_list", setup) + "?status=left", 302)]
    assert "Paul Hargreaves has left the partnership: history keeps their name." in response.content.decode()
    m.refresh_from_db()
    assert not m.is_active
    active = boss_client.get(url("people_list", setup)).content.decode()
    left = boss_client.get(url("people_list", setup) + "?status=left").content.decode()
    assert "Paul Hargreaves" not in active and "Paul Hargreaves" in left and "Re-activate" in left
    # History keeps their name: the session still lists them.
    assert setup.session.participants.filter(person=setup.reviewer).exists()
    boss_client.post(url("person_rejoin", setup, m.pk))
    m.refresh_from_db()
    assert m.is_active


def test_people_list_filters_by_organisation(boss_client, setup):
    page = boss_client.get(url("people_list", setup) + f"?organisation={setup.police.pk}").content.decode()
    assert "Paul Hargreaves" in page and "Andrew Kenyon" not in page
    # Nonsense filters show everyone active.
    page = boss_client.get(url("people_list", setup) + "?organisation=99999999999&status=x").content.decode()
    assert "Paul Hargreaves" in page and "Andrew Kenyon" in page


def test_people_pages_query_counts(boss_client, setup, django_assert_num_queries):
    def invited_person(n):
        added = people.add_person(
            partnership=setup.partnership, first_name="New", last_name=str(n), email=f"new{n}@example.org"
        )
        return people.invite(membership=added.membership, by=setup.boss)

    invited_person(1)
    with django_assert_num_queries(7):
        assert boss_client.get(url("people_list", setup)).status_code == 200
    f.person(setup.council, "one-more")
    invited_person(2)
    people.accept_invitation(invitation=invited_person(3), password="a-long-harbour-morning")
    with django_assert_num_queries(7):
        assert boss_client.get(url("people_list", setup)).status_code == 200
    m = membership(setup.lead, setup).pk
    with django_assert_num_queries(5):
        assert boss_client.get(url("person_add", setup)).status_code == 200
    with django_assert_num_queries(6):
        assert boss_client.get(url("person_edit", setup, m)).status_code == 200
    with django_assert_num_queries(5):
        assert boss_client.get(url("person_leave", setup, m)).status_code == 200
    with django_assert_num_queries(4):
        assert boss_client.get(url("people_import", setup)).status_code == 200


# --- Invitations ----------------------------------------------------------------------------


@pytest.fixture
def invited(setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        added = people.add_person(
            partnership=setup.partnership,
            first_name="Nina",
            last_name="Patel",
            email="nina@example.org",
            partner=setup.health,
        )
        people.invite(membership=added.membership, by=setup.boss)
    setup.nina = added.membership.person
    setup.link = path_of(link_in(mail.outbox[-1]))
    return setup


def test_accepting_sets_the_password_and_signs_in_once(client, invited):
    page = client.get(invited.link).content.decode()
    assert "Set your password" in page and "nina@example.org" in page  # the user name to sign in with
    response = client.post(invited.link, {"new_password1": "short", "new_password2": "short"})
    assert "This password is too short" in response.content.decode()  # Django's validators
    password = "a-long-harbour-morning"
    response = client.post(invited.link, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302 and response.url == reverse("home")
    assert int(client.session["_auth_user_id"]) == invited.nina.pk
    invited.nina.refresh_from_db()
    assert invited.nina.check_password(password)
    client.logout()
    again = client.get(invited.link)
    assert again.status_code == 410
    assert "This link has been used" in again.content.decode() and reverse("login") in again.content.decode()
    assert (
        client.post(invited.link, {"new_password1": "x-" + password, "new_password2": "x-" + password}).status_code
        == 410
    )
    invited.nina.refresh_from_db()
    assert invited.nina.check_password(password)


def test_an_invitation_opened_while_someone_else_is_signed_in(client, invited):
    """The facilitator who sent it (or anyone) opens the link on their own browser: it does
    not sign them out and the invited person in; it says whose it is and offers to sign out,
    after which the link works for the invited person."""
    client.force_login(invited.boss)
    page = client.get(invited.link).content.decode()
    assert "This invitation is for someone else" in page
    assert "Bea Boss" in page and "Nina Patel" in page and 'name="new_password1"' not in page
    assert f'name="next" value="{invited.link}"' in page and f'action="{reverse("logout")}"' in page
    password = "a-long-harbour-morning"
    response = client.post(invited.link, {"new_password1": password, "new_password2": password})
    assert response.status_code == 409
    assert int(client.session["_auth_user_id"]) == invited.boss.pk  # still signed in as themselves
    invited.nina.refresh_from_db()
    assert not invited.nina.has_usable_password()
    signed_out = client.post(reverse("logout"), {"next": invited.link})
    assert signed_out.status_code == 302 and signed_out.url == invited.link
    assert "Set your password" in client.get(invited.link).content.decode()
    assert client.post(invited.link, {"new_password1": password, "new_password2": password}).status_code == 302
    assert int(client.session["_auth_user_id"]) == invited.nina.pk


def test_an_expired_link_says_so_and_who_to_ask(client, invited):
    Invitation.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(invited.link)
    page = response.content.decode()
    assert response.status_code == 410
    assert "This link has expired" in page and "Ask Bea Boss" in page and "Salford" in page
    assert (
        client.post(
            invited.link, {"new_password1": "a-long-harbour-morning", "new_password2": "a-long-harbour-morning"}
        ).status_code
        == 410
    )
    invited.nina.refresh_from_db()
    assert not invited.nina.has_usable_password()


def test_resending_makes_a_new_link_and_the_old_one_stops_working(
    boss_client, invited, django_capture_on_commit_callbacks
):
    m = membership(invited.nina, invited)
    with django_capture_on_commit_callbacks(execute=True):
        response = boss_client.post(url("person_invite", invited, m.pk), follow=True)
    assert "Any earlier link no longer works" in response.content.decode()
    new_link = path_of(link_in(mail.outbox[-1]))
    assert new_link != invited.link
    assert "A newer link has been sent" in boss_client.get(invited.link).content.decode()
    boss_client.logout()
    assert boss_client.get(new_link).status_code == 200
    assert Invitation.objects.filter(membership=m, replaced_at__isnull=True).count() == 1


def test_the_expiry_is_settable(setup, settings):
    settings.CHALLENGE_INVITATION_DAYS = 2
    added = people.add_person(partnership=setup.partnership, first_name="A", last_name="B", email="a@b.org")
    invitation = people.invite(membership=added.membership)
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=2)


def test_leaving_stops_the_link_and_unknown_links_are_not_found(client, invited):
    people.set_active(membership=membership(invited.nina, invited), active=False)
    assert client.get(invited.link).status_code == 410
    assert client.get(reverse("invitation_accept", args=["f" * 64])).status_code == 404
    assert client.get(reverse("invitation_accept", args=["x" * 300])).status_code == 404


def test_the_token_needs_the_secret_key(invited, settings):
    invitation = Invitation.objects.get()
    token = people_tasks.invitation_token(invitation)
    assert people.find_invitation(token) == invitation
    settings.SECRET_KEY = "another-secret-key-" * 3
    assert people.find_invitation(people_tasks.invitation_token(invitation)) is None


def test_a_failed_invitation_email_shows_on_the_people_list(
    boss_client, setup, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.programmes.test_people.FailingBackend"
    added = people.add_person(partnership=setup.partnership, first_name="A", last_name="Bee", email="a@b.org")
    with django_capture_on_commit_callbacks(execute=True):
        people.invite(membership=added.membership, by=setup.boss)
    invitation = Invitation.objects.get()
    assert invitation.status == Invitation.Status.FAILED and "Connection refused" in invitation.error
    assert "could not be sent" in boss_client.get(url("people_list", setup)).content.decode()


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("Connection refused")


def test_invitation_page_query_count(client, invited, django_assert_num_queries):
    # The invitation, and whether the person's organisation requires single sign-on (no
    # password then: tests/programmes/test_sign_on.py).
    with django_assert_num_queries(2):
        assert client.get(invited.link).status_code == 200


# --- Adding people from a CSV file -----------------------------------------------------------


def _csv(setup, *rows):
    return "name,email,organisation,job title\n" + "\n".join(rows) + "\n"


def test_csv_preview_then_confirm(boss_client, setup, django_capture_on_commit_callbacks):
    other = create_partnership(name="Elsewhere")
    f.person(f.partner("Elsewhere council", other), "sam", first_name="Sam", last_name="Other", email="sam@example.org")
    text = _csv(
        setup,
        "Nina Patel,nina@example.org,Salford Primary Care Trust,Head of Service",
        f"Andrew Kenyon,{setup.lead.email},{setup.council.short_name},Director",
        "Samuel Other,SAM@example.org,GMP,Inspector",
    )
    response = boss_client.post(url("people_import", setup), {"step": "preview", "csv": text})
    page = response.content.decode()
    assert "Preview: nobody is added yet" in page
    assert "New person" in page and "Already a member" in page and "Has an account already" in page
    assert "Elsewhere" not in page
    assert "Add 2 people" in page
    assert User.objects.filter(email="nina@example.org").count() == 0  # nothing written yet
    with django_capture_on_commit_callbacks(execute=True):
        response = boss_client.post(
            url("people_import", setup), {"step": "apply", "csv": text, "invite": "on"}, follow=True
        )
    assert "Added 1 new person and 1 with an account already. 1 invited by e-mail." in response.content.decode()
    nina = User.objects.get(email="nina@example.org")
    assert (nina.first_name, nina.last_name, nina.job_title) == ("Nina", "Patel", "Head of Service")
    assert membership(nina, setup).partner == setup.health
    assert membership(User.objects.get(username="sam"), setup).partner == setup.police
    assert [m.to for m in mail.outbox] == [["nina@example.org"]]
    # The same file again adds nobody.
    page = boss_client.post(url("people_import", setup), {"step": "apply", "csv": text}).content.decode()
    assert "Nothing to add: everyone in the file is a member already" in page
    assert "0 new, 0 with an account already, 3 already members" in " ".join(page.split())
    assert 'value="apply"' not in page
    assert User.objects.filter(email="nina@example.org").count() == 1


def test_csv_errors_are_shown_by_line_and_nothing_is_written(boss_client, setup):
    text = _csv(
        setup,
        "Nina Patel,nina@example.org,Nowhere Council,",
        ",x@example.org,GMP,",
        "Bad Address,not-an-address,GMP,",
        "Nina Again,NINA@example.org,GMP,",
        "No Org,noorg@example.org,,",
    )
    before = _state()
    response = boss_client.post(url("people_import", setup), {"step": "apply", "csv": text})
    page = response.content.decode()
    assert "The file has problems: nobody has been added" in page
    assert "“Nowhere Council” is not one of the partnership&#x27;s organisations." in page
    assert "No name." in page and "is not an e-mail address" in page
    assert "The same e-mail address as line 2." in page and "No organisation." in page
    assert _state() == before


def test_csv_without_the_columns_or_rows(boss_client, setup):
    page = boss_client.post(url("people_import", setup), {"csv": "who,where\nA,B\n"}).content.decode()
    assert "missing name, email, organisation, job title" in page
    page = boss_client.post(
        url("people_import", setup), {"csv": "name,email,organisation,job title\n"}
    ).content.decode()
    assert "The file has no people in it." in page
    page = boss_client.post(url("people_import", setup), {"csv": "  "}).content.decode()
    assert "Paste the people" in page


def test_csv_someone_added_between_preview_and_confirm(boss_client, setup):
    text = _csv(setup, "Nina Patel,nina@example.org,GMP,")
    people.add_person(partnership=setup.partnership, first_name="Nina", last_name="P", email="nina@example.org")
    plan = people.plan_people(setup.partnership, text)
    assert [row.outcome for row in plan.rows] == ["member"] and not plan.ok
    # Planned before, applied after: refused whole.
    stale = people.PeoplePlan(rows=[people.PlannedPerson(2, "Nina Patel", "nina@example.org", "GMP", "", setup.police)])
    with pytest.raises(people.PeopleImportChanged):
        people.apply_people(setup.partnership, stale)


def test_csv_preview_query_count(boss_client, setup, django_assert_num_queries):
    other = create_partnership(name="Elsewhere")
    f.person(f.partner("Elsewhere council", other), "sam", email="sam@example.org")
    known = [f"Andrew Kenyon,{setup.lead.email},GMP,", "Sam Other,SAM@example.org,GMP,"]
    for count in (5, 10):
        text = _csv(setup, *known, *(f"Person {n},p{n}@example.org,GMP," for n in range(count)))
        with django_assert_num_queries(7):
            page = boss_client.post(url("people_import", setup), {"csv": text}).content.decode()
        assert f"{count} new, 1 with an account already, 1 already member" in " ".join(page.split())


def test_someone_with_a_password_is_not_invited(boss_client, setup):
    m = membership(setup.lead, setup)
    page = boss_client.get(url("people_list", setup)).content.decode()
    assert "Has a password" in page
    response = boss_client.post(url("person_invite", setup, m.pk), follow=True)
    assert "has a password already" in response.content.decode()
    assert not Invitation.objects.exists() and not mail.outbox
