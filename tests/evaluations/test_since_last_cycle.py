"""The mini self-evaluation's "Since the last cycle" (issue 13): where an earlier programme of
the partnership reviewed the area, its ratings beside this cycle's, what became of its actions
(carried over or done) and this cycle's findings raised again; nothing where there is none. The
section is part of the HTML, so a stored PDF part is not reused once it changes."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from evaluations import services as evaluation_services
from evaluations.area_pdf import part_html, part_key
from evaluations.pdf import self_evaluation_html, self_evaluation_pdf
from evaluations.selectors import compile_area
from findings import services as finding_services
from findings.models import Action
from programmes import cycles
from programmes.models import AnswerKind, Programme
from sessions.models import Participant
from tests import factories as f
from workspace import services as workspace_services

pytestmark = pytest.mark.django_db

D = datetime.date


def _rate(session, area, by, **ratings):
    kinds = {
        AnswerKind.LIKELIHOOD: "likelihood",
        AnswerKind.SCALE: "scale",
        AnswerKind.DIRECTION: "direction",
        AnswerKind.CONFIDENCE: "confidence",
    }
    for section in session.question_set.sections.all():
        for question in section.questions.all():
            name = kinds.get(question.answer_kind)
            if name in ratings:
                workspace_services.save_answer(
                    session=session,
                    area=area,
                    question=question,
                    by=by,
                    expected_revision=0,
                    text="Rated.",
                    **{name: ratings[name]},
                )


@pytest.fixture
def two_cycles(world):
    """2009: safeguarding rated 4 × 5, declining, low confidence; a red flag with a done action,
    an open one and a dropped one. 2010 (rolled forward, active): rated 2 × 3, improving, high;
    a red flag raising the 2009 one again, its title with markup in it."""
    area = world.safeguarding
    _rate(world.session, area, world.lead, likelihood=4, scale=5, direction="declining", confidence="low")
    earlier = finding_services.record_finding(
        session=world.session,
        area=area,
        by=world.facilitator,
        kind="red_flag",
        title="Too few foster carers",
        text="Recruitment is behind.",
    )
    for description, status in [
        ("Review the fees", Action.Status.DONE),
        ("Recruit <twenty> carers", Action.Status.IN_PROGRESS),
        ("Open a second hub", Action.Status.DROPPED),
    ]:
        action = finding_services.add_action(
            finding=earlier, description=description, owner=world.lead, due_date=D(2009, 9, 30)
        )
        finding_services.set_action_status(action=action, status=status)
    later = cycles.roll_forward(world.programme)
    Programme.objects.filter(pk=later.pk).update(status=Programme.Status.ACTIVE)
    later.refresh_from_db()
    session = f.session(later, areas=[area], facilitator=world.facilitator, date=D(2010, 5, 6))
    f.participant(session, world.lead, Participant.Role.PRESENTER, area)
    _rate(session, area, world.lead, likelihood=2, scale=3, direction="improving", confidence="high")
    finding_services.record_finding(
        session=session,
        area=area,
        by=world.facilitator,
        kind="red_flag",
        title="Still too few <carers>",
        text="Recruitment is still behind.",
        raised_again_from=earlier,
    )
    world.later = later
    world.later_session = session
    return world


def _since(html):
    return html.split('id="se-since"')[1].split("</section>")[0]


def test_the_since_section_compares_the_cycles(two_cycles):
    world = two_cycles
    self_evaluation = evaluation_services.current_self_evaluation(programme=world.later, area=world.safeguarding)
    html = self_evaluation_html(self_evaluation)
    assert '<a href="#se-since">Since the last cycle</a>' in html  # in the contents
    since = _since(html)
    assert "The previous cycle that reviewed this area was CAA 2009 challenge sessions" in since
    ratings = since.split("</table>")[0]
    assert '<th scope="row">Impact score</th><td>20 of 25 (very high)</td><td>6 of 25 (medium)</td>' in ratings
    assert "<td>Declining</td><td>Improving</td>" in ratings
    assert "<td>Low</td><td>High</td>" in ratings
    actions = since.split("The previous cycle's actions")[1].split("</table>")[0]
    outcome = {
        name: actions.split(name)[1].split("</tr>")[0]
        for name in ["Review the fees", "Recruit &lt;twenty&gt; carers", "Open a second hub"]
    }
    assert "Recruit <twenty>" not in actions
    assert "Done" in outcome["Review the fees"]
    assert (
        "Carried over" in outcome["Recruit &lt;twenty&gt; carers"]
        and "in progress" in outcome["Recruit &lt;twenty&gt; carers"]
    )
    assert "Dropped" in outcome["Open a second hub"]
    raised = since.split("Findings raised again")[1]
    assert "Still too few &lt;carers&gt;, raised again from" in raised
    assert "“Too few foster carers” (CAA 2009 challenge sessions)" in raised
    assert "<carers>" not in html


def test_the_pdf_shows_the_section(two_cycles):
    world = two_cycles
    self_evaluation = evaluation_services.current_self_evaluation(programme=world.later, area=world.safeguarding)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(self_evaluation_pdf(self_evaluation))).pages)
    text = " ".join(text.split())
    assert "Since the last cycle" in text
    assert "Still too few <carers>, raised again from" in text
    assert "Carried over" in text


def test_there_is_no_section_without_a_previous_cycle(two_cycles):
    world = two_cycles
    first = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    html = self_evaluation_html(first)
    assert "Since the last cycle" not in html and 'id="se-since"' not in html
    # Nor for an area the earlier cycle did not review.
    world.later.areas.add(newcomer := f.area(world.council, "Care leavers", slug="care-leavers"))
    assert compile_area(world.later, newcomer).since is None


def test_a_draft_earlier_programme_is_not_a_previous_cycle(two_cycles):
    world = two_cycles
    Programme.objects.filter(pk=world.programme.pk).update(status=Programme.Status.DRAFT)
    assert compile_area(world.later, world.safeguarding).since is None


def test_the_area_part_changes_with_what_changed_since(two_cycles):
    """The programme PDF's part for the area is keyed by its HTML: closing an action of the
    previous cycle changes the part, so the stored one is not reused."""
    world = two_cycles
    self_evaluation = evaluation_services.current_self_evaluation(programme=world.later, area=world.safeguarding)

    def key():
        html = part_html(
            world.later, world.safeguarding, self_evaluation, compile_area(world.later, world.safeguarding)
        )
        assert f'id="area-{world.safeguarding.pk}-since"' in html
        return part_key(html)

    before = key()
    assert key() == before  # the same inputs, the same part
    action = Action.objects.get(description="Recruit <twenty> carers")
    finding_services.set_action_status(action=action, status=Action.Status.DONE)
    assert key() != before


def test_the_section_costs_a_fixed_number_of_queries(two_cycles):
    """Three queries with a previous cycle (which it is, the ratings of both, its actions),
    however many actions and findings raised again there are."""
    world = two_cycles

    def count():
        world.safeguarding.refresh_from_db()  # its focus topics read afresh each time
        with CaptureQueriesContext(connection) as captured:
            since = compile_area(world.later, world.safeguarding).since
        return len(captured.captured_queries), since

    before, since = count()
    assert len(since.actions) == 3 and len(since.raised_again) == 1
    earlier = since.raised_again[0].raised_again_from
    for number in range(3):
        finding_services.add_action(
            finding=earlier, description=f"More {number}", owner=world.lead, due_date=D(2009, 10, 1)
        )
        finding_services.record_finding(
            session=world.later_session,
            area=world.safeguarding,
            by=world.facilitator,
            kind="risk",
            title=f"Again {number}",
            text="Again.",
            raised_again_from=earlier,
        )
    after, since = count()
    assert len(since.actions) == 6 and len(since.raised_again) == 4
    assert after == before
