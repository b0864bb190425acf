"""Assurance audits of an area: their record, their findings (the same findings and actions as
a session's), who may read and record them, and what their pages cost."""

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from findings import audits, services
from findings.models import Action, AssuranceAudit, Finding, FindingVersion
from tests import factories as f

pytestmark = pytest.mark.django_db


def audit_data(**kw):
    data = {
        "title": "Child protection plans",
        "audited_on": "2021-10-12",
        "auditor": "Quality assurance team",
        "sample_size": "24",
        "sample_description": "Plans open for more than a year, chosen at random.",
        "grading": "requires_improvement",
        "summary": "Plans are reviewed on time; the child's voice is missing in a third.",
    }
    data.update(kw)
    return data


def test_a_finding_comes_from_a_session_or_an_audit_never_both_nor_neither(world, audit):
    base = dict(area=world.safeguarding, created_by=world.facilitator, kind="risk", title="T", text="T")
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(session=world.session, audit=audit, **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(**base)
    assert Finding.objects.create(audit=audit, **base).programme is None


def test_an_audit_finding_has_a_history_and_actions_like_a_session_finding(world, audit_finding):
    assert audit_finding.versions.get().action == FindingVersion.Action.CREATED
    action = services.add_action(
        finding=audit_finding,
        description="Add the child's words to the plan template",
        owner=world.lead,
        due_date=datetime.date(2022, 1, 31),
    )
    assert action.owner_partner == world.council
    services.update_action(action=action, by=world.lead, expected_revision=action.revision, status="in_progress")
    action.refresh_from_db()
    assert action.status == "in_progress" and action.changes.count() == 1


def test_a_partnership_facilitator_records_an_audit_then_a_finding_then_an_action(
    client, world, partnership_facilitator
):
    client.force_login(partnership_facilitator)
    response = client.post(reverse("audit_create", args=["safeguarding"]), audit_data())
    audit = AssuranceAudit.objects.get()
    assert response.status_code == 302 and response["Location"] == audit.get_absolute_url()
    assert (audit.sample_size, audit.grading, audit.created_by) == (24, "requires_improvement", partnership_facilitator)
    response = client.post(
        reverse("audit_finding_add", args=[audit.pk]),
        {"kind": "improvement", "title": "The child's voice is missing", "text": "In a third of the plans."},
    )
    finding = Finding.objects.get(audit=audit)
    assert response.status_code == 302 and finding.session is None and finding.area == world.safeguarding
    response = client.post(
        reverse("action_add", args=[finding.pk]),
        {
            f"a{finding.pk}-description": "Change the plan template",
            f"a{finding.pk}-owner": world.lead.pk,
            f"a{finding.pk}-due_date": "2022-01-31",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/audits/{audit.pk}/#finding-{finding.pk}")
    action = Action.objects.get(finding=finding)
    response = client.post(reverse("action_status", args=[action.pk]), {"status": "done", "revision": 1})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    page = client.get(audit.get_absolute_url()).content.decode()
    assert "Requires improvement" in page and "The child&#x27;s voice is missing" in page
    assert "Change the plan template" in page
    listing = client.get(reverse("audit_list", args=["safeguarding"])).content.decode()
    assert "Child protection plans" in listing and "24 cases" in listing


def test_an_audit_action_page_and_finding_pages_lead_to_the_audit(client, world, audit, audit_finding):
    action = services.add_action(
        finding=audit_finding, description="Template", owner=world.lead, due_date=datetime.date(2022, 1, 31)
    )
    client.force_login(world.officer)
    response = client.get(reverse("action_page", args=[action.pk]))
    assert response.status_code == 302 and response["Location"].endswith(
        f"/audits/{audit.pk}/#finding-{audit_finding.pk}"
    )
    client.force_login(world.officer)
    history = client.get(reverse("finding_history", args=[audit_finding.pk]))
    assert history.status_code == 200 and f'href="{audit.get_absolute_url()}"' in history.content.decode()


def test_a_refused_audit_keeps_what_was_typed(client, world, partnership_facilitator):
    client.force_login(partnership_facilitator)
    response = client.post(reverse("audit_create", args=["safeguarding"]), audit_data(sample_size="lots"))
    assert response.status_code == 200 and not AssuranceAudit.objects.exists()
    assert "sample_size" in response.context["form"].errors
    assert "Quality assurance team" in response.content.decode()


def test_a_stale_change_of_the_audit_is_refused_and_kept(client, world, audit, partnership_facilitator):
    audits.update_audit(audit=audit, expected_revision=1, summary="Changed by someone else")
    client.force_login(partnership_facilitator)
    data = audit_data(summary="Mine", revision="1")
    response = client.post(reverse("audit_edit", args=[audit.pk]), data)
    assert response.status_code == 409 and response.context["conflict"] is not None
    page = response.content.decode()
    assert "Mine" in page and "Changed by someone else" in page


# --- Who may do what -------------------------------------------------------------------------


def audit_urls(audit):
    return {
        "audit_list": (reverse("audit_list", args=[audit.area.slug]), "view"),
        "audit_detail": (reverse("audit_detail", args=[audit.pk]), "view"),
        "audit_create": (reverse("audit_create", args=[audit.area.slug]), "manage"),
        "audit_edit": (reverse("audit_edit", args=[audit.pk]), "manage"),
        "audit_finding_add": (reverse("audit_finding_add", args=[audit.pk]), "manage"),
    }


@pytest.mark.parametrize("name", ["audit_list", "audit_detail", "audit_create", "audit_edit", "audit_finding_add"])
@pytest.mark.parametrize("who", ["partnership_facilitator", "officer", "facilitator", "lead", "reviewer"])
def test_permissions(request, client, world, audit, name, who):
    """Officers and the partnership's facilitators read; only the latter record. A programme's
    facilitator, a lead or a reviewer (no partnership role) does neither."""
    url, level = audit_urls(audit)[name]
    person = request.getfixturevalue(who) if who == "partnership_facilitator" else getattr(world, who)
    allowed = {"view": {"partnership_facilitator", "officer"}, "manage": {"partnership_facilitator"}}[level]
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == (200 if who in allowed else 403)
    if level == "manage" and who not in allowed:
        assert client.post(url, audit_data()).status_code == 403
    assert AssuranceAudit.objects.count() == 1 and not Finding.objects.filter(audit=audit).exists()


def test_actions_of_an_audit_finding_are_refused_to_others(client, world, audit_finding):
    action = services.add_action(
        finding=audit_finding, description="Template", owner=world.lead, due_date=datetime.date(2022, 1, 31)
    )
    client.force_login(world.officer)
    key = f"a{audit_finding.pk}-description"
    assert client.post(reverse("action_add", args=[audit_finding.pk]), {key: "Forged"}).status_code == 403
    assert client.post(reverse("action_status", args=[action.pk]), {"status": "done"}).status_code == 403
    # Its owner follows it up.
    client.force_login(world.lead)
    assert client.post(reverse("action_status", args=[action.pk]), {"status": "in_progress"}).status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress" and Action.objects.count() == 1


def test_another_partnership_sees_nothing(client, world, audit, audit_finding):
    elsewhere = f.partnership("Southampton", "southampton-audits")
    stranger = f.person(f.partner("Southampton City Council", elsewhere), "stranger", is_facilitator=True)
    client.force_login(stranger)
    for url, _ in audit_urls(audit).values():
        assert client.get(url).status_code == 404
    assert client.post(reverse("action_add", args=[audit_finding.pk]), {}).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, audit):
    for url, _ in audit_urls(audit).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- What the pages cost ---------------------------------------------------------------------


@pytest.mark.parametrize("findings", [1, 4])
def test_audit_page_queries_do_not_grow_with_findings(
    client, world, audit, partnership_facilitator, findings, django_assert_num_queries
):
    for n in range(findings):
        finding = audits.record_audit_finding(
            audit=audit, by=partnership_facilitator, kind="risk", title=f"Risk {n}", text="Text"
        )
        services.add_action(finding=finding, description="Do", owner=world.lead, due_date=datetime.date(2022, 1, 1))
    client.force_login(partnership_facilitator)
    url = audit.get_absolute_url()
    client.get(url)
    # session, user, audit with its area, memberships, findings, their actions, action owners
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [1, 5])
def test_audit_list_queries_do_not_grow(client, world, partnership_facilitator, count, django_assert_num_queries):
    for n in range(count):
        audits.record_audit(
            area=world.safeguarding,
            by=partnership_facilitator,
            title=f"Audit {n}",
            audited_on=datetime.date(2021, 10, 1),
            auditor="QA",
            sample_size=10,
            grading="good",
        )
    client.force_login(partnership_facilitator)
    url = reverse("audit_list", args=["safeguarding"])
    client.get(url)
    # session, user, area, memberships, audits with their findings counted
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["audit_create", "audit_edit", "audit_finding_add"])
def test_form_pages_queries(client, audit, partnership_facilitator, name, django_assert_num_queries):
    url, _ = audit_urls(audit)[name]
    client.force_login(partnership_facilitator)
    client.get(url)
    # session, user, area (or audit with its area), memberships
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200


def test_the_audit_page_marks_an_overdue_action_as_the_session_findings_page_does(
    client, world, audit, audit_finding, settings
):
    settings.CHALLENGE_TODAY = datetime.date(2022, 2, 1)
    late = services.add_action(
        finding=audit_finding, description="Late template", owner=world.lead, due_date=datetime.date(2022, 1, 31)
    )
    services.add_action(
        finding=audit_finding, description="Done in time", owner=world.lead, due_date=datetime.date(2022, 3, 31)
    )
    client.force_login(world.officer)
    page = client.get(reverse("audit_detail", args=[audit.pk])).content.decode()
    rows = re.findall(r"<tr[^>]*>.*?</tr>", page, re.S)
    (overdue,) = [row for row in rows if "Overdue" in row]
    assert late.description in overdue and 'class="table-danger"' in overdue
    Action.objects.filter(pk=late.pk).update(status=Action.Status.DONE)
    page = client.get(reverse("audit_detail", args=[audit.pk])).content.decode()
    assert "Overdue" not in page
