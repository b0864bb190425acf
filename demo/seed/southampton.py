"""Southampton, the second demonstration partnership (issue 15): Southampton City Council and
its partners, the Children and Families Scrutiny Panel, and its meeting of 4 November 2021,
item 26, the Children's and Learning Service Improvement Plan (seeds/004_63c051335cb82295.txt).

The officers are those the minutes and the issue name (Robert Henderson, Steph Murray, Jo
Feeney); the minutes name no councillor, so the panel's members, the cabinet member and
everyone else are invented, with e-mail addresses on `.example`. The panel's questions and
the officers' answers paraphrase what the minutes say "the Panel noted"; the resolution is
the minutes' own words; the executive's response and the KPI values are plausible, not real.

`seed_southampton` is one step of seed_demo: it is idempotent (matched by slug, name,
username, title), writes through the services (rules checked, nobody e-mailed), and returns
the partnership, so that other steps (KPI series, stretch-and-challenge sessions) can add
to it separately."""

import datetime

from findings import resolutions
from findings.models import Resolution
from programmes import methodology
from programmes.models import (
    CabinetPortfolio,
    Membership,
    Partner,
    Partnership,
    Programme,
    QuestionSet,
    ScrutinyPanel,
    ThematicArea,
    User,
)
from programmes.services import create_partnership
from sessions import agenda
from sessions.models import AgendaItem, ChallengeSession
from sessions.services import create_session
from workspace.models import Answer, Comment
from workspace.services import post_comment, reply_to, save_answer

D = datetime.date

PARTNERSHIP = {
    "slug": "southampton",
    "name": "Southampton City Council and partners",
    "description": (
        "Southampton City Council with NHS Southampton City CCG, Hampshire Constabulary and Hampshire and "
        "Isle of Wight Fire and Rescue Service: scrutiny of children's services, 2021."
    ),
}

PARTNERS = {
    "SCC": ("Southampton City Council", "council", "performance@southampton.example"),
    "CCG": ("NHS Southampton City CCG", "health", "contact@southamptonccg.example"),
    "HC": ("Hampshire Constabulary", "police", "partnerships@hampshire-police.example"),
    "HIWFRS": ("Hampshire and Isle of Wight Fire and Rescue Service", "fire", "community@hiwfrs.example"),
}

# username: (first, last, job title, partner, roles, demo login role or None)
PEOPLE = {
    "scrutiny": (
        "Alison",
        "Redbridge",
        "Scrutiny Manager",
        "SCC",
        {"is_facilitator": True},
        "scrutiny officer, facilitator (Southampton)",
    ),
    "councillor": (
        "Tom",
        "Freemantle",
        "Councillor, Children and Families Scrutiny Panel",
        "SCC",
        {"is_councillor": True},
        "councillor, panel member (Southampton)",
    ),
    "cllr-bevois": ("Helen", "Bevois", "Councillor, Chair of the panel", "SCC", {"is_councillor": True}, None),
    "cllr-peartree": ("Aisha", "Peartree", "Councillor", "SCC", {"is_councillor": True}, None),
    "cllr-lordswood": ("Gareth", "Lordswood", "Councillor", "SCC", {"is_councillor": True}, None),
    "cllr-bargate": (
        "Sarah",
        "Bargate",
        "Cabinet Member for Children's Social Care",
        "SCC",
        {"is_councillor": True},
        None,
    ),
    "rhenderson": ("Robert", "Henderson", "Executive Director, Children and Learning", "SCC", {}, None),
    "smurray": ("Steph", "Murray", "Director of Quality and Integration", "SCC", {}, None),
    "jfeeney": ("Jo", "Feeney", "Interim Service Lead, Children's Social Care", "SCC", {}, None),
    "s-officer": ("Owen", "Holyrood", "Cabinet support officer", "SCC", {"is_officer": True}, None),
    "ccg-lead": ("Priya", "Swaythling", "Designated Nurse for Safeguarding Children", "CCG", {}, None),
    "hc-lead": ("Daniel", "Weston", "Detective Inspector, Public Protection", "HC", {}, None),
    "fire-lead": ("Kerry", "Itchen", "Community Safety Manager", "HIWFRS", {}, None),
}

PANEL = "Children and Families Scrutiny Panel"
PANEL_CHAIR = "cllr-bevois"
PANEL_MEMBERS = ["cllr-bevois", "councillor", "cllr-peartree", "cllr-lordswood"]
PORTFOLIO = ("Cabinet Member for Children's Social Care", "cllr-bargate")

AREA = {
    "slug": "southampton-childrens-social-care",
    "name": "Children's social care",
    "description": (
        "The journey of the child from contact and referral to assessment, child in need and child protection, "
        "looked after, and fostering, adoption or leaving care; the Children and Learning Improvement Plan."
    ),
}

PROGRAMME = {
    "slug": "southampton-scrutiny-2021-22",
    "name": "Children and Families Scrutiny 2021-22",
    "description": "The Children and Families Scrutiny Panel's meetings of the 2021-22 municipal year.",
    "start_date": D(2021, 6, 1),
    "end_date": D(2022, 5, 31),
    "self_evaluation_deadline": D(2022, 5, 31),
}

MEETING = {
    "title": "Children and Families Scrutiny Panel",
    "date": D(2021, 11, 4),
    "start_time": datetime.time(17, 30),
    "end_time": datetime.time(19, 30),
    "venue": "Conference Room 3, Civic Centre, Southampton",
}

ITEM = {
    "number": "26",
    "title": "Children's and Learning Service Improvement Plan",
    "report": (
        "Report of the Executive Director for Children and Learning providing the Panel with an update on "
        "progress against the revised Children and Learning Improvement Plan."
    ),
    "officers": ["rhenderson", "smurray", "jfeeney"],
}

# The officers' answers: question text → (who, answer), from what the minutes record.
ANSWERS = {
    "How does performance compare with the national average and with statistical neighbours?": (
        "jfeeney",
        "A new set of key performance indicators has been developed, benchmarked with the national statutory "
        "indicators, tracking the journey of the child from referral through to fostering or adoption or "
        "leaving care. Some of the new KPIs will have to wait for Care Director to go live, as PARIS cannot "
        "capture that data.",
    ),
    "What progress has been made against the improvement plan since the panel last met?": (
        "rhenderson",
        "The improvement plan is gaining momentum, with good partnership working and governance from the "
        "Improvement Board. This year the service focused on getting the staffing structure in order and "
        "embarked on the Destination 22 consultation; next year it will focus on getting the leadership and "
        "management team in place.",
    ),
    "How is the plan governed and assured?": (
        "smurray",
        "The new KPIs are used in assurance audits and in stretch and challenge sessions with service leads, "
        "both weekly. The Support and Challenge advisor's feedback indicates the service is moving in the "
        "right direction.",
    ),
}
CHALLENGE = (
    "How does performance compare with the national average and with statistical neighbours?",
    "councillor",
    "The targets in the reduction model only make sense against a longer run of data. How have these "
    "indicators moved over the last five years, against our statistical neighbours?",
    "rhenderson",
    "We will bring the data and the trends over a longer period to the Panel; the new performance "
    "infographic tool may also give members digital access to the data.",
)

RESOLUTION = {
    "text": (
        "RESOLVED: That, to provide greater context to the Children's Social Care reduction model and targets, "
        "the Panel would be provided with information that presented the data and performance trends over a "
        "longer period."
    ),
    "owner": "rhenderson",
    "response_due": D(2021, 12, 16),
    "response": Resolution.Response.ACCEPTED,
    "response_text": (
        "Accepted. From the Panel's next meeting the performance report shows five years of data for each "
        "children's social care KPI, with the national average and the statistical neighbours, beside the "
        "latest month."
    ),
    "status": Resolution.Status.IN_PROGRESS,
    "progress_note": (
        "Five-year series prepared for referrals, assessments and children looked after; the indicators that "
        "wait for Care Director will follow once it is live (January to April 2022)."
    ),
}


def seed_southampton(logins) -> Partnership:
    """Seed Southampton (see the module's docstring); `logins` (demo.seed.accounts.Logins)
    sets and records the `scrutiny` and `councillor` demonstration passwords."""
    partnership = Partnership.objects.filter(slug=PARTNERSHIP["slug"]).first()
    if partnership is None:
        partnership = create_partnership(**PARTNERSHIP)
    partners = {
        short: Partner.objects.update_or_create(
            partnership=partnership,
            name=name,
            defaults={"short_name": short, "kind": kind, "contact_email": email},
        )[0]
        for short, (name, kind, email) in PARTNERS.items()
    }
    people = _people(partnership, partners, logins)
    area, _ = ThematicArea.objects.update_or_create(
        slug=AREA["slug"],
        defaults={
            "partnership": partnership,
            "name": AREA["name"],
            "description": AREA["description"],
            "lead_partner": partners["SCC"],
            "lead_officer": people["jfeeney"],
        },
    )
    panel, _ = ScrutinyPanel.objects.update_or_create(
        partnership=partnership, name=PANEL, defaults={"chair": people[PANEL_CHAIR]}
    )
    panel.members.set([people[u] for u in PANEL_MEMBERS])
    portfolio, _ = CabinetPortfolio.objects.update_or_create(
        partnership=partnership, title=PORTFOLIO[0], defaults={"holder": people[PORTFOLIO[1]]}
    )
    portfolio.areas.set([area])
    programme = _programme(partnership, area, people)
    meeting = _meeting(programme, area, panel, people)
    item = _item(meeting, area, people)
    _workspace(meeting, area, people)
    _resolution(item, people)
    return partnership


def _people(partnership, partners, logins) -> dict:
    people = {}
    for username, (first, last, title, partner, roles, login) in PEOPLE.items():
        person, created = User.objects.update_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "job_title": title,
                "email": f"{username}@southampton.example",
                "is_staff": False,
                "is_superuser": False,
            },
        )
        Membership.objects.update_or_create(
            partnership=partnership,
            person=person,
            defaults={
                "partner": partners[partner],
                "is_facilitator": roles.get("is_facilitator", False),
                "is_officer": roles.get("is_officer", False),
                "is_councillor": roles.get("is_councillor", False),
                "is_active": True,
            },
        )
        if login:
            logins.set_password(person, created, login)
        elif created:
            person.set_unusable_password()
            person.save(update_fields=["password"])
        person.forget_memberships()
        people[username] = person
    return people


def _programme(partnership, area, people) -> Programme:
    question_set = QuestionSet.objects.filter(partnership=partnership, family=methodology.FAMILY).order_by("version")
    values = {"partnership": partnership, **{k: v for k, v in PROGRAMME.items() if k != "slug"}}
    programme, _ = Programme.objects.update_or_create(
        slug=PROGRAMME["slug"], defaults=values, create_defaults={**values, "question_set": question_set.first()}
    )
    programme.areas.add(area)
    programme.facilitators.add(people["scrutiny"])
    return programme


def _meeting(programme, area, panel, people) -> ChallengeSession:
    existing = ChallengeSession.objects.filter(
        programme=programme, title=MEETING["title"], date=MEETING["date"]
    ).first()
    if existing is not None:
        return existing
    meeting = create_session(
        programme=programme,
        areas=[area],
        facilitator=people["scrutiny"],
        kind=ChallengeSession.Kind.SCRUTINY,
        panel=panel,
        notify=False,
        notes="Public meeting. The agenda and reports are published five clear working days before.",
        **MEETING,
    )
    # Held: the demonstration shows its record (its workspace stays open for the journey).
    ChallengeSession.objects.filter(pk=meeting.pk).update(status=ChallengeSession.Status.HELD)
    meeting.refresh_from_db()
    return meeting


def _item(meeting, area, people) -> AgendaItem:
    existing = AgendaItem.objects.filter(session=meeting, number=ITEM["number"]).first()
    if existing is not None:
        return existing
    return agenda.add_agenda_item(
        session=meeting,
        number=ITEM["number"],
        title=ITEM["title"],
        area=area,
        report=ITEM["report"],
        presenting_officers=[people[u] for u in ITEM["officers"]],
    )


def _workspace(meeting, area, people) -> None:
    questions = {q.text: q for s in meeting.question_set.sections.all() for q in s.questions.all()}
    for text, (username, answer) in ANSWERS.items():
        question = questions[text]
        if not Answer.objects.filter(session=meeting, area=area, question=question).exists():
            save_answer(
                session=meeting, area=area, question=question, by=people[username], expected_revision=0, text=answer
            )
    text, asker, challenge, replier, reply = CHALLENGE
    question = questions[text]
    if not Comment.objects.filter(session=meeting, area=area, question=question, author=people[asker]).exists():
        thread = post_comment(
            session=meeting,
            area=area,
            question=question,
            author=people[asker],
            kind=Comment.Kind.QUESTION,
            text=challenge,
            notify=False,
        )
        reply_to(parent=thread, author=people[replier], text=reply, notify=False)


def _resolution(item, people) -> None:
    if Resolution.objects.filter(agenda_item=item).exists():
        return
    spec = RESOLUTION
    resolution = resolutions.record_resolution(
        item=item,
        by=people["scrutiny"],
        kind=Resolution.Kind.RESOLUTION,
        text=spec["text"],
        owner=people[spec["owner"]],
        response_due=spec["response_due"],
    )
    resolution = resolutions.record_response(
        resolution=resolution,
        by=people["scrutiny"],
        expected_revision=resolution.revision,
        response=spec["response"],
        response_text=spec["response_text"],
    )
    resolutions.update_progress(
        resolution=resolution,
        by=people[spec["owner"]],
        expected_revision=resolution.revision,
        status=spec["status"],
        progress_note=spec["progress_note"],
    )
