"""The question set: installed by migration, frozen once used, edited by new versions."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse

from challenge.editing import STALE_MESSAGE
from programmes import methodology, question_sets
from programmes.models import FROZEN_MESSAGE, Question, QuestionSet, Section
from programmes.services import copy_standard_question_sets, create_partnership, new_question_set_version
from tests import factories as f


@pytest.mark.django_db
def test_fresh_install_has_the_salford_methodology():
    qs = QuestionSet.objects.get(family="caa-challenge-methodology", version=1)
    sections = list(qs.sections.prefetch_related("questions"))
    assert [s.title for s in sections] == ["Impact", "Trajectory", "Improvement plan"]
    assert [len(s.questions.all()) for s in sections] == [4, 5, 6]
    first = sections[0].questions.all()[0]
    assert first.text == "What is the impact? And what is the likelihood that this will happen?"
    assert first.answer_kind == "likelihood"
    kinds = {q.text: q.answer_kind for s in sections for q in s.questions.all()}
    assert kinds["What is the scale of the impact?"] == "scale"
    assert kinds["Is it getting better?"] == "direction"
    assert kinds["Are we on the right trajectory?"] == "confidence"
    assert all(q.guidance for s in sections for q in s.questions.all())
    assert sum(len(s["questions"]) for s in methodology.SECTIONS) == 15


def test_used_question_set_is_frozen_and_new_version_leaves_it_alone(world):
    qs = world.programme.question_set
    assert qs.is_frozen  # world.session uses it
    question = Question.objects.filter(section__question_set=qs).first()
    with pytest.raises(ValidationError):
        question.full_clean()
    v2 = new_question_set_version(question_set=qs)
    assert (v2.family, v2.version, v2.based_on) == (qs.family, 2, qs)
    assert not v2.is_frozen
    assert Question.objects.filter(section__question_set=v2).count() == 15
    edited = Question.objects.filter(section__question_set=v2).first()
    edited.text = "What is the impact on residents?"
    edited.full_clean()
    edited.save()
    question.refresh_from_db()
    assert question.text == "What is the impact? And what is the likelihood that this will happen?"
    # The session keeps its version; new sessions in a programme moved to v2 use v2.
    world.programme.question_set = v2
    world.programme.save()
    world.session.refresh_from_db()
    assert world.session.question_set == qs
    later = f.session(world.programme, title="Later")
    assert later.question_set == v2


# --- The question set pages (issue 13) --------------------------------------------------------


class Sets:
    """The world's partnership with its own copy of the standard set (version 1), frozen by a
    session of the world's programme, and an editable version 2 made from it."""

    def __init__(self, world):
        self.world = world
        self.partnership = world.programme.partnership
        self.boss = f.person(world.council, "boss", first_name="Bea", last_name="Boss", is_facilitator=True)
        self.v1 = copy_standard_question_sets(self.partnership)[0]
        world.programme.question_set = self.v1
        world.programme.save()
        self.session = f.session(world.programme, title="Run with version 1")
        self.v2 = question_sets.make_new_version(partnership=self.partnership, question_set=self.v1)
        self.standard = f.default_question_set()

    def url(self, name, *args, question_set=None):
        question_set = question_set or self.v2
        if name == "question_set_list":
            return reverse(name, args=[self.partnership.slug])
        return reverse(name, args=[self.partnership.slug, question_set.pk, *args])

    def first_section(self, question_set=None):
        return (question_set or self.v2).sections.order_by("position", "id").first()

    def questions(self, question_set=None):
        return list(
            Question.objects.filter(section__question_set=question_set or self.v2)
            .order_by("section__position", "section_id", "position", "id")
            .values_list("text", flat=True)
        )


@pytest.fixture
def sets(world):
    return Sets(world)


def _revision(question_set):
    question_set.refresh_from_db()
    return question_set.revision


def test_the_list_shows_every_version_its_use_and_the_standard_sets(client, sets, django_assert_num_queries):
    client.force_login(sets.boss)
    with django_assert_num_queries(6):
        response = client.get(sets.url("question_set_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<h1") == 1
    assert "Version 1" in body and "Version 2" in body
    frozen_row, editable_row = body.split("Version 2")[1].split("Version 1")
    assert "Editable" in frozen_row and "No programme uses it." in frozen_row
    assert "Frozen" in editable_row and "CAA 2009 challenge sessions" in editable_row
    assert "1 session." in editable_row  # the world's programme's session run with version 1
    standard = body.split('id="standard"')[1]
    assert "version 1" in standard and "2 sessions." not in standard
    assert body.count("Make a new version") == 3
    tokens = re.findall(r'name="submission_token" value="([0-9a-f-]+)"', body)
    assert len(set(tokens)) == 3  # one per button: each makes its own version


def test_the_set_up_page_card_links_to_the_question_sets(sets):
    html = render_to_string("programmes/question_sets/_home_section.html", {"partnership": sets.partnership})
    assert f'href="{sets.url("question_set_list")}"' in html


def test_a_frozen_version_is_read_only_and_says_why(client, sets, django_assert_num_queries):
    client.force_login(sets.boss)
    with django_assert_num_queries(9):
        response = client.get(sets.url("question_set_detail", question_set=sets.v1))
    body = response.content.decode()
    assert response.status_code == 200
    assert "has been used by a session, so it cannot change" in body
    assert "What is the impact? And what is the likelihood that this will happen?" in body
    assert "Rating 1–5: likelihood" in body
    assert "Impact" in body and "Improvement plan" in body
    assert "Move up" not in body and "Retire" not in body and "Reword" not in body
    assert "Make a new version from this one" in body


def test_an_editable_version_offers_every_edit(client, sets, django_assert_num_queries):
    client.force_login(sets.boss)
    with django_assert_num_queries(9):
        response = client.get(sets.url("question_set_detail"))
    body = response.content.decode()
    assert "cannot change" not in body
    assert body.count(">Retire<span") == 15
    assert body.count("Move up") == 15 - 3 + 2  # each question but a section's first; each section but the first
    assert "Add a section" in body and "Based on version 1." in body
    assert "Use version 2" in body


def test_a_standard_set_is_read_only_and_a_new_version_of_it_is_the_partnerships(client, sets):
    client.force_login(sets.boss)
    body = client.get(sets.url("question_set_detail", question_set=sets.standard)).content.decode()
    assert "standard question sets" in body and ">Retire<span" not in body
    partnership = create_partnership(name="Wigan Partnership")
    f.member(sets.boss, partnership_=partnership, is_facilitator=True)
    QuestionSet.objects.filter(partnership=partnership).delete()
    response = client.post(
        reverse("question_set_new_version", args=[partnership.slug, sets.standard.pk]), {"submission_token": ""}
    )
    copy = QuestionSet.objects.get(partnership=partnership)
    assert response.status_code == 302 and response["Location"].endswith(f"/question-sets/{copy.pk}/")
    assert (copy.version, copy.based_on, copy.is_frozen) == (2, sets.standard, False)
    assert QuestionSet.objects.filter(partnership__isnull=True).count() == 1
    # The standard set cannot be edited in the app.
    section = sets.first_section(sets.standard)
    response = client.post(
        sets.url("question_set_section_edit", section.pk, question_set=sets.standard),
        {"revision": sets.standard.revision, "title": "Changed"},
    )
    assert response.status_code == 409 and "standard question sets" in response.content.decode()
    assert Section.objects.get(pk=section.pk).title == "Impact"


def test_the_journey_of_a_new_version(client, sets):
    client.force_login(sets.boss)
    frozen_before = sets.questions(sets.v1)
    # Make a new version from the frozen one: version 3, the partnership's, editable.
    response = client.post(sets.url("question_set_new_version", question_set=sets.v1), {"submission_token": ""})
    v3 = QuestionSet.objects.get(partnership=sets.partnership, version=3)
    assert response["Location"] == sets.url("question_set_detail", question_set=v3)
    assert v3.based_on == sets.v1 and not v3.is_frozen
    # Add a section.
    page = client.get(sets.url("question_set_section_create", question_set=v3)).content.decode()
    assert f'name="revision" value="{v3.revision}"' in page
    response = client.post(
        sets.url("question_set_section_create", question_set=v3),
        {"revision": _revision(v3), "title": "Residents' voice", "description": "What people say."},
    )
    assert response.status_code == 302
    new_section = v3.sections.get(title="Residents' voice")
    assert [s.title for s in question_sets.sections_of(v3)][-1] == "Residents' voice"
    # Rename it.
    client.post(
        sets.url("question_set_section_edit", new_section.pk, question_set=v3),
        {"revision": _revision(v3), "title": "Residents’ voice", "description": ""},
    )
    new_section.refresh_from_db()
    assert new_section.title == "Residents’ voice"
    # Add a question to it.
    response = client.post(
        sets.url("question_set_question_create", new_section.pk, question_set=v3),
        {"revision": _revision(v3), "text": "What do residents say?", "guidance": "Surveys.", "answer_kind": "text"},
    )
    assert response.status_code == 302
    added = new_section.questions.get()
    assert (added.text, added.guidance, added.answer_kind) == ("What do residents say?", "Surveys.", "text")
    # Reword the first question, with a new answer kind.
    first = sets.first_section(v3).questions.order_by("position").first()
    client.post(
        sets.url("question_set_question_edit", first.pk, question_set=v3),
        {"revision": _revision(v3), "text": "What is the impact on residents?", "guidance": "", "answer_kind": "scale"},
    )
    first.refresh_from_db()
    assert (first.text, first.guidance, first.answer_kind) == ("What is the impact on residents?", "", "scale")
    # Move it down, then move the new section up to first place.
    client.post(
        sets.url("question_set_question_move", first.pk, question_set=v3),
        {"revision": _revision(v3), "direction": "down"},
    )
    for _ in range(3):
        client.post(
            sets.url("question_set_section_move", new_section.pk, question_set=v3),
            {"revision": _revision(v3), "direction": "up"},
        )
    assert [s.title for s in question_sets.sections_of(v3)] == [
        "Residents’ voice",
        "Impact",
        "Trajectory",
        "Improvement plan",
    ]
    texts = sets.questions(v3)
    assert texts[:3] == ["What do residents say?", texts[1], "What is the impact on residents?"]
    # Retire the second question of "Impact".
    impact = v3.sections.get(title="Impact")
    retired = impact.questions.order_by("position")[0]
    response = client.post(
        sets.url("question_set_question_retire", retired.pk, question_set=v3), {"revision": _revision(v3)}
    )
    assert response.status_code == 302
    assert not Question.objects.filter(pk=retired.pk).exists()
    assert len(sets.questions(v3)) == 15
    # The frozen version it came from is exactly as it was.
    assert sets.questions(sets.v1) == frozen_before
    page = client.get(sets.url("question_set_detail", question_set=v3)).content.decode()
    assert "Residents’ voice" in page and "What is the impact on residents?" in page
    assert "Rating 1–5: scale or severity" in page


def test_a_new_version_sent_twice_is_made_once(client, sets):
    client.force_login(sets.boss)
    token = "7d1c3e0a-8f7b-4c61-9a52-3b2a1f0e9d11"
    url = sets.url("question_set_new_version", question_set=sets.v1)
    first = client.post(url, {"submission_token": token})
    second = client.post(url, {"submission_token": token})
    assert first["Location"] == second["Location"]
    assert QuestionSet.objects.filter(partnership=sets.partnership).count() == 3


@pytest.mark.parametrize("kind", ["section", "question"])
def test_an_addition_sent_twice_is_added_once_and_the_second_is_a_success(client, sets, kind):
    """A double click: the second post carries the same one-time token as the first, so it
    is answered as the first was, not refused as "changed since you opened it"."""
    client.force_login(sets.boss)
    section = sets.first_section()
    if kind == "section":
        url = sets.url("question_set_section_create")
        data = {"title": "Who is missing?"}
        added = lambda: sets.v2.sections.filter(title="Who is missing?")  # noqa: E731
    else:
        url = sets.url("question_set_question_create", section.pk)
        data = {"text": "Who is missing?", "answer_kind": "text"}
        added = lambda: section.questions.filter(text="Who is missing?")  # noqa: E731
    form_page = client.get(url).content.decode()
    token = form_page.split('name="submission_token" value="')[1].split('"')[0]
    data.update(revision=sets.v2.revision, submission_token=token)
    first = client.post(url, data)
    second = client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == (sets.url("question_set_detail") + f"#{kind}-{added().get().pk}")
    assert added().count() == 1
    # A new form (a new token) opened before the first addition is stale, as any edit is.
    data["submission_token"] = "7d1c3e0a-8f7b-4c61-9a52-3b2a1f0e9d12"
    third = client.post(url, data)
    assert third.status_code == 409 and STALE_MESSAGE.split(":")[0] in third.content.decode()
    assert added().count() == 1


def test_a_question_posted_twice_without_a_token_is_refused_the_second_time(client, sets):
    client.force_login(sets.boss)
    section = sets.first_section()
    data = {"revision": sets.v2.revision, "text": "Who is missing?", "answer_kind": "text"}
    url = sets.url("question_set_question_create", section.pk)
    assert client.post(url, data).status_code == 302
    second = client.post(url, data)
    assert second.status_code == 409
    assert STALE_MESSAGE.split(":")[0] in second.content.decode()
    assert section.questions.filter(text="Who is missing?").count() == 1


def test_two_facilitators_do_not_overwrite_each_other(client, sets):
    other = f.person(sets.world.council, "boss2", is_facilitator=True)
    question = sets.first_section().questions.order_by("position").first()
    url = sets.url("question_set_question_edit", question.pk)
    opened_at = sets.v2.revision
    client.force_login(other)
    client.post(url, {"revision": opened_at, "text": "Their wording", "answer_kind": "text"})
    client.force_login(sets.boss)
    response = client.post(url, {"revision": opened_at, "text": "My wording", "answer_kind": "likelihood"})
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this while you were editing it" in body
    assert "My wording" in body  # nothing typed is lost
    saved_now = body.split('class="conflict-box"')[1].split("</div>")[0]
    assert "Their wording" in saved_now and "Free text" in saved_now
    assert f'name="revision" value="{_revision(sets.v2)}"' in body  # saving again applies it
    question.refresh_from_db()
    assert question.text == "Their wording"
    # Saving again, having seen theirs, applies it.
    response = client.post(url, {"revision": _revision(sets.v2), "text": "My wording", "answer_kind": "likelihood"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.answer_kind) == ("My wording", "likelihood")
    opened_at = _revision(sets.v2) - 1
    # A move made from a page opened before is refused too, with the message on the page.
    response = client.post(
        sets.url("question_set_question_move", question.pk), {"revision": opened_at, "direction": "down"}, follow=True
    )
    assert "Someone else saved this" in response.content.decode()
    assert sets.first_section().questions.order_by("position").first() == question


def test_every_edit_of_a_frozen_version_is_refused(client, sets):
    client.force_login(sets.boss)
    v1, before = sets.v1, sets.questions(sets.v1)
    section = sets.first_section(v1)
    question = section.questions.order_by("position").first()
    revision = v1.revision
    for name, args, data in [
        ("question_set_section_create", [], {"title": "New"}),
        ("question_set_section_edit", [section.pk], {"title": "New"}),
        ("question_set_question_create", [section.pk], {"text": "New?", "answer_kind": "text"}),
        ("question_set_question_edit", [question.pk], {"text": "New?", "answer_kind": "text"}),
    ]:
        response = client.post(sets.url(name, *args, question_set=v1), {"revision": revision, **data})
        assert response.status_code == 409, name
        assert FROZEN_MESSAGE.split(",")[0] in response.content.decode(), name
    for name, args, data in [
        ("question_set_section_move", [section.pk], {"direction": "down"}),
        ("question_set_question_move", [question.pk], {"direction": "down"}),
        ("question_set_question_retire", [question.pk], {}),
    ]:
        response = client.post(sets.url(name, *args, question_set=v1), {"revision": revision, **data}, follow=True)
        assert FROZEN_MESSAGE.split(",")[0] in response.content.decode(), name
    assert sets.questions(v1) == before
    assert [s.title for s in question_sets.sections_of(v1)] == ["Impact", "Trajectory", "Improvement plan"]
    assert _revision(v1) == revision


def test_a_version_becomes_frozen_when_a_session_uses_it(client, sets):
    client.force_login(sets.boss)
    revision = sets.v2.revision
    sets.world.programme.question_set = sets.v2
    sets.world.programme.save()
    f.session(sets.world.programme, title="Run with version 2")
    response = client.post(sets.url("question_set_section_create"), {"revision": revision, "title": "Too late"})
    assert response.status_code == 409 and not sets.v2.sections.filter(title="Too late").exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": "", "answer_kind": "text"}, "text", "This field is required."),
        ({"text": "Two\nlines", "answer_kind": "text"}, "text", "line break"),
        ({"text": "Fine?", "answer_kind": "poem"}, "answer_kind", "Select a valid choice."),
    ],
)
def test_bad_input_is_shown_beside_the_field(client, sets, data, field, message):
    client.force_login(sets.boss)
    section = sets.first_section()
    before = sets.questions()
    response = client.post(
        sets.url("question_set_question_create", section.pk), {"revision": sets.v2.revision, "guidance": "Kept", **data}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert re.search(rf'id="error_\d+_id_{field}"', body)
    assert message in body and "Kept" in body
    assert sets.questions() == before and _revision(sets.v2) == sets.v2.revision


def test_use_this_version_for_a_programme(client, sets):
    client.force_login(sets.boss)
    programme = sets.world.programme
    response = client.post(sets.url("question_set_use"), {"programme": programme.pk}, follow=True)
    assert "New sessions of “CAA 2009 challenge sessions” will use version 2" in response.content.decode()
    programme.refresh_from_db()
    assert programme.question_set == sets.v2
    sets.session.refresh_from_db()
    assert sets.session.question_set == sets.v1
    # Another partnership's programme is not on offer.
    southampton = create_partnership(name="Southampton", slug="southampton")
    theirs = f.programme(partnership_=southampton, question_set=QuestionSet.objects.get(partnership=southampton))
    response = client.post(sets.url("question_set_use"), {"programme": theirs.pk}, follow=True)
    assert "Choose one of the partnership" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.question_set.partnership == southampton


def test_the_form_pages_query_counts(client, sets, django_assert_num_queries):
    client.force_login(sets.boss)
    section = sets.first_section()
    question = section.questions.first()
    for name, args, count in [
        ("question_set_section_create", [], 5),
        ("question_set_section_edit", [section.pk], 6),
        ("question_set_question_create", [section.pk], 6),
        ("question_set_question_edit", [question.pk], 6),
    ]:
        with django_assert_num_queries(count):
            response = client.get(sets.url(name, *args))
        assert response.status_code == 200, name
        assert response.content.decode().count("<h1") == 1


def _all_urls(sets):
    section = sets.first_section()
    question = section.questions.first()
    return [
        (sets.url("question_set_list"), "GET"),
        (sets.url("question_set_detail"), "GET"),
        (sets.url("question_set_new_version"), "POST"),
        (sets.url("question_set_use"), "POST"),
        (sets.url("question_set_section_create"), "GET"),
        (sets.url("question_set_section_create"), "POST"),
        (sets.url("question_set_section_edit", section.pk), "GET"),
        (sets.url("question_set_section_move", section.pk), "POST"),
        (sets.url("question_set_question_create", section.pk), "POST"),
        (sets.url("question_set_question_edit", question.pk), "GET"),
        (sets.url("question_set_question_move", question.pk), "POST"),
        (sets.url("question_set_question_retire", question.pk), "POST"),
    ]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("lead", 403), ("officer", 403), ("facilitator", 403), ("outsider", 404), ("boss", 200)],
)
def test_who_may_set_up_question_sets(client, sets, who, status):
    """Only the partnership's facilitators: its other members (even a programme's
    facilitator or an officer) get 403, a person of another partnership 404, and an
    anonymous visitor the login page."""
    if who == "outsider":
        stranger = create_partnership(name="Elsewhere", slug="elsewhere")
        client.force_login(f.person(f.partner("Elsewhere council", stranger), "stranger", is_facilitator=True))
    elif who == "boss":
        client.force_login(sets.boss)
    elif who != "anonymous":
        client.force_login(getattr(sets.world, who))
    before = (QuestionSet.objects.count(), _revision(sets.v2), sets.questions())
    for url, method in _all_urls(sets):
        if who == "boss" and method == "POST":
            continue
        response = client.get(url) if method == "GET" else client.post(url, {})
        assert response.status_code == status, (url, method)
        if status == 302:
            assert response["Location"].startswith(reverse("login"))
    assert (QuestionSet.objects.count(), _revision(sets.v2), sets.questions()) == before


def test_another_partnerships_version_is_not_found_here(client, sets):
    southampton = create_partnership(name="Southampton", slug="southampton")
    theirs = QuestionSet.objects.get(partnership=southampton)
    client.force_login(sets.boss)
    assert client.get(sets.url("question_set_detail", question_set=theirs)).status_code == 404
    assert client.post(sets.url("question_set_new_version", question_set=theirs)).status_code == 404
    section = sets.first_section(theirs)
    # Nor a section or question of another version under this one's address.
    assert client.get(sets.url("question_set_section_edit", section.pk)).status_code == 404
    assert client.get(sets.url("question_set_question_edit", section.questions.first().pk)).status_code == 404


def test_what_facilitators_type_is_escaped(client, sets):
    client.force_login(sets.boss)
    section = sets.first_section()
    data = {
        "revision": sets.v2.revision,
        "text": "<b>Who?</b>",
        "guidance": "<script>x()</script>",
        "answer_kind": "text",
    }
    client.post(sets.url("question_set_question_create", section.pk), data)
    body = client.get(sets.url("question_set_detail")).content.decode()
    assert "&lt;b&gt;Who?&lt;/b&gt;" in body and "<b>Who?</b>" not in body
    assert "&lt;script&gt;x()&lt;/script&gt;" in body and "<script>x()" not in body
