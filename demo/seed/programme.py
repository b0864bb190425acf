"""The thematic areas (areas.toml), the programme and its timetable (programme.toml) and
its challenge sessions (sessions.toml)."""

from django.utils.text import slugify

from demo.seed.files import load
from programmes import methodology
from programmes.models import FocusTopic, Milestone, Programme, QuestionSet, ThematicArea
from sessions.models import ChallengeSession, Participant
from sessions.services import add_participant, create_session

PROGRAMME_FIELDS = ["name", "description", "start_date", "end_date", "self_evaluation_deadline"]


def seed_areas(partnership, partners, people) -> dict:
    """The partnership's areas by slug, with their focus topics."""
    areas = {}
    for spec in load("areas.toml")["area"]:
        values = {
            "partnership": partnership,
            "name": spec["name"],
            "description": spec["description"],
            "lead_partner": partners[spec["lead_partner"]],
            "lead_officer": people[spec["lead_officer"]],
        }
        ThematicArea(**values).clean()  # the lead officer must work for the lead organisation
        area, _ = ThematicArea.objects.update_or_create(slug=slugify(spec["name"]), defaults=values)
        for position, topic in enumerate(spec.get("focus_topics", []), start=1):
            FocusTopic.objects.update_or_create(area=area, name=topic, defaults={"position": position})
        areas[area.slug] = area
    return areas


def programme_data() -> dict:
    return load("programme.toml")


def seed_programme(partnership, data, areas, people) -> Programme:
    """The partnership's programme (`data` from programme.toml) on every area, with its
    facilitators and milestones, run with the partnership's first version of the CAA
    methodology."""
    question_set = (
        QuestionSet.objects.filter(partnership=partnership, family=methodology.FAMILY).order_by("version").first()
    )
    if question_set is None:
        raise RuntimeError("The default question set is missing: run `manage.py migrate`.")
    values = {"partnership": partnership, **{name: data[name] for name in PROGRAMME_FIELDS}}
    programme, _ = Programme.objects.update_or_create(
        slug=data["slug"],
        defaults=values,
        # A facilitator may move the programme to a later version: keep their choice.
        create_defaults={**values, "question_set": question_set},
    )
    programme.areas.add(*areas.values())
    programme.facilitators.add(*(people[username] for username in data["facilitators"]))
    for spec in data["milestone"]:
        values = {"date": spec["date"], "precision": spec["precision"], "owner": spec.get("owner", "")}
        # `done` only on creation, so that ticking a milestone off survives a re-run.
        Milestone.objects.update_or_create(
            programme=programme, title=spec["title"], defaults=values, create_defaults={**values, "done": spec["done"]}
        )
    return programme


def seed_sessions(programme, areas, people, specs=None) -> dict:
    """Create each session of `specs` (by default those of sessions.toml) that is not there
    yet as a draft through the services (so that the critical-friend and booking rules are
    checked), add its participants without e-mailing them, then put it in its demonstration
    state. Sessions already present are left as they are. Returns the sessions by date."""
    sessions = {}
    for spec in load("sessions.toml")["session"] if specs is None else specs:
        existing = ChallengeSession.objects.filter(programme=programme, title=spec["title"], date=spec["date"]).first()
        if existing is not None:
            sessions[existing.date] = existing
            continue
        session = create_session(
            programme=programme,
            title=spec["title"],
            date=spec["date"],
            start_time=spec["start_time"],
            end_time=spec["end_time"],
            venue=spec["venue"],
            areas=[areas[slug] for slug in spec["areas"]],
            facilitator=people[spec["facilitator"]],
            reviewers=[people[username] for username in spec["reviewers"]],
            schedule=False,
            notify=False,
        )
        for presenter in spec["presenters"]:
            add_participant(
                session=session,
                person=people[presenter["person"]],
                role=Participant.Role.PRESENTER,
                area=areas[presenter["area"]],
                notify=False,
            )
        for username in spec["observers"]:
            add_participant(session=session, person=people[username], role=Participant.Role.OBSERVER, notify=False)
        # Straight to its state: the services would e-mail everyone on scheduling.
        ChallengeSession.objects.filter(pk=session.pk).update(status=spec["status"])
        session.refresh_from_db()
        sessions[session.date] = session
    return sessions
