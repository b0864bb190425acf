"""Findings, actions, self-evaluations and their PDFs."""

import datetime
import io
import socket

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from evaluations import services as evaluation_services
from evaluations.models import AreaSelfEvaluationBuild, SelfEvaluation
from evaluations.pdf import html_to_pdf, make_fetcher
from findings import services
from findings.models import Action, Finding, FindingVersion
from tests import factories as f
from tests.conflict_box import conflict_box
from tests.evaluations.drafts import download_draft_pdf
from workspace import services as ws


def pdf_text(data: bytes) -> str:
    """The PDF's text with every run of white space made one space (tables wrap lines)."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def test_action_records_owner_organisation_and_is_overdue(filled):
    assert filled.action.owner_partner == filled.council
    assert filled.action.is_overdue(datetime.date(2009, 5, 6))
    services.set_action_status(action=filled.action, status="done")
    assert not filled.action.is_overdue(datetime.date(2009, 5, 6))


def test_evidence_must_come_from_the_session_and_area(filled):
    other = f.session(filled.programme, areas=[filled.safer_city], title="Other", date=datetime.date(2009, 6, 2))
    with pytest.raises(Exception) as exc:
        services.record_finding(
            session=other,
            area=filled.safer_city,
            by=filled.facilitator,
            kind="risk",
            title="x",
            text="y",
            evidence_answers=[filled.answer],
        )
    assert "Evidence must come from this session and area" in str(exc.value)


def test_facilitator_records_a_finding_with_new_themes_in_the_browser_form(client, filled):
    client.force_login(filled.facilitator)
    url = reverse("session_findings", args=[filled.session.pk, filled.safeguarding.pk])
    response = client.post(
        url,
        {
            "kind": "red_flag",
            "title": "Pace of delivery",
            "text": "Slipping.",
            "new_themes": "Pace of delivery, Governance",
            "evidence_comments": [filled.thread.pk],
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get(title="Pace of delivery")
    assert sorted(t.name for t in finding.themes.all()) == ["Governance", "Pace of delivery"]
    assert list(finding.evidence_comments.all()) == [filled.thread]
    response = client.post(url, {"kind": "", "title": "", "text": "Kept text"})
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == ["This field is required."]
    assert "Kept text" in response.content.decode()


def test_findings_page_shows_flags_first_and_overdue_actions(client, filled):
    services.record_finding(
        session=filled.session,
        area=filled.safeguarding,
        by=filled.facilitator,
        kind="strength",
        title="Strong LSCB",
        text="x",
    )
    client.force_login(filled.officer)
    html = client.get(reverse("session_findings", args=[filled.session.pk, filled.safeguarding.pk])).content.decode()
    assert html.index("Multi-agency referral hub") < html.index("Strong LSCB")
    assert "Overdue" in html
    assert "Record a finding" not in html


def test_emerging_findings_by_area_kind_and_theme(client, filled):
    client.force_login(filled.reviewer)
    response = client.get(reverse("emerging_findings", args=["caa-2009"]))
    emerging = response.context["emerging"]
    assert [finding.title for finding in emerging.flags] == ["Multi-agency referral hub"]
    assert emerging.counts["Green flag"] == 1 and emerging.counts["Red flag"] == 0
    assert [(theme.name, [finding.title for finding in items]) for theme, items in emerging.by_theme] == [
        ("Governance", ["Multi-agency referral hub"])
    ]
    assert emerging.action_counts["overdue"] == 1
    assert "1 overdue" in response.content.decode()


def test_emerging_findings_count_them_all_and_list_the_first_three(client, filled):
    """Every heading counts all its findings and lists the first three, in their order (all of
    them when asked); the actions are counted over every finding, listed or not."""
    risks = [
        services.record_finding(
            session=filled.session,
            area=filled.safeguarding,
            by=filled.facilitator,
            kind="risk",
            title=f"Risk {n}",
            text="What the session found.",
            themes=[filled.theme],
        )
        for n in range(5)
    ]
    # Overdue on the last risk, which no heading lists; done on the first.
    services.add_action(finding=risks[-1], description="Late", owner=filled.lead, due_date=datetime.date(2009, 5, 2))
    done = services.add_action(
        finding=risks[0], description="Done", owner=filled.lead, due_date=datetime.date(2009, 5, 2)
    )
    services.set_action_status(action=done, status="done")
    client.force_login(filled.reviewer)
    url = reverse("emerging_findings", args=["caa-2009"])

    def titles(found):
        return [finding.title for finding in found]

    response = client.get(url)
    emerging = response.context["emerging"]
    [(theme, governance)] = emerging.by_theme
    [(area, safeguarding)] = emerging.by_area
    kinds = dict(emerging.by_kind)
    assert (theme, area) == (filled.theme, filled.safeguarding)
    first = ["Multi-agency referral hub", "Risk 0", "Risk 1"]
    assert titles(governance) == titles(safeguarding) == first
    assert len(governance) == len(safeguarding) == 6 and governance.more == safeguarding.more == 3
    assert titles(kinds[Finding.Kind.RISK]) == ["Risk 0", "Risk 1", "Risk 2"] and len(kinds[Finding.Kind.RISK]) == 5
    assert emerging.counts["Risk"] == 5 and emerging.counts["Green flag"] == 1
    assert (emerging.action_counts["total"], emerging.action_counts["overdue"], emerging.action_counts["done"]) == (
        3,
        2,
        1,
    )
    html = response.content.decode()
    assert html.count("3 more findings: show all 6") == 2 and "2 more findings: show all 5" in html
    by_area = html[html.index('id="area-heading"') : html.index('id="kind-heading"')]
    assert by_area.count("action overdue") == 1  # the hub's; the late risk is not listed

    every = client.get(url + f"?all=theme-{filled.theme.pk}").context["emerging"]
    assert titles(every.by_theme[0][1]) == ["Multi-agency referral hub"] + [f"Risk {n}" for n in range(5)]
    assert titles(every.by_area[0][1]) == first  # the other headings stay collapsed
    html = client.get(url + f"?all=area-{filled.safeguarding.pk}").content.decode()
    by_area = html[html.index('id="area-heading"') : html.index('id="kind-heading"')]
    assert by_area.count("action overdue") == 2 and "Risk 4" in by_area and "more findings" not in by_area


def test_pdf_contains_what_was_entered_and_page_numbers(filled):
    from evaluations.pdf import self_evaluation_pdf

    text = pdf_text(self_evaluation_pdf(filled.se))
    for expected in [
        "Safeguarding children: mini self-evaluation",
        "Referrals to children's social care rose by a fifth.",
        "How do you know the rise is not just better recording?",
        "The audit of 200 cases in March says so.",
        "Multi-agency referral hub",
        "Write up the hub for the Audit Commission",
        "overdue",
        "Likelihood 3 of 5, scale 4 of 5",
        "Page 1 of",
        "DRAFT",
    ]:
        assert expected in text, expected
    pages = PdfReader(io.BytesIO(self_evaluation_pdf(filled.se))).pages
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1].extract_text()


def test_pdf_is_tagged_with_title_and_language(filled):
    from evaluations.pdf import self_evaluation_pdf

    reader = PdfReader(io.BytesIO(self_evaluation_pdf(filled.se)))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]).lower().startswith("en")
    assert reader.metadata.title == "Safeguarding children: mini self-evaluation"


def test_finalise_stores_the_pdf_and_downloads_never_change(client, filled):
    evaluation_services.finalise(self_evaluation=filled.se, by=filled.facilitator)
    filled.se.refresh_from_db()
    assert filled.se.status == "final" and filled.se.finalised_by == filled.facilitator
    client.force_login(filled.officer)
    url = reverse("self_evaluation_pdf", args=[filled.se.pk])
    first = client.get(url).content
    assert SelfEvaluation.digest(first) == filled.se.pdf_sha256
    text = pdf_text(first)
    assert "DRAFT" not in text
    assert "Finalised by" in text and "Ruth Mellor" in text
    # Edit everything the PDF shows; the final download does not change.
    ws.save_answer(
        session=filled.session,
        area=filled.safeguarding,
        question=filled.answer.question,
        by=filled.lead,
        expected_revision=filled.answer.revision,
        text="Rewritten later.",
        likelihood=5,
    )
    filled.finding.title = "Renamed"
    filled.finding.save()
    assert client.get(url).content == first
    page = client.get(reverse("self_evaluation", args=[filled.se.pk])).content.decode()
    assert filled.se.pdf_sha256 in page


def test_final_cannot_be_edited_and_reopening_keeps_version_one(client, filled):
    evaluation_services.finalise(self_evaluation=filled.se, by=filled.facilitator)
    v1 = SelfEvaluation.objects.get(pk=filled.se.pk)
    client.force_login(filled.facilitator)
    response = client.post(
        reverse("self_evaluation_texts", args=[v1.pk]),
        {"introduction": "x", "conclusion": "y", "revision": v1.revision},
    )
    assert response.status_code == 403
    response = client.post(reverse("self_evaluation_action", args=[v1.pk, "reopen"]))
    v2 = SelfEvaluation.objects.get(area=filled.safeguarding, version=2)
    assert response["Location"] == v2.get_absolute_url()
    assert v2.status == "draft"
    assert bytes(SelfEvaluation.objects.get(pk=v1.pk).pdf) == bytes(v1.pdf)
    assert client.get(reverse("self_evaluation_pdf", args=[v1.pk])).content == bytes(v1.pdf)
    v2_pdf = download_draft_pdf(client, reverse("self_evaluation_pdf", args=[v2.pk])).content
    assert "DRAFT" in pdf_text(v2_pdf)
    docs = client.get(reverse("documents", args=["caa-2009"]))
    row = next(r for r in docs.context["rows"] if r["area"] == filled.safeguarding)
    assert row["latest"] == v2 and list(row["older"]) == [v1]


def test_circulate_emails_partners_and_takes_comments(client, filled, django_capture_on_commit_callbacks):
    filled.police.contact_email = "partnership@gmp.example"
    filled.police.save()
    client.force_login(filled.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("self_evaluation_action", args=[filled.se.pk, "circulate"]))
    to_partners = [m for m in mail.outbox if m.subject.startswith("For comment:")]  # not the people's notices
    assert [m.to for m in to_partners] == [["partnership@gmp.example"]]
    assert f"/self-evaluations/{filled.se.pk}/" in to_partners[0].body
    client.force_login(filled.reviewer)
    response = client.post(reverse("self_evaluation_comment", args=[filled.se.pk]), {"text": "Say more on pace."})
    assert response.status_code == 302
    assert filled.se.draft_comments.get().text == "Say more on pace."


def test_texts_conflict_keeps_both(client, filled):
    evaluation_services.update_texts(
        self_evaluation=filled.se, expected_revision=filled.se.revision, introduction="Theirs", conclusion=""
    )
    client.force_login(filled.lead)
    response = client.post(
        reverse("self_evaluation_texts", args=[filled.se.pk]),
        {"introduction": "Mine", "conclusion": "", "revision": filled.se.revision},
    )
    html = response.content.decode()
    box = conflict_box(html)
    assert box.heading == "This self-evaluation changed while you were editing it"
    assert box.saved == [("Introduction", "Theirs"), ("Conclusion", "—")]  # nothing saved there yet
    assert "Theirs" in html and "Mine</textarea>" in html
    assert SelfEvaluation.objects.get(pk=filled.se.pk).introduction == "Theirs"


INJECTION = 'Look: <img src="http://127.0.0.1:9/tracker.png"> <script>alert(1)</script>'


def test_user_html_is_text_in_page_and_pdf_and_causes_no_request(client, filled, monkeypatch):
    ws.post_comment(
        session=filled.session,
        area=filled.safeguarding,
        question=filled.answer.question,
        author=filled.reviewer,
        kind="question",
        text=INJECTION,
    )
    # What the page and the area's record show of what people typed.
    evaluation_services.update_texts(
        self_evaluation=filled.se, expected_revision=filled.se.revision, introduction=INJECTION, conclusion=""
    )
    Finding.objects.filter(pk=filled.finding.pk).update(text=INJECTION)
    client.force_login(filled.facilitator)
    for name in ["self_evaluation", "self_evaluation_record"]:
        page = client.get(reverse(name, args=[filled.se.pk])).content.decode()
        assert "&lt;img src=&quot;http://127.0.0.1:9/tracker.png&quot;&gt;" in page, name
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, name
        assert "<script>alert(1)" not in page, name
    connections = []
    real_connect = socket.socket.connect
    monkeypatch.setattr(
        socket.socket, "connect", lambda self, addr: connections.append(addr) or real_connect(self, addr)
    )
    data = download_draft_pdf(client, reverse("self_evaluation_pdf", args=[filled.se.pk])).content
    assert connections == []
    text = pdf_text(data)
    assert '<img src="http://127.0.0.1:9/tracker.png">' in text
    assert "<script>alert(1)</script>" in text


def test_fetcher_serves_static_files_and_refuses_everything_else(monkeypatch):
    connections = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, addr: connections.append(addr))
    fetcher = make_fetcher()
    html = (
        '<html lang="en"><head><title>t</title><link rel="stylesheet" href="css/pdf.css"></head><body>'
        '<img src="http://127.0.0.1:9/x.png" alt="x"><img src="file:///etc/passwd" alt="y">'
        '<img src="../../../etc/passwd" alt="z"><p>Hi</p></body></html>'
    )
    html_to_pdf(html, title="t", fetcher=fetcher)
    assert connections == []
    assert "http://127.0.0.1:9/x.png" in fetcher.refused
    assert "file:///etc/passwd" in fetcher.refused
    assert not any(u.endswith("css/pdf.css") for u in fetcher.refused)


def test_area_self_evaluation_builds_in_the_background(client, filled, django_capture_on_commit_callbacks):
    client.force_login(filled.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("area_build_start", args=["caa-2009"]))
    build = AreaSelfEvaluationBuild.objects.get()
    assert (build.status, build.progress) == ("ready", 100)
    client.force_login(filled.officer)
    status = client.get(reverse("area_build_status", args=[build.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Download the area self-evaluation" in status and "hx-trigger" not in status
    text = pdf_text(client.get(reverse("area_build_pdf", args=[build.pk])).content)
    assert "Executive summary" in text and "Multi-agency referral hub" in text
    assert "Safer city" in text and "Health inequalities" in text


def test_build_in_progress_polls(client, filled):
    build = AreaSelfEvaluationBuild.objects.create(
        programme=filled.programme,
        requested_by=filled.facilitator,
        status="running",
        progress=40,
        step="Compiling Safer city",
    )
    client.force_login(filled.facilitator)
    html = client.get(reverse("documents", args=["caa-2009"])).content.decode()
    assert 'data-hx-trigger="every 2s"' in html and "Compiling Safer city" in html and 'aria-valuenow="40"' in html
    assert client.get(reverse("area_build_pdf", args=[build.pk])).status_code == 404


def test_late_drafts_stand_out(client, filled, settings):
    settings.CHALLENGE_TODAY = datetime.date(2009, 6, 20)
    client.force_login(filled.officer)
    docs = client.get(reverse("documents", args=["caa-2009"]))
    row = next(r for r in docs.context["rows"] if r["area"] == filled.safeguarding)
    assert row["late"]
    assert "Late" in docs.content.decode()
    se_page = client.get(reverse("self_evaluation", args=[filled.se.pk])).content.decode()
    assert "Late: due 15 June 2009" in se_page


# --- Access -------------------------------------------------------------------------------


def _urls(w):
    se = w.se
    return [
        ("GET", reverse("session_findings", args=[w.session.pk, w.safeguarding.pk]), "read"),
        ("POST", reverse("session_findings", args=[w.session.pk, w.safeguarding.pk]), "manage"),
        ("POST", reverse("action_add", args=[w.finding.pk]), "manage"),
        ("GET", reverse("finding_edit", args=[w.finding.pk]), "manage"),
        ("POST", reverse("finding_edit", args=[w.finding.pk]), "manage"),
        ("GET", reverse("finding_withdraw", args=[w.finding.pk]), "manage"),
        ("POST", reverse("finding_withdraw", args=[w.finding.pk]), "manage"),
        ("POST", reverse("finding_restore", args=[w.finding.pk]), "manage"),
        ("GET", reverse("finding_history", args=[w.finding.pk]), "read"),
        ("POST", reverse("action_status", args=[w.action.pk]), "owner"),
        ("GET", reverse("action_tracker", args=["caa-2009"]), "read"),
        ("GET", reverse("action_tracker_csv", args=["caa-2009"]), "read"),
        ("GET", reverse("action_page", args=[w.action.pk]), "read"),
        ("POST", reverse("action_page", args=[w.action.pk]), "owner"),
        ("GET", reverse("emerging_findings", args=["caa-2009"]), "read"),
        ("GET", reverse("documents", args=["caa-2009"]), "read"),
        ("POST", reverse("self_evaluation_start", args=["caa-2009", w.safer_city.pk]), "manage"),
        ("GET", reverse("self_evaluation", args=[se.pk]), "read"),
        ("GET", reverse("self_evaluation_record", args=[se.pk]), "read"),
        ("GET", reverse("self_evaluation_pdf", args=[se.pk]), "read"),
        ("POST", reverse("self_evaluation_texts", args=[se.pk]), "write"),
        ("POST", reverse("self_evaluation_comment", args=[se.pk]), "comment"),
        ("POST", reverse("self_evaluation_action", args=[se.pk, "circulate"]), "manage"),
        ("GET", reverse("self_evaluation_action", args=[se.pk, "finalise"]), "manage"),
        ("POST", reverse("self_evaluation_action", args=[se.pk, "finalise"]), "manage"),
        ("POST", reverse("area_build_start", args=["caa-2009"]), "manage"),
    ]


@pytest.mark.parametrize("who", ["facilitator", "lead", "reviewer", "officer", "outsider", "anonymous"])
def test_access_matrix(client, filled, who):
    if who != "anonymous":
        client.force_login(getattr(filled, who))
    for method, url, level in _urls(filled):
        response = client.get(url) if method == "GET" else client.post(url, {})
        if who == "anonymous":
            expected = {302}
        elif who == "outsider":
            expected = {403}
        elif level == "read" or who == "facilitator" or level == "write" and who == "lead":
            expected = {200, 202, 302}  # 202: a draft's PDF asked of the worker
        elif level == "comment" and who in ("lead", "reviewer"):
            expected = {200, 302}  # officers read and change nothing
        elif level == "owner" and who == "lead":
            expected = {200, 302}  # the action's owner updates its progress
        else:
            expected = {403}
        assert response.status_code in expected, (who, method, url, response.status_code)
        if who == "anonymous":
            assert response["Location"].startswith("/accounts/login/")
    # Refused writes changed nothing.
    if who not in ("facilitator",):
        se = SelfEvaluation.objects.get(pk=filled.se.pk)
        assert se.status == "draft"
        assert not AreaSelfEvaluationBuild.objects.exists()
        assert Action.objects.get().status == "not_started"
        assert not se.draft_comments.exists()
        assert not FindingVersion.objects.exclude(action="created").exists()


def test_wrong_methods(client, filled):
    client.force_login(filled.facilitator)
    both = {url for method, url, _ in _urls(filled) if method == "GET"} & {
        url for method, url, _ in _urls(filled) if method == "POST"
    }  # a form's page: shown and sent at the one address
    for method, url, _ in _urls(filled):
        assert client.delete(url).status_code == 405, url
        if method == "POST" and url not in both:
            assert client.get(url).status_code == 405, url
        if method == "GET" and url not in both:
            assert client.post(url).status_code == 405, url


def test_outsider_cannot_see_builds(client, filled):
    build = AreaSelfEvaluationBuild.objects.create(
        programme=filled.programme, requested_by=filled.facilitator, status="ready", pdf=b"%PDF", pdf_sha256="x"
    )
    client.force_login(filled.outsider)
    assert client.get(reverse("area_build_status", args=[build.pk])).status_code == 403
    assert client.get(reverse("area_build_pdf", args=[build.pk])).status_code == 403


@pytest.mark.parametrize("name", ["documents", "emerging_findings"])
def test_programme_pages_queries_do_not_grow(client, filled, name, django_assert_max_num_queries):
    client.force_login(filled.officer)
    url = reverse(name, args=["caa-2009"])

    def grow(n):
        for i in range(n):
            fnd = services.record_finding(
                session=filled.session,
                area=filled.safeguarding,
                by=filled.facilitator,
                kind="risk",
                title=f"Risk {i}",
                text="t",
                themes=[filled.theme],
            )
            services.add_action(finding=fnd, description="a", owner=filled.lead, due_date=datetime.date(2009, 7, 1))
            area = f.area(filled.police, slug=f"extra-{name}-{i}-{fnd.pk}")
            filled.programme.areas.add(area)
            SelfEvaluation.objects.create(programme=filled.programme, area=area)

    grow(1)
    with django_assert_max_num_queries(25) as few:
        client.get(url)
    grow(10)
    with django_assert_max_num_queries(25) as many:
        client.get(url)
    assert len(few) == len(many)


def test_dashboard_makes_overdue_actions_obvious(client, filled):
    client.force_login(filled.facilitator)
    html = client.get(reverse("programme_dashboard", args=["caa-2009"])).content.decode()
    assert "1 improvement action overdue" in html
    services.set_action_status(action=filled.action, status="done")
    html = client.get(reverse("programme_dashboard", args=["caa-2009"])).content.decode()
    assert "improvement action overdue" not in html


def test_build_page_without_javascript_shows_progress_and_a_refresh_link(client, filled):
    build = AreaSelfEvaluationBuild.objects.create(
        programme=filled.programme, requested_by=filled.facilitator, status="queued"
    )
    client.force_login(filled.officer)  # it holds every area: officers and facilitators read it
    html = client.get(reverse("area_build_status", args=[build.pk])).content.decode()
    assert "<h1>Area self-evaluation</h1>" in html
    assert "Waiting for the worker" in html and f'href="/builds/{build.pk}/">Refresh' in html
