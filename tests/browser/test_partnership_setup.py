"""Issue 13's journey: a facilitator who has never seen the admin sets up a new partnership's
programme end to end in the browser — an organisation, a person invited who accepts, a thematic
area with a focus topic, an indicator defined and its values imported, the question set edited
into a new version, a programme created, a session scheduled, and the programme rolled forward
into its next cycle — with axe-core run on every page on the way.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_partnership_setup.py -q
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from indicators.models import Indicator, IndicatorValue
from programmes.models import Membership, Programme, QuestionSet, ThematicArea
from programmes.services import create_partnership
from sessions.models import ChallengeSession
from tests import factories as f
from tests.browser_support import assert_accessible, open_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Wessex Community Safety Partnership"


@pytest.fixture
def wessex(db):
    """What an administrator starts (manage.py create_partnership): the partnership, its first
    organisation and its first facilitator, who has a password."""
    partnership = create_partnership(name=NAME)
    council = f.partner("Wessex County Council", partnership, short_name="WCC")
    sam = f.person(council, "sam", first_name="Sam", last_name="Jones", is_facilitator=True)
    colin = f.person(council, "colin", first_name="Colin", last_name="Clarke")
    return partnership, sam, colin


def _check(page: Page, heading: str, what: str) -> None:
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    assert_accessible(page, what)


def _invitation_link() -> str:
    body = mail.outbox[-1].body
    return re.search(r"https?://\S+/invitations/\S+/", body).group(0)


def test_a_facilitator_sets_up_a_partnerships_programme_without_the_admin(page, live_server, wessex, new_context):
    partnership, sam, colin = wessex
    base = live_server.url
    sign_in(page, base, "sam")
    page.get_by_role("link", name=f"Set up {NAME}").click()
    _check(page, NAME, "the partnership's set-up page")

    # An organisation.
    page.get_by_role("link", name="Add an organisation").click()
    _check(page, "Add a partner organisation", "the organisation form")
    page.get_by_label(re.compile(r"\bName\b")).fill("Wessex Police")
    page.get_by_label("Short name").fill("WP")
    page.get_by_role("button", name="Save organisation").click()
    expect(page.get_by_text("Wessex Police").first).to_be_visible()

    # A person, invited by e-mail, who accepts in a browser of their own.
    page.goto(f"{base}/partnerships/{partnership.slug}/people/new/")
    _check(page, "Add a person", "the person form")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Patel")
    page.get_by_label("E-mail address").fill("nina.patel@wessex.example")
    page.get_by_label("Job title").fill("Chief Inspector")
    page.get_by_label("Organisation").select_option(label="Wessex Police")
    page.get_by_role("button", name="Add person").click()
    expect(page.get_by_text("Nina Patel").first).to_be_visible()
    assert_accessible(page, "the people list")
    link = _invitation_link()
    nina_page = open_page(new_context)
    nina_page.goto(link.replace("http://127.0.0.1:8000", base))
    _check(nina_page, "Set your password", "the invitation page")
    nina_page.get_by_label("Choose a password").fill("a-long-harbour-morning")
    nina_page.get_by_label("The password again").fill("a-long-harbour-morning")
    nina_page.get_by_role("button", name="Set password and sign in").click()
    expect(nina_page.get_by_text(re.compile(r"^Signed in as"))).to_contain_text("Nina Patel")
    nina = Membership.objects.get(partnership=partnership, person__email="nina.patel@wessex.example").person
    assert nina.has_usable_password()

    # A thematic area led by the police, with a focus topic.
    page.goto(f"{base}/partnerships/{partnership.slug}/")
    page.get_by_role("link", name="Add an area").click()
    _check(page, "Add a thematic area", "the area form")
    page.get_by_label(re.compile(r"\bName\b")).fill("Community safety")
    page.get_by_label("Lead organisation").select_option(label="Wessex Police")
    page.get_by_label("Lead officer").select_option(label="Nina Patel (WP)")
    page.get_by_role("button", name="Save area").click()
    area = ThematicArea.objects.get(partnership=partnership, name="Community safety")
    page.goto(f"{base}/partnerships/{partnership.slug}/areas/{area.pk}/")
    page.get_by_label("New focus topic").fill("Anti-social behaviour")
    page.get_by_role("button", name=re.compile("^Add")).first.click()
    expect(page.get_by_text("Anti-social behaviour").first).to_be_visible()
    assert_accessible(page, "the area's page of set-up")
    assert list(area.focus_topics.values_list("name", flat=True)) == ["Anti-social behaviour"]

    # An indicator, and its values imported.
    page.goto(f"{base}/partnerships/{partnership.slug}/indicators/")
    _check(page, "Indicators", "the partnership's indicators")
    page.get_by_role("link", name="Add an indicator").click()
    _check(page, "Add an indicator", "the indicator form")
    page.get_by_label(re.compile(r"\bArea\b")).select_option(label="Community safety")
    page.get_by_label(re.compile(r"\bCode\b")).fill("ASB1")
    page.get_by_label(re.compile(r"\bName\b")).fill("Anti-social behaviour incidents per 1,000 people")
    page.get_by_label("Polarity").select_option(label="Lower is better")
    page.get_by_label("Target", exact=True).fill("30")
    page.get_by_role("button", name="Save indicator").click()
    indicator = Indicator.objects.get(partnership=partnership, code="ASB1")
    page.goto(f"{base}/indicators/import/?partnership={partnership.slug}")
    _check(page, "Import indicator values", "the import page")
    page.get_by_label("Or paste the CSV here").fill("indicator,period,value\nASB1,2007,41\nASB1,2008,37\n")
    page.get_by_role("button", name="Check the file").click()
    assert_accessible(page, "the import preview")
    page.get_by_role("button", name="Import 2 values").click()
    expect(page.get_by_role("status").first).to_contain_text("2")
    assert list(IndicatorValue.objects.filter(indicator=indicator).values_list("value", flat=True)) == [41, 37]

    # The question set edited into a new version.
    before = QuestionSet.objects.filter(partnership=partnership).count()
    page.goto(f"{base}/partnerships/{partnership.slug}/question-sets/")
    assert_accessible(page, "the question sets")
    page.get_by_role("button", name="Make a new version").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("version")
    assert_accessible(page, "the new version")
    page.get_by_role("link", name=re.compile("^Reword")).first.click()
    _check(page, "Reword the question", "the question form")
    page.get_by_label(re.compile(r"\bQuestion\b")).fill("What difference has the work made for residents?")
    page.get_by_role("button", name="Save question").click()
    assert QuestionSet.objects.filter(partnership=partnership).count() == before + 1
    new_version = QuestionSet.objects.filter(partnership=partnership).order_by("-version", "-pk").first()
    assert new_version.sections.filter(questions__text__startswith="What difference has the work made").exists()

    # A programme, using the new version.
    page.goto(f"{base}/partnerships/{partnership.slug}/programmes/new/")
    _check(page, f"New programme of {NAME}", "the programme form")
    page.get_by_label(re.compile(r"\bName\b")).fill("Wessex 2009 challenge")
    page.get_by_label("Period starts").fill("2009-04-01")
    page.get_by_label("Period ends").fill("2010-03-31")
    page.get_by_label("Self evaluation deadline").fill("2009-09-30")
    page.get_by_role("checkbox", name="Community safety").check()
    page.get_by_label("Question set").select_option(value=str(new_version.pk))
    page.get_by_role("checkbox", name="Sam Jones").check()
    page.get_by_role("radio", name="Active").check()
    page.get_by_role("button", name="Make the programme").click()
    programme = Programme.objects.get(partnership=partnership, name="Wessex 2009 challenge")
    _check(page, "Wessex 2009 challenge", "the new programme's dashboard")
    assert programme.question_set == new_version

    # A session, with a critical friend from another organisation than the area's lead.
    page.get_by_role("link", name="Schedule a session").first.click()
    page.get_by_label("Title").fill("Community safety challenge")
    page.get_by_label("Date").fill("2009-06-10")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("12:00")
    page.get_by_role("checkbox", name="Community safety").check()
    page.get_by_role("checkbox", name="Colin Clarke, Wessex County Council").check()
    page.get_by_role("button", name="Schedule and invite").click()
    _check(page, "Community safety challenge", "the session page")
    session = ChallengeSession.objects.get(programme=programme)
    assert session.question_set == new_version
    assert session.participants.filter(person=colin).exists()

    # The programme rolled forward into its next cycle, as a draft.
    page.goto(f"{base}/programmes/{programme.slug}/roll-forward/")
    assert_accessible(page, "the roll-forward page")
    page.get_by_role("button", name="Make the next cycle as a draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2010")
    assert_accessible(page, "the next cycle")
    following = Programme.objects.get(previous=programme)
    assert following.status == Programme.Status.DRAFT
    assert set(following.areas.all()) == {area}
    assert following.question_set == new_version
