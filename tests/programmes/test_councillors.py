"""A partnership's councillors (issue 15): marked on the people pages, with the scrutiny
panels they sit on and the cabinet portfolios they hold, set up by the partnership's
facilitators in the app."""

import pytest
from django.urls import reverse

from programmes import councillors, people
from programmes.models import CabinetPortfolio, Membership, ScrutinyPanel
from tests import factories as f
from tests.scrutiny_world import southampton

pytestmark = pytest.mark.django_db


@pytest.fixture
def soton(db):
    world = southampton()
    Membership.objects.filter(person=world.scrutiny_officer).update(is_facilitator=True)
    world.scrutiny_officer.forget_memberships()
    world.salford = f.person(f.partner("Salford City Council"), "salfordian", is_facilitator=True)
    return world


def test_a_facilitator_marks_someone_a_councillor(soton):
    membership = Membership.objects.get(person=soton.colleague, partnership=soton.partnership)
    people.update_membership(
        membership=membership,
        expected_revision=membership.revision,
        partner=soton.council,
        is_facilitator=False,
        is_officer=False,
        is_councillor=True,
        job_title="Councillor",
    )
    assert soton.colleague in councillors.councillors_of(soton.partnership)


def test_facilitator_adds_a_panel_of_councillors_through_the_form(client, soton):
    client.force_login(soton.scrutiny_officer)
    url = reverse("panel_add", args=[soton.partnership.slug])
    page = client.get(url).content.decode()
    assert "Anne Chair" in page and "Robert Henderson" not in page  # only councillors are offered
    response = client.post(url, {"name": "Health Overview and Scrutiny", "members": [soton.chair.pk], "chair": ""})
    assert response.status_code == 302
    panel = ScrutinyPanel.objects.get(name="Health Overview and Scrutiny")
    assert list(panel.members.all()) == [soton.chair]
    listing = client.get(reverse("councillor_list", args=[soton.partnership.slug])).content.decode()
    assert "Health Overview and Scrutiny" in listing and "Cabinet Member for Children&#x27;s Social Care" in listing


def test_an_officer_cannot_sit_on_a_panel_and_the_chair_must_be_a_member(soton):
    with pytest.raises(Exception) as exc:
        councillors.save_panel(
            partnership=soton.partnership, name="Another", chair=soton.cabinet_member, members=[soton.director]
        )
    assert "only the partnership's councillors" in str(exc.value)
    assert "The chair must be one of the panel's members." in str(exc.value)


def test_a_stale_panel_edit_is_refused_with_what_was_typed(client, soton):
    client.force_login(soton.scrutiny_officer)
    url = reverse("panel_edit", args=[soton.partnership.slug, soton.panel.pk])
    councillors.save_panel(
        partnership=soton.partnership,
        panel=soton.panel,
        expected_revision=1,
        name="Renamed panel",
        chair=soton.chair,
        members=[soton.chair],
    )
    response = client.post(
        url, {"name": "My name", "members": [soton.chair.pk], "chair": soton.chair.pk, "revision": 1}
    )
    assert response.status_code == 409
    assert "My name" in response.content.decode() and "Renamed panel" in response.content.decode()


def test_facilitator_sets_a_cabinet_portfolio(client, soton):
    client.force_login(soton.scrutiny_officer)
    url = reverse("portfolio_edit", args=[soton.partnership.slug, soton.portfolio.pk])
    response = client.post(
        url, {"title": "Cabinet Member for Children", "holder": soton.cabinet_member.pk, "areas": [], "revision": 1}
    )
    assert response.status_code == 302
    portfolio = CabinetPortfolio.objects.get(pk=soton.portfolio.pk)
    assert (portfolio.title, portfolio.areas.count(), portfolio.revision) == ("Cabinet Member for Children", 0, 2)


def test_access_matrix(client, soton):
    slug = soton.partnership.slug
    urls = [
        reverse("councillor_list", args=[slug]),
        reverse("panel_add", args=[slug]),
        reverse("panel_edit", args=[slug, soton.panel.pk]),
        reverse("portfolio_add", args=[slug]),
        reverse("portfolio_edit", args=[slug, soton.portfolio.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
    client.force_login(soton.salford)  # another partnership's facilitator
    for url in urls:
        assert client.get(url).status_code == 404
    client.force_login(soton.councillor)  # a member, not a facilitator
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(urls[1], {"name": "Mine"}).status_code == 403
    client.force_login(soton.scrutiny_officer)
    assert client.post(urls[0]).status_code == 405
    assert client.get(reverse("panel_edit", args=[slug, 999])).status_code == 404
    assert ScrutinyPanel.objects.count() == 1


def test_query_counts(client, soton, django_assert_num_queries):
    client.force_login(soton.scrutiny_officer)
    url = reverse("councillor_list", args=[soton.partnership.slug])
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200
    for n in range(4):
        panel = ScrutinyPanel.objects.create(partnership=soton.partnership, name=f"Panel {n}", chair=soton.chair)
        panel.members.set([soton.chair, soton.councillor])
        portfolio = CabinetPortfolio.objects.create(
            partnership=soton.partnership, title=f"Portfolio {n}", holder=soton.cabinet_member
        )
        portfolio.areas.set([soton.area])
    with django_assert_num_queries(9):
        assert "Panel 3" in client.get(url).content.decode()
    with django_assert_num_queries(8):
        assert client.get(reverse("panel_edit", args=[soton.partnership.slug, soton.panel.pk])).status_code == 200
