"""Small builders for test data: real objects, sensible defaults, keyword overrides."""

import datetime
import io
import itertools

from programmes.models import Membership, Milestone, Partner, Partnership, Programme, QuestionSet, ThematicArea, User
from programmes.selectors import partners_in
from sessions.models import ChallengeSession, Participant

_n = itertools.count(1)


def logo_image(width=40, height=20, image_format="PNG", colour=(200, 30, 30)) -> bytes:
    """A small logo, drawn with Pillow: the bytes of a PNG (or JPEG) of one colour."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format=image_format)
    return buffer.getvalue()


def default_question_set():
    """The installation's standard question set (the tests' programmes use it as it is; a
    partnership made by `create_partnership` has its own copy)."""
    return QuestionSet.objects.get(family="caa-challenge-methodology", version=1, partnership__isnull=True)


def partnership(name=None, slug=None, **kw):
    n = next(_n)
    return Partnership.objects.create(name=name or f"Partnership {n}", slug=slug or f"partnership-{n}", **kw)


def default_partnership():
    """The partnership the factories put things in unless told otherwise."""
    found, _ = Partnership.objects.get_or_create(slug="salford", defaults={"name": "Salford City Partnership"})
    return found


def partner(name=None, partnership_=None, **kw):
    n = next(_n)
    return Partner.objects.create(
        partnership=partnership_ or default_partnership(),
        name=name or f"Partner {n}",
        short_name=kw.pop("short_name", f"P{n}"),
        **kw,
    )


def person(partner_=None, username=None, *, is_officer=False, is_facilitator=False, **kw):
    """A person, a member of their partner's partnership working for it (with these roles)."""
    n = next(_n)
    username = username or f"person{n}"
    partner_ = partner_ if partner_ is not None else partner()
    user = User.objects.create_user(
        username=username,
        password=kw.pop("password", "a-long-test-password"),
        email=kw.pop("email", f"{username}@example.org"),
        first_name=kw.pop("first_name", "Person"),
        last_name=kw.pop("last_name", str(n)),
        **kw,
    )
    member(user, partner_, is_officer=is_officer, is_facilitator=is_facilitator)
    return user


def member(person_, partner_=None, *, partnership_=None, **roles) -> Membership:
    """Make `person_` a member of `partner_`'s partnership working for it (or of
    `partnership_` with no organisation), with `roles` (is_officer, is_facilitator,
    is_active)."""
    membership = Membership.objects.create(
        partnership=partner_.partnership if partner_ is not None else partnership_,
        person=person_,
        partner=partner_,
        **roles,
    )
    person_.forget_memberships()
    return membership


def area(lead_partner=None, name=None, **kw):
    n = next(_n)
    name = name or f"Area {n}"
    lead_partner = lead_partner or partner()
    return ThematicArea.objects.create(
        partnership=lead_partner.partnership,
        name=name,
        slug=kw.pop("slug", f"area-{n}"),
        lead_partner=lead_partner,
        **kw,
    )


def programme(areas=(), facilitators=(), partnership_=None, **kw):
    n = next(_n)
    areas = list(areas)
    if partnership_ is None:
        partnership_ = areas[0].partnership if areas else default_partnership()
    prog = Programme.objects.create(
        partnership=partnership_,
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
    """A part created directly (no rules, no e-mails), with the person's organisation in the
    partnership as `add_participant` records it."""
    partner_ = partners_in(session_.programme.partnership_id, [person_]).get(person_.pk)
    return Participant.objects.create(session=session_, person=person_, role=role, area=area_, partner=partner_)


def milestone(programme_, **kw):
    return Milestone.objects.create(
        programme=programme_,
        title=kw.pop("title", f"Milestone {next(_n)}"),
        date=kw.pop("date", datetime.date(2009, 5, 22)),
        **kw,
    )
