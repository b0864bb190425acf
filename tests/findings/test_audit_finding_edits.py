"""An assurance audit's finding after it is recorded: edited, withdrawn and restored by the
partnership's facilitators on the same pages as a session's finding (findings/edit_views.py),
with the same revision check and history, each sent back to the audit's page; its officers
read its history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from findings import services
from findings.models import Action, Finding, FindingVersion, Theme
from tests import factories as f
from tests.conflict_box import conflict_box, expected_message

pytestmark = pytest.mark.django_db

PAGES = ("finding_edit", "finding_withdraw", "finding_history")


def _history(finding):
    return list(FindingVersion.objects.filter(finding=finding).order_by("at", "pk").values_list("action", "changed"))


def _back(finding):
    return reverse("audit_detail", args=[finding.audit_id]) + f"#finding-{finding.pk}"


def _edit_data(finding, **kw):
    data = {"kind": "risk", "title": "Plans miss the child's voice", "text": finding.text, "revision": finding.revision}
    data.update(kw)
    return data


def _withdraw(finding, by, reason=""):
    return services.withdraw_finding(finding=finding, by=by, expected_revision=finding.revision, reason=reason)


def test_the_audit_page_links_each_finding_to_its_edit_withdraw_and_history(
    client, audit_finding, partnership_facilitator
):
    client.force_login(partnership_facilitator)
    html = client.get(audit_finding.audit.get_absolute_url()).content.decode()
    for name in PAGES:
        assert f'href="{reverse(name, args=[audit_finding.pk])}"' in html


def test_a_partnership_facilitator_edits_an_audit_finding_and_its_history_says_what_changed(
    client, world, audit_finding, partnership_facilitator
):
    client.force_login(partnership_facilitator)
    url = reverse("finding_edit", args=[audit_finding.pk])
    response = client.get(url)
    form = response.context["form"]
    assert form["title"].value() == "The child's voice is missing"
    # An audit's finding has no themes nor evidence from a session to rest on.
    assert set(form.fields) == {"kind", "title", "text", "revision"}
    html = response.content.decode()
    assert f'href="{_back(audit_finding)}">Back without saving' in html
    assert f'<a href="{audit_finding.audit.get_absolute_url()}">Child protection plans</a>' in html
    response = client.post(url, _edit_data(audit_finding))
    assert response.status_code == 302 and response.url == _back(audit_finding)
    audit_finding.refresh_from_db()
    assert (audit_finding.kind, audit_finding.title, audit_finding.revision) == (
        "risk",
        _edit_data(audit_finding)["title"],
        2,
    )
    assert audit_finding.session is None and audit_finding.audit is not None
    assert _history(audit_finding) == [("created", ""), ("edited", "kind, title")]
    history = client.get(reverse("finding_history", args=[audit_finding.pk])).content.decode()
    assert "Edited</strong>\n      by Sam Setup" in history and "changed kind, title" in history
    assert "The child&#x27;s voice is missing" in history  # what it said when recorded
    # Its officers read the history from the audit's page, and edit nothing.
    client.force_login(world.officer)
    page = client.get(audit_finding.audit.get_absolute_url()).content.decode()
    assert f'href="{reverse("finding_history", args=[audit_finding.pk])}">Edited: its history' in page
    assert reverse("finding_edit", args=[audit_finding.pk]) not in page


def test_saving_an_unchanged_audit_finding_records_nothing(client, audit_finding, partnership_facilitator):
    client.force_login(partnership_facilitator)
    data = _edit_data(audit_finding, kind=audit_finding.kind, title=audit_finding.title)
    response = client.post(reverse("finding_edit", args=[audit_finding.pk]), data)
    assert response.url == _back(audit_finding)
    assert _history(audit_finding) == [("created", "")]


def test_a_bad_edit_keeps_what_was_typed(client, audit_finding, partnership_facilitator):
    client.force_login(partnership_facilitator)
    data = _edit_data(audit_finding, title="", text="My new words")
    response = client.post(reverse("finding_edit", args=[audit_finding.pk]), data)
    assert response.status_code == 200 and "title" in response.context["form"].errors
    assert "My new words</textarea>" in response.content.decode()
    audit_finding.refresh_from_db()
    assert audit_finding.title == "The child's voice is missing"


def test_a_stale_edit_of_an_audit_finding_is_refused_with_the_conflict_box(
    client, world, audit_finding, partnership_facilitator
):
    colleague = f.person(world.council, "second", first_name="Colin", last_name="Second", is_facilitator=True)
    opened_at = audit_finding.revision
    saved = services.update_finding(
        finding=audit_finding,
        by=colleague,
        expected_revision=opened_at,
        kind="improvement",
        title="Saved first",
        text="The colleague's words.",
    )
    client.force_login(partnership_facilitator)
    response = client.post(
        reverse("finding_edit", args=[audit_finding.pk]),
        _edit_data(audit_finding, title="Typed second", text="My words", revision=opened_at),
    )
    assert response.status_code == 409
    html = response.content.decode()
    box = conflict_box(html)
    assert box.heading == "This finding changed while you were editing it"
    assert box.paragraphs[0] == expected_message("Colin Second", saved.versions.first().at)
    assert box.saved == [
        ("Kind", "Area for improvement"),
        ("Title", "Saved first"),
        ("The finding", "The colleague's words."),
    ]
    assert 'value="Typed second"' in html and "My words</textarea>" in html
    assert f'name="revision" value="{saved.revision}"' in html
    audit_finding.refresh_from_db()
    assert audit_finding.title == "Saved first"
    assert _history(audit_finding) == [("created", ""), ("edited", "title, text")]


def test_an_audit_finding_takes_no_themes_nor_evidence(world, audit_finding, partnership_facilitator):
    theme = Theme.objects.create(programme=world.programme, name="Governance")
    with pytest.raises(ValidationError):
        services.update_finding(
            finding=audit_finding,
            by=partnership_facilitator,
            expected_revision=audit_finding.revision,
            kind=audit_finding.kind,
            title=audit_finding.title,
            text=audit_finding.text,
            themes=[theme],
        )
    assert not audit_finding.themes.exists() and _history(audit_finding) == [("created", "")]


def test_withdrawing_an_audit_finding_asks_first_and_waits_for_its_open_actions(
    client, world, audit_finding, partnership_facilitator
):
    action = services.add_action(
        finding=audit_finding, description="Change the template", owner=world.lead, due_date=datetime.date(2022, 1, 31)
    )
    client.force_login(partnership_facilitator)
    url = reverse("finding_withdraw", args=[audit_finding.pk])
    html = client.get(url).content.decode()
    assert "<h1>Withdraw the finding?</h1>" in html and "restore it from the audit's page" in html
    assert "It has 1 open improvement action" in html and f'href="{_back(audit_finding)}">Keep it' in html
    # A stray post (not from that page) is sent to it; one with open actions is refused.
    assert client.post(url, {"revision": audit_finding.revision}).url == url
    response = client.post(url, {"confirmed": "1", "revision": audit_finding.revision})
    assert "This finding has 1 open action: mark it done or dropped first." in response.content.decode()
    audit_finding.refresh_from_db()
    assert not audit_finding.is_withdrawn
    Action.objects.filter(pk=action.pk).update(status=Action.Status.DONE)
    # Withdrawn from a page opened before someone else's edit: refused.
    stale = audit_finding.revision
    services.update_finding(
        finding=audit_finding, by=partnership_facilitator, expected_revision=stale, kind="risk", title="T", text="T"
    )
    response = client.post(url, {"confirmed": "1", "revision": stale})
    assert response.url == _back(audit_finding)
    audit_finding.refresh_from_db()
    assert not audit_finding.is_withdrawn


def test_a_withdrawn_audit_finding_leaves_the_audit_and_is_restored_from_its_page(
    client, world, audit, audit_finding, partnership_facilitator
):
    client.force_login(partnership_facilitator)
    response = client.post(
        reverse("finding_withdraw", args=[audit_finding.pk]),
        {"confirmed": "1", "revision": audit_finding.revision, "reason": "Recorded twice"},
    )
    assert response.url == _back(audit_finding)
    audit_finding.refresh_from_db()
    assert audit_finding.is_withdrawn and audit_finding.withdrawn_by == partnership_facilitator
    # The facilitators see it struck through, with the reason and a Restore button, and no action form.
    html = client.get(audit.get_absolute_url()).content.decode()
    assert 'finding-withdrawn"' in html and '<span class="status status-withdrawn">Withdrawn</span>' in html
    assert "Recorded twice" in html and reverse("finding_restore", args=[audit_finding.pk]) in html
    assert reverse("action_add", args=[audit_finding.pk]) not in html
    assert reverse("finding_edit", args=[audit_finding.pk]) not in html
    # Its officers no longer see it, nor its history; it leaves the audit's count of findings.
    client.force_login(world.officer)
    assert "The child&#x27;s voice is missing" not in client.get(audit.get_absolute_url()).content.decode()
    assert client.get(reverse("finding_history", args=[audit_finding.pk])).status_code == 404
    listing = client.get(reverse("audit_list", args=["safeguarding"]))
    assert [a.finding_count for a in listing.context["audits"]] == [0]
    # Editing it waits for it to be restored.
    client.force_login(partnership_facilitator)
    response = client.get(reverse("finding_edit", args=[audit_finding.pk]))
    assert response.url == _back(audit_finding)
    # Restored, it counts again; its history has every step.
    response = client.post(reverse("finding_restore", args=[audit_finding.pk]))
    assert response.url == _back(audit_finding)
    audit_finding.refresh_from_db()
    assert not audit_finding.is_withdrawn
    assert [action for action, _ in _history(audit_finding)] == ["created", "withdrawn", "restored"]
    history = client.get(reverse("finding_history", args=[audit_finding.pk])).content.decode()
    assert "Why: Recorded twice" in history and "Restored</strong>" in history
    client.force_login(world.officer)
    assert "The child&#x27;s voice is missing" in client.get(audit.get_absolute_url()).content.decode()


# --- Who may do what -------------------------------------------------------------------------


def _person(request, world, who):
    if who == "partnership_facilitator":
        return request.getfixturevalue(who)
    if who == "other_partnership":
        elsewhere = f.partnership("Southampton", "southampton-audit-edits")
        return f.person(f.partner("Southampton City Council", elsewhere), "stranger", is_facilitator=True)
    return getattr(world, who)


@pytest.mark.parametrize(
    "who, reads, status",
    [
        ("officer", True, 403),  # reads the audit and the finding's history; edits nothing
        ("facilitator", False, 403),  # a programme's facilitator, no role in the partnership
        ("lead", False, 403),
        ("reviewer", False, 403),
        ("other_partnership", False, 404),
    ],
)
def test_only_the_partnership_facilitators_edit_withdraw_or_restore(
    request, client, world, audit_finding, who, reads, status
):
    client.force_login(_person(request, world, who))
    for name in ("finding_edit", "finding_withdraw"):
        assert client.get(reverse(name, args=[audit_finding.pk])).status_code == status
    history = client.get(reverse("finding_history", args=[audit_finding.pk])).status_code
    assert history == (200 if reads else status)
    data = {"confirmed": "1", "revision": audit_finding.revision, "title": "Mine", "kind": "risk", "text": "x"}
    for name in ("finding_edit", "finding_withdraw"):
        assert client.post(reverse(name, args=[audit_finding.pk]), data).status_code == status
    _withdraw(audit_finding, request.getfixturevalue("partnership_facilitator"))
    assert client.post(reverse("finding_restore", args=[audit_finding.pk])).status_code == status
    # A withdrawn finding is not there for those who may not restore it.
    history = client.get(reverse("finding_history", args=[audit_finding.pk])).status_code
    assert history == (404 if reads else status)
    audit_finding.refresh_from_db()
    assert audit_finding.is_withdrawn and audit_finding.title == "The child's voice is missing"
    assert [action for action, _ in _history(audit_finding)] == ["created", "withdrawn"]


@pytest.mark.parametrize("name", [*PAGES, "finding_restore"])
def test_audit_finding_pages_need_signing_in(client, audit_finding, name):
    url = reverse(name, args=[audit_finding.pk])
    response = client.post(url) if name == "finding_restore" else client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Finding.objects.get().revision == 1


# --- What the pages cost ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, who, queries",
    [
        # session, user, the finding with its audit and area, memberships
        ("finding_edit", "partnership_facilitator", 4),
        # ... and its actions
        ("finding_withdraw", "partnership_facilitator", 5),
        # ... and its history with who did each step
        ("finding_history", "partnership_facilitator", 5),
        ("finding_history", "officer", 5),
    ],
)
def test_audit_finding_page_queries(
    request, client, world, audit_finding, name, who, queries, django_assert_num_queries
):
    services.add_action(finding=audit_finding, description="Do", owner=world.lead, due_date=datetime.date(2022, 1, 1))
    client.force_login(_person(request, world, who))
    url = reverse(name, args=[audit_finding.pk])
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


def test_my_work_lists_an_audit_actions_owner_their_action_on_the_audit_page(client, world, audit_finding):
    action = services.add_action(
        finding=audit_finding,
        description="Record the child's words in every plan",
        owner=world.lead,
        due_date=datetime.date(2021, 12, 1),
    )
    client.force_login(world.lead)
    work = client.get(reverse("home"))
    assert [a.pk for a in work.context["work"].actions] == [action.pk]
    audit_page = reverse("audit_detail", args=[audit_finding.audit_id]) + f"#finding-{audit_finding.pk}"
    assert f'href="{audit_page}">Record the child&#x27;s words in every plan</a>' in work.content.decode()
