"""Small builders for test data: real objects, sensible defaults, keyword overrides."""

import datetime
import itertools

from programmes.models import Milestone, Partner, Programme, QuestionSet, ThematicArea, User
from sessions.models import ChallengeSession, Participant

_n = itertools.count(1)


def default_question_set():
    return QuestionSet.objects.get(family="caa-challenge-methodology", version=1)


def partner(name=None, **kw):
    n = next(_n)
    return Partner.objects.create(name=name or f"Partner {n}", short_name=kw.pop("short_name", f"P{n}"), **kw)


def person(partner_=None, username=None, **kw):
    n = next(_n)
    username = username or f"person{n}"
    user = User.objects.create_user(
        username=username,
        password=kw.pop("password", "a-long-test-password"),
        email=kw.pop("email", f"{username}@example.org"),
        first_name=kw.pop("first_name", "Person"),
        last_name=kw.pop("last_name", str(n)),
        partner=partner_ if partner_ is not None else partner(),
        **kw,
    )
    return user


def area(lead_partner=None, name=None, **kw):
    n = next(_n)
    name = name or f"Area {n}"
    return ThematicArea.objects.create(
        name=name, slug=kw.pop("slug", f"area-{n}"), lead_partner=lead_partner or partner(), **kw
    )


def programme(areas=(), facilitators=(), **kw):
    n = next(_n)
    prog = Programme.objects.create(
        name=kw.pop("name", f"Programme {n}"),
        slug=kw.pop("slug", f"programme-{n}"),
        start_date=kw.pop("start_date", datetime.date(2009, 4, 1)),
        end_date=kw.pop("end_date", datetime.date(2009, 11, 30)),
        self_evaluation_deadline=kw.pop("self_evaluation_deadline", datetime.date(2009, 6, 15)),
        question_set=kw.pop("question_set", None) or default_question_set(),
        **kw,
    )
    prog.areas.set(areas)
    prog.facilitators.set(facilitators)
    return prog


def session(programme_, areas=None, facilitator=None, **kw):
    """A session created directly (no rules, no e-mails): for arranging test data."""
    s = ChallengeSession.objects.create(
        programme=programme_,
        title=kw.pop("title", f"Session {next(_n)}"),
        date=kw.pop("date", datetime.date(2009, 5, 8)),
        start_time=kw.pop("start_time", datetime.time(10, 0)),
        end_time=kw.pop("end_time", datetime.time(12, 0)),
        venue=kw.pop("venue", "Civic Centre"),
        facilitator=facilitator or programme_.facilitators.first() or person(),
        question_set=programme_.question_set,
        status=kw.pop("status", ChallengeSession.Status.SCHEDULED),
        **kw,
    )
    s.areas.set(areas if areas is not None else programme_.areas.all()[:1])
    return s


def participant(session_, person_, role=Participant.Role.REVIEWER, area_=None):
    return Participant.objects.create(session=session_, person=person_, role=role, area=area_)


def milestone(programme_, **kw):
    return Milestone.objects.create(
        programme=programme_,
        title=kw.pop("title", f"Milestone {next(_n)}"),
        date=kw.pop("date", datetime.date(2009, 5, 22)),
        **kw,
    )
