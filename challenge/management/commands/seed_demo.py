"""Load the Salford 2009 demonstration programme: `python manage.py seed_demo`.

The data come from Salford City Partnership's CAA challenge sessions (2009): four partners,
the people who took part, eight thematic areas, the "CAA 2009 challenge sessions" programme
with its timetable, and the four sessions on their real dates; the 29 April session's
workspace (answers and critical-friend threads) comes from `_demo_workspace.py`, and the
emerging findings, improvement actions and mini self-evaluations from `_demo_findings.py`
(which renders and stores the final Safeguarding children PDF); each area's performance
indicators come from `_demo_indicators.py`, seeded first so that the PDF shows them. The people
other than James Foster and Martin Vickers are invented; e-mail addresses are on `.example`.
"""

import datetime
import os
import secrets

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.text import slugify

from challenge import methodology
from challenge.models import (
    FocusTopic,
    Milestone,
    Partner,
    Programme,
    QuestionSet,
    ThematicArea,
    User,
)
from challenge.services import ensure_role_groups
from sessions.models import ChallengeSession, Participant
from sessions.services import add_participant, create_session

from ._demo_findings import seed_findings
from ._demo_indicators import seed_indicators
from ._demo_workspace import seed_workspace

D = datetime.date
T = datetime.time
DAY, MONTH = Milestone.Precision.DAY, Milestone.Precision.MONTH
PRESENTER, OBSERVER = Participant.Role.PRESENTER, Participant.Role.OBSERVER

# short name: (name, kind, contact e-mail)
PARTNERS = {
    "SCC": ("Salford City Council", Partner.Kind.COUNCIL, "partnership@salford.example"),
    "PCT": ("Salford Primary Care Trust", Partner.Kind.HEALTH, "partnership@pct.example"),
    "GMP": ("Greater Manchester Police", Partner.Kind.POLICE, "salford.partnerships@gmp.example"),
    "GMFRS": ("Greater Manchester Fire and Rescue Service", Partner.Kind.FIRE,
              "salford.borough@gmfrs.example"),
}
DOMAINS = {"SCC": "salford.example", "PCT": "pct.example", "GMP": "gmp.example",
           "GMFRS": "gmfrs.example"}

# username: (first name, last name, partner, job title)
PEOPLE = {
    "facilitator": ("Ruth", "Mellor", "SCC", "Performance and Policy Officer"),
    "lead": ("Andrew", "Kenyon", "SCC", "Assistant Director, Children's Services"),
    "reviewer": ("Paul", "Hargreaves", "GMP", "Chief Inspector, Partnerships"),
    "officer": ("Claire", "Dunn", "SCC", "Cabinet Support Officer"),
    "james.foster": ("James", "Foster", "SCC", "Chief Executive"),
    "martin.vickers": ("Martin", "Vickers", "SCC", "Director of Change"),
    "karen.ashworth": ("Karen", "Ashworth", "SCC", "Head of Sustainability"),
    "david.holt": ("David", "Holt", "SCC", "Strategic Director, Housing and Planning"),
    "fiona.grant": ("Fiona", "Grant", "SCC", "Assistant Director, Economic Development"),
    "stephen.clegg": ("Stephen", "Clegg", "SCC", "Head of School Improvement"),
    "nadia.hussain": ("Nadia", "Hussain", "SCC", "Community Cohesion Manager"),
    "helen.barlow": ("Helen", "Barlow", "PCT", "Director of Public Health"),
    "joanne.pickering": ("Joanne", "Pickering", "PCT", "Teenage Pregnancy Co-ordinator"),
    "mark.entwistle": ("Mark", "Entwistle", "PCT", "Head of Health Improvement"),
    "susan.whittaker": ("Susan", "Whittaker", "PCT", "Assistant Director, Commissioning"),
    "gary.thornton": ("Gary", "Thornton", "GMP", "Superintendent, Salford Division"),
    "lisa.naylor": ("Lisa", "Naylor", "GMP", "Inspector, Neighbourhood Policing"),
    "ian.mcdermott": ("Ian", "McDermott", "GMP", "Partnership Analyst"),
    "tony.byrne": ("Tony", "Byrne", "GMFRS", "Borough Commander, Salford"),
    "alison.cooper": ("Alison", "Cooper", "GMFRS", "Community Safety Manager"),
    "neil.parkinson": ("Neil", "Parkinson", "GMFRS", "Station Manager, Prevention"),
}
# The demonstration logins: username -> (role shown in the summary, fields set on the account)
DEMO_LOGINS = {
    "facilitator": ("facilitator", {"is_staff": True}),
    "lead": ("presenter / lead officer, Safeguarding children", {}),
    "reviewer": ("peer reviewer", {}),
    "officer": ("officer", {"is_officer": True}),
}
ADMIN = {"username": "admin", "email": "admin@salford.example", "first_name": "System",
         "last_name": "Administrator", "is_staff": True, "is_superuser": True}

# (name, lead partner, lead officer, description, focus topics)
AREAS = [
    ("Health inequalities", "PCT", "helen.barlow",
     ("Narrowing the gap in life expectancy between Salford and England, and between the "
      "city's own neighbourhoods."), ["Teenage pregnancy", "Smoking", "Alcohol", "Obesity"]),
    ("Sustainability and climate change", "SCC", "karen.ashworth",
     "Cutting the city's carbon emissions and preparing for a changing climate.", []),
    ("Decent homes, housing options and Salix Homes inspection", "SCC", "david.holt",
     ("Bringing social housing up to the decent homes standard, widening housing options, and "
      "preparing for the inspection of Salix Homes."), []),
    ("Responding to the recession", "SCC", "fiona.grant",
     ("Helping residents and businesses through the downturn: jobs, skills, debt advice and "
      "working neighbourhood teams."), []),
    ("Safeguarding children", "SCC", "lead",
     ("Keeping children safe from harm, and the partnership's improvement programme for "
      "children's safeguarding."), []),
    ("Safer city", "GMP", "gary.thornton",
     "Reducing crime, anti-social behaviour and the fear of crime across Salford.", []),
    ("School improvement and performance", "SCC", "stephen.clegg",
     ("Raising attainment and closing the gap between Salford's schools and the national "
      "average."), []),
    ("Community cohesion and equalities", "SCC", "nadia.hussain",
     ("Building a city where people from different backgrounds get on well together, and "
      "meeting the partnership's equality duties."), []),
]

PROGRAMME = {
    "name": "CAA 2009 challenge sessions",
    "partnership_name": "Salford City Partnership",
    "description": (
        "The LAA Programme Board agreed on 7 April 2009 that challenge sessions would review "
        "the areas for further consideration. Their outcomes feed the area self-evaluation."
    ),
    "start_date": D(2009, 4, 7),
    "end_date": D(2009, 11, 30),
    "self_evaluation_deadline": D(2009, 6, 15),
}
PROGRAMME_SLUG = "caa-2009"

# (title, date, precision, owner, done when first created)
MILESTONES = [
    ("James Foster reports emerging findings to the Executive", D(2009, 5, 22), DAY,
     "James Foster", True),
    ("Circulate the draft area self-evaluation to partners", D(2009, 6, 1), MONTH, "", False),
    ("Continue dialogue with the Audit Commission in these areas", D(2009, 6, 1), MONTH, "",
     False),
    ("Mini self-assessments completed in the highlighted areas", D(2009, 6, 15), DAY, "", False),
    ("Leaders' briefing", D(2009, 7, 6), DAY, "", False),
    ("Cabinet briefing", D(2009, 7, 14), DAY, "", False),
    ("Consideration by the Strategic Partnership Executive", D(2009, 7, 1), MONTH, "", False),
    ("Submit the area self-evaluation", D(2009, 7, 1), MONTH, "", False),
    ("Provide updated area self-evaluation", D(2009, 9, 1), MONTH, "", False),
    ("James Foster reports to the Executive", D(2009, 9, 15), DAY, "James Foster", False),
    ("CAA formal assessment", D(2009, 10, 1), MONTH, "", False),
    ("CAA judgements reported", D(2009, 11, 1), MONTH, "", False),
]

# Peer reviewers never come from an organisation that leads one of the session's areas.
SESSIONS = [
    {"title": "Safeguarding and health inequalities", "date": D(2009, 4, 29),
     "times": (T(10), T(12, 30)), "venue": "Salford Civic Centre, Committee Room 2",
     "status": ChallengeSession.Status.HELD,
     "areas": ["safeguarding-children", "health-inequalities"],
     "presenters": [("lead", "safeguarding-children"), ("helen.barlow", "health-inequalities"),
                    ("joanne.pickering", "health-inequalities")],
     "reviewers": ["reviewer", "tony.byrne"], "observers": ["martin.vickers"]},
    {"title": "Responding to the recession; sustainability and climate change",
     "date": D(2009, 5, 8), "times": (T(9, 30), T(12, 30)),
     "venue": "Salford Civic Centre, Committee Room 1", "status": ChallengeSession.Status.HELD,
     "areas": ["responding-to-the-recession", "sustainability-and-climate-change"],
     "presenters": [("fiona.grant", "responding-to-the-recession"),
                    ("karen.ashworth", "sustainability-and-climate-change")],
     "reviewers": ["reviewer", "mark.entwistle", "alison.cooper"], "observers": []},
    {"title": "Decent homes, housing options and Salix Homes inspection", "date": D(2009, 5, 15),
     "times": (T(14), T(16, 30)), "venue": "Salford Civic Centre, Committee Room 2",
     "status": ChallengeSession.Status.HELD,
     "areas": ["decent-homes-housing-options-and-salix-homes-inspection"],
     "presenters": [("david.holt", "decent-homes-housing-options-and-salix-homes-inspection")],
     "reviewers": ["susan.whittaker", "lisa.naylor", "neil.parkinson"], "observers": []},
    {"title": "Safer city", "date": D(2009, 6, 2), "times": (T(10), T(12)),
     "venue": "Salford Civic Centre, Committee Room 2", "status": ChallengeSession.Status.SCHEDULED,
     "areas": ["safer-city"],
     "presenters": [("gary.thornton", "safer-city"), ("lisa.naylor", "safer-city")],
     "reviewers": ["nadia.hussain", "mark.entwistle", "alison.cooper"],
     "observers": ["james.foster"]},
]


class Command(BaseCommand):
    help = "Load the Salford 2009 demonstration programme (idempotent: safe to run again)."

    def handle(self, *args, **options):
        self.password = os.environ.get("DEMO_PASSWORD") or None
        self.logins = []  # (username, role, password or None), for the summary
        with transaction.atomic():
            partners = _seed_partners()
            people = self._seed_people(partners)
            areas = _seed_areas(partners, people)
            kpis = seed_indicators(areas)
            programme = _seed_programme(areas, people)
            _seed_milestones(programme)
            sessions = _seed_sessions(programme, areas, people)
            work = seed_workspace(sessions[SESSIONS[0]["title"]])
            found = seed_findings(programme, sessions, people)
        for note in kpis.notes + work.notes + found.notes:
            self.stdout.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(
            f"Seeded {programme.name}: {len(partners)} partners, {len(people)} people, "
            f"{len(areas)} areas, {programme.milestones.count()} milestones, "
            f"{len(sessions)} sessions; indicators: {kpis.summary()}; {work.summary()}; "
            f"findings: {found.summary()}."))
        self.stdout.write("Demo logins:")
        for username, role, password in self.logins:
            shown = password if password else "(unchanged)"
            self.stdout.write(f"  {username:<12} {role:<50} password: {shown}")

    def _seed_people(self, partners):
        group = ensure_role_groups()
        people = {}
        for username, (first, last, short, job_title) in PEOPLE.items():
            fields = {"first_name": first, "last_name": last, "partner": partners[short],
                      "job_title": job_title,
                      "email": f"{first}.{last}@{DOMAINS[short]}".lower()}
            login = DEMO_LOGINS.get(username)
            if login:
                fields.update(login[1])
            person, created = User.objects.update_or_create(username=username, defaults=fields)
            if login:
                self._set_login_password(person, created, login[0])
            elif created:
                person.set_unusable_password()  # a participant only: nobody signs in as them
                person.save(update_fields=["password"])
            people[username] = person
        people["facilitator"].groups.add(group)
        admin = dict(ADMIN)
        admin_user, created = User.objects.update_or_create(
            username=admin.pop("username"), defaults=admin)
        self._set_login_password(admin_user, created, "administrator")
        return people

    def _set_login_password(self, user, created, role):
        password = self.password
        if password is None and (created or not user.has_usable_password()):
            password = secrets.token_urlsafe(9)
        if password is not None:
            user.set_password(password)
            user.save(update_fields=["password"])
        self.logins.append((user.username, role, password))


def _seed_partners():
    partners = {}
    for short, (name, kind, email) in PARTNERS.items():
        partners[short], _ = Partner.objects.update_or_create(
            name=name, defaults={"short_name": short, "kind": kind, "contact_email": email})
    return partners


def _seed_areas(partners, people):
    areas = {}
    for name, short, lead_username, description, topics in AREAS:
        values = {"name": name, "description": description, "lead_partner": partners[short],
                  "lead_officer": people[lead_username]}
        ThematicArea(**values).clean()  # the lead officer must work for the lead organisation
        area, _ = ThematicArea.objects.update_or_create(slug=slugify(name), defaults=values)
        for position, topic in enumerate(topics, start=1):
            FocusTopic.objects.update_or_create(
                area=area, name=topic, defaults={"position": position})
        areas[area.slug] = area
    return areas


def _seed_programme(areas, people):
    question_set = (QuestionSet.objects.filter(family=methodology.FAMILY)
                    .order_by("version").first())
    if question_set is None:
        raise RuntimeError("The default question set is missing: run `manage.py migrate`.")
    programme, _ = Programme.objects.update_or_create(
        slug=PROGRAMME_SLUG, defaults=PROGRAMME,
        # A facilitator may move the programme to a later version: keep their choice.
        create_defaults={**PROGRAMME, "question_set": question_set})
    programme.areas.add(*areas.values())
    programme.facilitators.add(people["facilitator"])
    return programme


def _seed_milestones(programme):
    milestones = {}
    for title, date, precision, owner, done in MILESTONES:
        values = {"date": date, "precision": precision, "owner": owner}
        # `done` only on creation, so that ticking a milestone off survives a re-run.
        milestones[title], _ = Milestone.objects.update_or_create(
            programme=programme, title=title, defaults=values,
            create_defaults={**values, "done": done})
    return milestones


def _seed_sessions(programme, areas, people):
    """Create each session that is not there yet, as a draft through the services (so the
    critical-friend and booking rules are checked and nobody is e-mailed), add its
    participants, then put it in its demonstration state. Sessions already present are left
    as they are. Returns the sessions by title."""
    sessions = {}
    for spec in SESSIONS:
        existing = ChallengeSession.objects.filter(
            programme=programme, title=spec["title"], date=spec["date"]).first()
        if existing is not None:
            sessions[spec["title"]] = existing
            continue
        start_time, end_time = spec["times"]
        session = create_session(
            programme=programme, title=spec["title"], date=spec["date"],
            start_time=start_time, end_time=end_time, venue=spec["venue"],
            areas=[areas[slug] for slug in spec["areas"]], facilitator=people["facilitator"],
            reviewers=[people[u] for u in spec["reviewers"]], schedule=False)
        for username, slug in spec["presenters"]:
            add_participant(session=session, person=people[username], role=PRESENTER,
                            area=areas[slug])
        for username in spec["observers"]:
            add_participant(session=session, person=people[username], role=OBSERVER)
        ChallengeSession.objects.filter(pk=session.pk).update(status=spec["status"])
        session.refresh_from_db()
        sessions[spec["title"]] = session
    return sessions
