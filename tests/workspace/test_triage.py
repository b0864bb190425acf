"""Challenge triage (issue 14): all the challenges across a session's areas in one list for
the facilitator, filtered by area and status, marked addressed or unresolved (an unresolved
mark asks for a short reason, shown in the PDF) without scrolling the workspace."""

import pytest
from django.urls import reverse

from evaluations import services as evaluation_services
from evaluations.pdf import self_evaluation_html
from sessions.models import Participant
from tests import factories as f
from workspace import services as ws
from workspace.models import Comment
from workspace.services import UNRESOLVED_NEEDS_A_REASON

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(world):
    """Two areas in the session; challenges on both, one answered, a commendation and a
    withdrawn question (neither to triage)."""
    world.session.areas.add(world.health_inequalities)
    f.participant(world.session, world.fire_reviewer, Participant.Role.REVIEWER)
    questions = list(world.session.question_set.sections.order_by("position")[0].questions.order_by("position"))
    world.q1, world.q2 = questions[0], questions[1]

    def post(area, question, author, kind, text):
        return ws.post_comment(session=world.session, area=area, question=question, author=author, kind=kind, text=text)

    world.first = post(world.safeguarding, world.q1, world.reviewer, "challenge", "Why is this not a 4?")
    ws.reply_to(parent=world.first, author=world.lead, text="Screening is within 24 hours.")
    world.second = post(world.safeguarding, world.q2, world.fire_reviewer, "question", "Where is the fire service?")
    world.health = post(world.health_inequalities, world.q1, world.reviewer, "challenge", "<b>Alcohol</b>?")
    post(world.safeguarding, world.q1, world.fire_reviewer, "commendation", "A clear answer.")
    withdrawn = post(world.safeguarding, world.q2, world.reviewer, "question", "Withdrawn one.")
    ws.withdraw_comment(comment=withdrawn, by=world.reviewer)
    world.url = reverse("challenge_triage", args=[world.session.pk])
    return world


def _listed(response):
    return [thread.text for thread in response.context["threads"]]


def test_the_open_challenges_of_every_area_in_one_list(client, board):
    client.force_login(board.facilitator)
    response = client.get(board.url)
    assert _listed(response) == ["<b>Alcohol</b>?", "Why is this not a 4?", "Where is the fire service?"]
    page = " ".join(response.content.decode().split())
    assert page.count("<h1") == 1 and "3 challenges" in page
    assert "&lt;b&gt;Alcohol&lt;/b&gt;" in page and "<b>Alcohol</b>" not in page
    assert "the latest from Andrew Kenyon" in page and "Screening is within 24 hours." in page
    assert "Open (3)" in page  # the status filter counts
    assert "A clear answer." not in page and "Withdrawn one." not in page


def test_filters_by_area_and_status(client, board):
    client.force_login(board.facilitator)
    ws.set_comment_status(comment=board.second, by=board.facilitator, status="addressed")
    assert _listed(client.get(board.url, {"area": board.health_inequalities.pk})) == ["<b>Alcohol</b>?"]
    assert _listed(client.get(board.url, {"status": "addressed"})) == ["Where is the fire service?"]
    assert len(_listed(client.get(board.url, {"status": "all"}))) == 3
    response = client.get(board.url, {"area": 99999})
    assert len(_listed(response)) == 2 and "This filter was left out" in response.content.decode()


def test_mark_addressed_and_reopen_from_the_list(client, board):
    client.force_login(board.facilitator)
    mark = reverse("challenge_mark", args=[board.session.pk, board.first.pk])
    back = board.url + "?area=" + str(board.safeguarding.pk)
    response = client.post(mark, {"status": "addressed", "back": back})
    assert response.status_code == 302 and response["Location"] == back
    board.first.refresh_from_db()
    assert (board.first.status, board.first.status_by) == ("addressed", board.facilitator)
    assert "Why is this not a 4?" not in _listed(client.get(board.url))
    client.post(mark, {"status": "open", "back": back})
    board.first.refresh_from_db()
    assert board.first.status == "open"
    # Never back to another site.
    response = client.post(mark, {"status": "addressed", "back": "//evil.example/"})
    assert response["Location"] == board.url


def test_unresolved_asks_why_keeps_what_was_typed_and_the_pdf_shows_it(client, board):
    client.force_login(board.facilitator)
    mark = reverse("challenge_mark", args=[board.session.pk, board.first.pk])
    page = client.get(mark, {"status": "unresolved"}).content.decode()
    assert 'value="unresolved"' in page and "checked" in page.split('value="unresolved"')[1][:40]
    response = client.post(mark, {"status": "unresolved", "note": "   "})
    assert response.status_code == 200
    assert UNRESOLVED_NEEDS_A_REASON in response.content.decode()
    board.first.refresh_from_db()
    assert board.first.status == "open"
    response = client.post(mark, {"status": "unresolved", "note": "Not persuaded <i>at all</i>."})
    assert response.status_code == 302
    board.first.refresh_from_db()
    assert (board.first.status, board.first.status_note) == ("unresolved", "Not persuaded <i>at all</i>.")
    self_evaluation = evaluation_services.current_self_evaluation(programme=board.programme, area=board.safeguarding)
    html = self_evaluation_html(self_evaluation)  # what the PDF is rendered from
    assert "Why it stays unresolved:</strong> Not persuaded &lt;i&gt;at all&lt;/i&gt;." in html
    listed = client.get(board.url, {"status": "unresolved"}).content.decode()
    assert "Why it stays unresolved:" in listed and "Not persuaded &lt;i&gt;at all&lt;/i&gt;." in listed
    # Marked anything else, the reason goes.
    client.post(mark, {"status": "addressed"})
    board.first.refresh_from_db()
    assert board.first.status_note == ""


def test_the_workspaces_unresolved_button_asks_why_first(client, board):
    client.force_login(board.facilitator)
    response = client.post(reverse("comment_status", args=[board.first.pk]), {"status": "unresolved"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("challenge_mark", args=[board.session.pk, board.first.pk]))
    assert "status=unresolved" in response["Location"]
    board.first.refresh_from_db()
    assert board.first.status == "open"
    htmx = client.post(
        reverse("comment_status", args=[board.first.pk]), {"status": "unresolved"}, headers={"HX-Request": "true"}
    )
    assert htmx["HX-Redirect"].startswith(reverse("challenge_mark", args=[board.session.pk, board.first.pk]))


def test_only_the_facilitator_triages(client, board):
    mark = reverse("challenge_mark", args=[board.session.pk, board.first.pk])
    for who in ("lead", "reviewer", "officer"):
        client.force_login(getattr(board, who))
        assert client.get(board.url).status_code == 403, who
        assert client.post(mark, {"status": "addressed"}).status_code == 403, who
    client.force_login(board.outsider)
    assert client.get(board.url).status_code == 403
    stranger = f.person(f.partner("Elsewhere", f.partnership("Elsewhere")), "stranger")
    client.force_login(stranger)
    assert client.get(board.url).status_code == 404
    assert client.post(mark, {"status": "addressed"}).status_code == 404
    client.logout()
    assert client.get(board.url).status_code == 302
    board.first.refresh_from_db()
    assert board.first.status == "open"


def test_a_closed_session_lists_but_does_not_mark(client, board):
    ws.close_session(session=board.session, by=board.facilitator)
    client.force_login(board.facilitator)
    page = client.get(board.url).content.decode()
    assert "The session is closed" in page and "Mark addressed" not in page
    mark = reverse("challenge_mark", args=[board.session.pk, board.first.pk])
    assert client.post(mark, {"status": "addressed"}).status_code == 403
    # A reply, or another session's thread, is not a challenge of this list.
    reply = Comment.objects.get(parent=board.first)
    assert client.get(reverse("challenge_mark", args=[board.session.pk, reply.pk])).status_code == 404
    other = f.session(board.programme, areas=[board.safer_city], facilitator=board.facilitator)
    assert client.get(reverse("challenge_mark", args=[other.pk, board.first.pk])).status_code == 404


def test_query_counts(client, board, django_assert_num_queries):
    client.force_login(board.facilitator)
    client.get(board.url)
    with django_assert_num_queries(10):
        assert client.get(board.url).status_code == 200
    for n in range(30):
        ws.post_comment(
            session=board.session,
            area=board.safeguarding,
            question=board.q2,
            author=board.reviewer,
            kind="challenge",
            text=f"More {n}",
        )
    with django_assert_num_queries(10):
        response = client.get(board.url)
    assert len(response.context["threads"]) == 25
    with django_assert_num_queries(6):
        assert client.get(reverse("challenge_mark", args=[board.session.pk, board.first.pk])).status_code == 200


def test_the_workspace_shows_the_reason_and_a_new_reason_is_not_served_stale(client, board):
    client.force_login(board.facilitator)
    workspace = reverse("workspace", args=[board.session.pk, board.safeguarding.pk])
    mark = reverse("challenge_mark", args=[board.session.pk, board.first.pk])
    client.post(mark, {"status": "unresolved", "note": "First reason."})
    assert "Why it stays unresolved: First reason." in client.get(workspace).content.decode()
    client.post(mark, {"status": "unresolved", "note": "Second reason."})
    page = client.get(workspace).content.decode()
    assert "Second reason." in page and "First reason." not in page
