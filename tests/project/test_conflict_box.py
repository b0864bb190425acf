"""One conflict box for every edit refused as stale (templates/includes/conflict.html).

Each of the four forms that carry a revision (a session's details, an answer, a comment, a
self-evaluation's texts) answers a stale save with the same box: who saved, when, what is saved
now, and the user's own text still in the form, unsaved. The service raises one exception,
challenge.editing.StaleEdit, holding what is saved now."""

import pytest
from django.urls import reverse

from challenge.editing import StaleEdit
from evaluations import services as evaluation_services
from findings import services as finding_services
from sessions import services as session_services
from tests.conflict_box import conflict_box, expected_message
from workspace import services as ws


def _impact_question(world):
    return world.session.question_set.sections.get(title="Impact").questions.order_by("position")[0]


def answer_conflict(client, world):
    question = _impact_question(world)
    saved = ws.save_answer(
        session=world.session,
        area=world.safeguarding,
        question=question,
        by=world.facilitator,
        expected_revision=0,
        text="Referrals rose by a fifth.",
        likelihood=4,
        evidence=[{"title": "Ofsted letter", "link": "", "reference": "March 2009"}],
    )
    client.force_login(world.lead)
    p = f"q{question.pk}-"
    response = client.post(
        reverse("answer_save", args=[world.session.pk, world.safeguarding.pk, question.pk]),
        {p + "text": "My own careful answer.", p + "likelihood": "2", p + "evidence": "", p + "revision": 0},
    )
    return response, {
        # Without JavaScript the answer form's own page comes back: the box is under its <h1>.
        "heading": ("h2", "This answer changed while you were editing it"),
        "message": expected_message("Ruth Mellor", saved.updated_at),
        "saved": [
            ("Answer", "Referrals rose by a fifth."),
            ("Likelihood", "4 – likely"),
            ("Evidence", "Ofsted letter — March 2009"),
        ],
        "kept": "My own careful answer.</textarea>",
        "revision": f'name="{p}revision" value="1"',
    }


def comment_conflict(client, world):
    thread = ws.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=_impact_question(world),
        author=world.reviewer,
        kind="challenge",
        text="Where is the evidence?",
    )
    saved = ws.edit_comment(comment=thread, by=world.reviewer, expected_revision=1, text="Edited in another tab.")
    client.force_login(world.reviewer)
    response = client.post(
        reverse("comment_edit", args=[thread.pk]), {"kind": "challenge", "text": "My sharper edit.", "revision": 1}
    )
    return response, {
        "heading": ("h2", "This challenge changed while you were editing it"),
        "message": expected_message("you, in another tab or window,", saved.updated_at),
        "saved": [("Challenge", "Edited in another tab.")],
        "kept": "My sharper edit.</textarea>",
        "revision": 'name="revision" value="2"',
    }


def session_conflict(client, world):
    session = world.session
    change = session_services.update_session(
        session=session,
        expected_revision=session.revision,
        title="Renamed by Ruth",
        date=session.date,
        start_time=session.start_time,
        end_time=session.end_time,
        venue="Salford Civic Centre",
        notes="Bring the figures.",
        areas=[world.safeguarding],
        facilitator=world.facilitator,
        reviewers=[world.reviewer],
    )
    client.force_login(world.facilitator)
    response = client.post(
        reverse("session_edit", args=[session.pk]),
        {
            "title": "Renamed by Martin",
            "date": "2009-05-08",
            "start_time": "10:00",
            "end_time": "12:00",
            "venue": "",
            "meeting_link": "",
            "areas": [world.safeguarding.pk],
            "facilitator": world.facilitator.pk,
            "reviewers": [world.reviewer.pk],
            "notes": "My careful notes",
            "revision": change.session.revision - 1,
        },
    )
    current = change.session
    return response, {
        "heading": ("h2", "This session changed while you were editing it"),
        "message": expected_message("someone else", current.updated_at),
        "saved": [
            ("Title", "Renamed by Ruth"),
            ("When", f"Friday 8 May 2009, {current.start_time:%H:%M}–{current.end_time:%H:%M}"),
            ("Where", "Salford Civic Centre"),
            ("Facilitator", "Ruth Mellor"),
            ("Areas", "Safeguarding children"),
            ("Peer reviewers", "Paul Hargreaves"),
            ("Notes", "Bring the figures."),
        ],
        "kept": 'value="Renamed by Martin"',
        "revision": f'name="revision" value="{current.revision}"',
    }


def self_evaluation_conflict(client, world):
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    saved = evaluation_services.update_texts(
        self_evaluation=se, expected_revision=se.revision, introduction="Their introduction.", conclusion="Theirs."
    )
    client.force_login(world.lead)
    response = client.post(
        reverse("self_evaluation_texts", args=[se.pk]),
        {"introduction": "My introduction.", "conclusion": "", "revision": se.revision},
    )
    return response, {
        "heading": ("h3", "This self-evaluation changed while you were editing it"),
        "message": expected_message("someone else", saved.updated_at),
        "saved": [("Introduction", "Their introduction."), ("Conclusion", "Theirs.")],
        "kept": "My introduction.</textarea>",
        "revision": f'name="revision" value="{saved.revision}"',
    }


@pytest.mark.parametrize(
    "make_conflict", [answer_conflict, comment_conflict, session_conflict, self_evaluation_conflict]
)
def test_every_stale_edit_shows_the_same_box_and_keeps_what_was_typed(client, world, make_conflict):
    response, expected = make_conflict(client, world)
    assert response.status_code == 200
    html = response.content.decode()
    box = conflict_box(html)  # the markup every box shares
    assert (box.heading_tag, box.heading) == expected["heading"]
    assert box.paragraphs[0] == expected["message"]
    assert box.saved == expected["saved"]
    # What they typed is still in the form, after the box, and saving again is made
    # knowingly against what is saved now.
    assert html.index("conflict-box") < html.index(expected["kept"])
    assert expected["revision"] in html
    # The box is the one explanation: no second alert repeats it above the form.
    assert "Someone else saved this while you were editing it" not in html


def test_every_service_refuses_a_stale_edit_with_the_one_exception(world):
    """StaleEdit carries what is saved now; its default message says what happened."""
    question = _impact_question(world)
    answer = ws.save_answer(
        session=world.session, area=world.safeguarding, question=question, by=world.lead, expected_revision=0, text="A"
    )
    thread = ws.post_comment(
        session=world.session,
        area=world.safeguarding,
        question=question,
        author=world.reviewer,
        kind="question",
        text="Q",
    )
    finding = finding_services.record_finding(
        session=world.session, area=world.safeguarding, by=world.facilitator, kind="green_flag", title="T", text="X"
    )
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    session = world.session
    stale_writes = [
        (
            answer,
            lambda: ws.save_answer(
                session=session,
                area=world.safeguarding,
                question=question,
                by=world.lead,
                expected_revision=0,
                text="B",
            ),
        ),
        (thread, lambda: ws.edit_comment(comment=thread, by=world.reviewer, expected_revision=0, text="R")),
        (
            finding,
            lambda: finding_services.update_finding(
                finding=finding, expected_revision=finding.revision - 1, kind="green_flag", title="T2", text="Y"
            ),
        ),
        (
            se,
            lambda: evaluation_services.update_texts(
                self_evaluation=se, expected_revision=se.revision - 1, introduction="I", conclusion="C"
            ),
        ),
        (
            session,
            lambda: session_services.update_session(
                session=session,
                expected_revision=session.revision - 1,
                title="Changed",
                date=session.date,
                start_time=session.start_time,
                end_time=session.end_time,
                areas=[world.safeguarding],
                facilitator=world.facilitator,
            ),
        ),
    ]
    for record, write in stale_writes:
        with pytest.raises(StaleEdit) as refused:
            write()
        assert type(refused.value.current) is type(record) and refused.value.current.pk == record.pk
        assert refused.value.messages == [
            "Someone else saved this while you were editing it. Your changes have not been saved: they are still "
            "in the form, beside what is saved now. Check them and save again."
        ]
        record.refresh_from_db()
        assert record.revision == refused.value.current.revision  # nothing was bumped
    assert session.title == "Safeguarding children" and se.introduction == "" and finding.title == "T"
