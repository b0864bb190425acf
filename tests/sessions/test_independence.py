"""Each kind of session keeps its own independence rule (sessions/independence.py): who may
be its challengers, refused beside the field with the rule explained, and who may post a
challenge in its workspace."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmes.models import QuestionSet
from sessions import services
from sessions.models import ChallengeSession, Participant
from tests import factories as f
from tests.scrutiny_world import southampton
from workspace.permissions import SessionAccess

T = datetime.time


@pytest.fixture
def soton(db):
    return southampton()


def schedule(world, kind, **kw):
    args = dict(
        programme=world.programme,
        title="A session",
        date=datetime.date(2021, 11, 4),
        start_time=T(18),
        end_time=T(20),
        areas=[world.area],
        facilitator=world.scrutiny_officer,
        kind=kind,
    )
    args.update(kw)
    return services.create_session(**args)


# --- Peer challenge ------------------------------------------------------------------------


def test_peer_rule_refuses_a_critical_friend_from_the_lead_organisation(soton):
    with pytest.raises(ValidationError) as exc:
        schedule(soton, ChallengeSession.Kind.PEER, reviewers=[soton.councillor])
    message = exc.value.message_dict["reviewers"][0]
    assert "Bill Member cannot be a peer reviewer here" in message
    assert "Southampton City Council, leads Children's social care" in message
    assert "A critical friend must come from another organisation." in message


def test_peer_rule_accepts_a_critical_friend_from_another_organisation(soton):
    nurse = f.person(soton.ccg, "nurse")
    session = schedule(soton, ChallengeSession.Kind.PEER, reviewers=[nurse])
    assert session.kind == "peer"
    assert session.question_set == soton.programme.question_set
    assert list(session.participants.values_list("person__username", flat=True)) == ["nurse"]


# --- Scrutiny panel ------------------------------------------------------------------------


def test_scrutiny_meeting_invites_its_panel_and_gets_the_scrutiny_questions(soton):
    session = schedule(soton, ChallengeSession.Kind.SCRUTINY, panel=soton.panel)
    assert session.panel == soton.panel
    assert set(session.participants.values_list("person__username", "role")) == {
        ("cllrchair", "reviewer"),
        ("cllrmember", "reviewer"),
    }
    assert session.question_set.kind == "scrutiny"
    assert session.question_set.partnership == soton.partnership
    texts = [q.text for s in session.question_set.sections.all() for q in s.questions.all()]
    assert "How does performance compare with the national average and with statistical neighbours?" in texts
    # The next scrutiny meeting uses the same set, not a second copy.
    schedule(soton, ChallengeSession.Kind.SCRUTINY, panel=soton.panel, date=datetime.date(2022, 1, 13))
    assert QuestionSet.objects.filter(partnership=soton.partnership, kind="scrutiny").count() == 1


def test_scrutiny_meeting_needs_a_panel(soton):
    with pytest.raises(ValidationError) as exc:
        schedule(soton, ChallengeSession.Kind.SCRUTINY)
    assert exc.value.message_dict["panel"] == ["Choose the scrutiny panel that meets."]


def test_councillor_of_the_same_council_may_scrutinise_its_officers(soton):
    """The peer rule would refuse them (their council leads the area); the scrutiny rule does not."""
    session = schedule(soton, ChallengeSession.Kind.SCRUTINY, panel=soton.panel)
    access = SessionAccess(soton.councillor, ChallengeSession.objects.get(pk=session.pk))
    assert access.comment_refusal(soton.area) is None


def test_cabinet_member_may_not_sit_on_the_panel_for_their_portfolio(soton):
    with pytest.raises(ValidationError) as exc:
        schedule(soton, ChallengeSession.Kind.SCRUTINY, panel=soton.panel, reviewers=[soton.cabinet_member])
    message = exc.value.message_dict["reviewers"][0]
    assert "Cara Cabinet cannot sit on the panel for Children's social care" in message
    assert "Cabinet Member for Children's Social Care" in message
    assert "Scrutiny is independent of the executive" in message


def test_cabinet_member_added_later_is_refused_with_the_rule(soton):
    session = schedule(soton, ChallengeSession.Kind.SCRUTINY, panel=soton.panel)
    with pytest.raises(ValidationError) as exc:
        services.validate_participant(session=session, person=soton.cabinet_member, role=Participant.Role.REVIEWER)
    assert "hold that portfolio" in exc.value.message_dict["person"][0]


def test_cabinet_member_on_the_panel_cannot_challenge_their_portfolio_in_the_workspace(soton):
    session = schedule(soton, ChallengeSession.Kind.SCRUTINY, panel=soton.panel)
    f.participant(session, soton.cabinet_member)  # recorded directly, as the admin could
    access = SessionAccess(soton.cabinet_member, session)
    refusal = access.comment_refusal(soton.area)
    assert refusal.startswith("As Cabinet Member for Children's Social Care you hold Children's social care")


def test_an_officer_who_is_no_councillor_cannot_sit_on_a_panel(soton):
    with pytest.raises(ValidationError) as exc:
        schedule(soton, ChallengeSession.Kind.SCRUTINY, panel=soton.panel, reviewers=[soton.colleague])
    assert "Steph Murray cannot sit on the panel: they are not a councillor" in exc.value.message_dict["reviewers"][0]


# --- Stretch and challenge -----------------------------------------------------------------


def test_stretch_rule_lets_the_service_leads_colleagues_challenge(soton):
    session = schedule(soton, ChallengeSession.Kind.STRETCH, reviewers=[soton.director, soton.colleague])
    assert session.question_set.kind == "stretch"
    access = SessionAccess(soton.colleague, session)
    assert access.comment_refusal(soton.area) is None


def test_stretch_rule_refuses_the_service_lead_as_their_own_challenger(soton):
    with pytest.raises(ValidationError) as exc:
        schedule(soton, ChallengeSession.Kind.STRETCH, reviewers=[soton.service_lead])
    message = exc.value.message_dict["reviewers"][0]
    assert "Jo Feeney cannot challenge Children's social care: they lead or present it." in message
    assert "nobody challenges their own service" in message


def test_stretch_rule_refuses_a_presenter_of_the_area(soton):
    session = schedule(soton, ChallengeSession.Kind.STRETCH)
    f.participant(session, soton.colleague, Participant.Role.PRESENTER, soton.area)
    director_part = services.add_participant(
        session=session, person=soton.director, role=Participant.Role.REVIEWER, notify=False
    )
    assert director_part.role == "reviewer"
    with pytest.raises(ValidationError) as exc:
        services.update_session(
            session=session,
            expected_revision=ChallengeSession.objects.get(pk=session.pk).revision,
            title=session.title,
            date=session.date,
            start_time=session.start_time,
            end_time=session.end_time,
            areas=[soton.area],
            facilitator=soton.scrutiny_officer,
            reviewers=[soton.director, soton.colleague],
        )
    assert "Steph Murray cannot challenge Children's social care" in exc.value.message_dict["reviewers"][0]


# --- The form: the kind is chosen when the session is created --------------------------------


def test_facilitator_chooses_the_kind_and_sees_a_refusal_beside_the_field(client, soton):
    client.force_login(soton.scrutiny_officer)
    url = reverse("session_create", args=[soton.programme.slug])
    page = client.get(url).content.decode()
    assert 'name="kind" value="scrutiny"' in page and 'name="kind" value="stretch"' in page
    data = {
        "kind": "scrutiny",
        "panel": soton.panel.pk,
        "title": "Children and Families Scrutiny Panel",
        "date": "2021-11-04",
        "start_time": "18:00",
        "end_time": "20:00",
        "areas": [soton.area.pk],
        "facilitator": soton.scrutiny_officer.pk,
        "reviewers": [soton.cabinet_member.pk],
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot sit on the panel for Children&#x27;s social care" in response.content.decode()
    assert not ChallengeSession.objects.exists()
    data["reviewers"] = []
    response = client.post(url, data)
    session = ChallengeSession.objects.get()
    assert response.url == session.get_absolute_url()
    assert (session.kind, session.panel) == ("scrutiny", soton.panel)
    assert session.participants.count() == 2


def test_the_reviewer_picker_marks_organisations_only_for_a_peer_challenge(client, soton):
    """The picker (fetched again by htmx as areas change) marks the lead organisation's people
    ineligible in a peer challenge; in a scrutiny meeting organisation is no bar."""
    client.force_login(soton.scrutiny_officer)
    url = reverse("session_create", args=[soton.programme.slug])
    peer = client.get(url, {"picker": "reviewers", "areas": [soton.area.pk], "kind": "peer"}).content.decode()
    assert "Not eligible" in peer and "Southampton City Council leads Children&#x27;s social care" in peer
    scrutiny = client.get(url, {"picker": "reviewers", "areas": [soton.area.pk], "kind": "scrutiny"}).content.decode()
    assert "Not eligible" not in scrutiny and "Bill Member" in scrutiny


def test_the_kind_is_fixed_once_the_session_is_created(client, soton):
    session = schedule(soton, ChallengeSession.Kind.STRETCH, reviewers=[soton.director])
    client.force_login(soton.scrutiny_officer)
    page = client.get(reverse("session_edit", args=[session.pk])).content.decode()
    assert 'name="kind"' not in page and "Stretch and challenge." in page
    assert "Challengers (managers and colleagues)" in page
