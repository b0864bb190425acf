"""A finding after it is recorded: edited and withdrawn by the facilitators in the app, with its
history, restored; a withdrawn finding leaves the emerging findings, the PDF and the counts; a
withdrawn comment a finding cites shows as withdrawn there."""

import pytest
from django.urls import reverse

from evaluations import services as evaluation_services
from evaluations.pdf import self_evaluation_html
from findings import selectors, services
from findings.models import Action, FindingVersion
from workspace import services as ws


def _page(w):
    return reverse("session_findings", args=[w.session.pk, w.safeguarding.pk])


def _history(finding):
    return list(FindingVersion.objects.filter(finding=finding).order_by("at", "pk").values_list("action", "changed"))


def _drop_actions(w):
    Action.objects.filter(finding=w.finding).update(status=Action.Status.DROPPED)


def test_the_facilitator_edits_a_finding_and_its_history_says_what_changed(client, filled):
    w = filled
    client.force_login(w.facilitator)
    url = reverse("finding_edit", args=[w.finding.pk])
    assert f'href="{url}"' in client.get(_page(w)).content.decode()
    form = client.get(url).context["form"]
    assert form["title"].value() == "Multi-agency referral hub"
    data = {
        "kind": "strength",
        "title": "A referral hub others copy",
        "text": "Others could learn from it.",
        "themes": [],
        "evidence_answers": [str(w.answer.pk)],
        "evidence_comments": [str(w.thread.pk)],
        "revision": w.finding.revision,
    }
    response = client.post(url, data)
    assert response.url == _page(w) + f"#finding-{w.finding.pk}"
    w.finding.refresh_from_db()
    assert (w.finding.kind, w.finding.title, list(w.finding.themes.all())) == ("strength", data["title"], [])
    assert _history(w.finding) == [("created", ""), ("edited", "kind, title, themes")]
    history = client.get(reverse("finding_history", args=[w.finding.pk])).content.decode()
    assert "Edited</strong>\n      by Ruth Mellor" in history and "changed kind, title, themes" in history
    assert "Multi-agency referral hub" in history  # what it said when recorded


def test_an_edit_from_a_stale_form_is_refused_with_what_was_typed(client, filled):
    w = filled
    client.force_login(w.facilitator)
    url = reverse("finding_edit", args=[w.finding.pk])
    services.update_finding(
        finding=w.finding,
        by=w.facilitator,
        expected_revision=w.finding.revision,
        kind="green_flag",
        title="Saved first",
        text="Others could learn from it.",
    )
    response = client.post(
        url, {"kind": "green_flag", "title": "Typed second", "text": "Mine", "revision": w.finding.revision}
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "This finding changed while you were editing it" in html and "Saved first" in html
    assert 'value="Typed second"' in html
    w.finding.refresh_from_db()
    assert w.finding.title == "Saved first"


def test_a_withdrawn_comment_stays_cited_and_shows_as_withdrawn(client, filled):
    w = filled
    ws.withdraw_comment(comment=w.thread, by=w.reviewer)
    client.force_login(w.lead)
    assert "Withdrawn</span> by the author on" in client.get(_page(w)).content.decode()
    se = evaluation_services.current_self_evaluation(programme=w.programme, area=w.safeguarding)
    assert "challenge from Paul Hargreaves (withdrawn by the author)" in " ".join(self_evaluation_html(se).split())
    # Editing the finding offers it still, ticked, and saving keeps it.
    client.force_login(w.facilitator)
    url = reverse("finding_edit", args=[w.finding.pk])
    html = client.get(url).content.decode()
    assert "Challenge from Paul Hargreaves (withdrawn by the author)" in html
    assert "How do you know" not in html  # its text is withdrawn
    form = client.get(url).context["form"]
    assert form["evidence_comments"].value() == [str(w.thread.pk)]
    client.post(
        url,
        {
            "kind": "green_flag",
            "title": "Multi-agency referral hub",
            "text": "Others could learn from it, says the audit.",
            "themes": [w.theme.pk],
            "evidence_answers": [str(w.answer.pk)],
            "evidence_comments": [str(w.thread.pk)],
            "revision": w.finding.revision,
        },
    )
    assert list(w.finding.evidence_comments.all()) == [w.thread]
    assert _history(w.finding)[-1] == ("edited", "text")


def test_withdrawing_asks_first_and_a_stray_post_changes_nothing(client, filled):
    w = filled
    _drop_actions(w)
    client.force_login(w.facilitator)
    url = reverse("finding_withdraw", args=[w.finding.pk])
    assert f'href="{url}"' in client.get(_page(w)).content.decode()
    html = client.get(url).content.decode()
    assert "<h1>Withdraw the finding?</h1>" in html and "you can restore it" in html
    assert '<input type="hidden" name="confirmed" value="1">' in html
    assert client.post(url, {"revision": w.finding.revision}).url == url
    w.finding.refresh_from_db()
    assert not w.finding.is_withdrawn


def test_a_finding_with_open_actions_is_not_withdrawn(client, filled):
    w = filled
    client.force_login(w.facilitator)
    url = reverse("finding_withdraw", args=[w.finding.pk])
    html = client.get(url).content.decode()
    assert "It has 1 open improvement action" in html and "marking it dropped" in html
    response = client.post(url, {"confirmed": "1", "revision": w.finding.revision})
    assert "This finding has 1 open action: mark it done or dropped first." in response.content.decode()
    w.finding.refresh_from_db()
    assert not w.finding.is_withdrawn


def test_a_withdrawn_finding_is_hidden_everywhere_but_its_page_and_can_be_restored(client, filled):
    w = filled
    _drop_actions(w)
    client.force_login(w.facilitator)
    response = client.post(
        reverse("finding_withdraw", args=[w.finding.pk]),
        {"confirmed": "1", "revision": w.finding.revision, "reason": "Recorded twice"},
    )
    assert response.url == _page(w) + f"#finding-{w.finding.pk}"
    w.finding.refresh_from_db()
    assert w.finding.is_withdrawn and w.finding.withdrawn_by == w.facilitator
    # The facilitators see it struck through, saying so, with the reason and a Restore button.
    html = client.get(_page(w)).content.decode()
    assert 'finding-withdrawn"' in html and '<span class="status status-withdrawn">Withdrawn</span>' in html
    assert "Recorded twice" in html and reverse("finding_restore", args=[w.finding.pk]) in html
    assert reverse("action_add", args=[w.finding.pk]) not in html
    # Nobody else sees it; it leaves the emerging findings, their counts, and the PDF.
    emerging = selectors.emerging_findings(w.programme)
    assert emerging.counts["Green flag"] == 0 and emerging.action_counts.get("total", 0) == 0
    se = evaluation_services.current_self_evaluation(programme=w.programme, area=w.safeguarding)
    assert "Multi-agency referral hub" not in self_evaluation_html(se)
    client.force_login(w.lead)
    assert "Multi-agency referral hub" not in client.get(_page(w)).content.decode()
    emerging_page = client.get(reverse("emerging_findings", args=["caa-2009"])).content.decode()
    assert "Multi-agency referral hub" not in emerging_page
    assert client.get(reverse("finding_history", args=[w.finding.pk])).status_code == 404
    # Restored, it counts again; its history has every step.
    client.force_login(w.facilitator)
    client.post(reverse("finding_restore", args=[w.finding.pk]))
    assert selectors.emerging_findings(w.programme).counts["Green flag"] == 1
    assert [action for action, _ in _history(w.finding)] == ["created", "withdrawn", "restored"]
    history = client.get(reverse("finding_history", args=[w.finding.pk])).content.decode()
    assert "Why: Recorded twice" in history and "Restored</strong>" in history


@pytest.mark.parametrize("name", ["finding_edit", "finding_withdraw", "finding_history"])
def test_finding_pages_need_signing_in(client, filled, name):
    response = client.get(reverse(name, args=[filled.finding.pk]))
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["lead", "reviewer", "officer", "outsider"])
def test_only_the_facilitator_edits_withdraws_or_restores(client, filled, who):
    """Refused (403) to the rest of the partnership; another partnership's people get a 404
    (tests/programmes/test_partnerships.py)."""
    w = filled
    _drop_actions(w)
    client.force_login(getattr(w, who))
    for name in ("finding_edit", "finding_withdraw"):
        assert client.get(reverse(name, args=[w.finding.pk])).status_code == 403
    data = {"confirmed": "1", "revision": w.finding.revision, "title": "Mine", "kind": "risk", "text": "x"}
    for name in ("finding_edit", "finding_withdraw", "finding_restore"):
        assert client.post(reverse(name, args=[w.finding.pk]), data).status_code == 403
    w.finding.refresh_from_db()
    assert not w.finding.is_withdrawn and w.finding.title == "Multi-agency referral hub"
    assert _history(w.finding) == [("created", "")]


def test_an_action_is_withdrawn_by_dropping_it_and_its_page_says_so(client, filled):
    client.force_login(filled.facilitator)
    html = client.get(reverse("action_page", args=[filled.action.pk])).content.decode()
    assert "To withdraw the action, set its status to “Dropped”" in html
