"""The emerging findings with their themes and improvement actions (findings.toml), and the
areas' mini self-evaluations (self_evaluations.toml), written through the findings services.

Re-running changes nothing and keeps what was changed in the app: themes are matched by name;
an area's findings (with their actions and action statuses) are recorded only while that area
has no findings in the session; a self-evaluation is written, circulated or finalised only
while it is an untouched version 1, and a final one is never reopened. Circulating records the
circulation without e-mailing the partners' contacts. The final PDF is rendered with the app's
clock on the demo day (unless CHALLENGE_TODAY says otherwise), so that its action plan shows
what was overdue on that day.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from challenge import clock
from demo.seed.files import load
from demo.seed.workspace import CODES
from evaluations.models import SelfEvaluation
from evaluations.services import circulate, current_self_evaluation, finalise, update_texts
from findings.models import Action, Finding, Theme
from findings.services import add_action, record_finding, set_action_status
from workspace.models import Answer, Comment


@dataclass
class Result:
    demo_day: object = None
    themes: int = 0
    findings: int = 0
    red_flags: int = 0
    green_flags: int = 0
    actions: int = 0
    overdue: int = 0
    self_evaluations: dict = field(default_factory=dict)  # area name -> status, latest version
    new_findings: int = 0
    new_actions: int = 0
    notes: list = field(default_factory=list)

    def summary(self):
        states = ", ".join(f"{area} {status}" for area, status in self.self_evaluations.items())
        return (
            f"{self.themes} themes, {self.findings} findings ({self.red_flags} red and "
            f"{self.green_flags} green flags), {self.actions} actions ({self.overdue} overdue "
            f"on {_day(self.demo_day)}); self-evaluations: {states}; new: "
            f"{self.new_findings} findings, {self.new_actions} actions"
        )


def _day(date):
    return f"{date.day} {date:%B %Y}"


def seed_findings(programme, sessions, people, *, demo_day) -> Result:
    """Seed the programme's themes, findings, actions and self-evaluations. `sessions` are the
    programme's sessions by date, `people` the users by username, `demo_day` the day the
    demonstration is set on."""
    data = load("findings.toml")
    result = Result(demo_day=demo_day)
    with transaction.atomic():
        themes = _seed_themes(programme, data["theme"])
        recorded_by = people[data["recorded_by"]]
        for (date, slug), specs in _by_session_and_area(data["finding"]).items():
            session = sessions.get(date)
            area = session and session.areas.filter(slug=slug).first()
            if session is None:
                result.notes.append(f"No session on {_day(date)}: its findings not seeded.")
            elif area is None:
                result.notes.append(f"{slug} is not in {session}: its findings not seeded.")
            elif not Finding.objects.filter(session=session, area=area).exists():
                _seed_area_findings(session, area, specs, themes, recorded_by, people, result)
        _seed_self_evaluations(programme, people, demo_day, result)
    findings = Finding.objects.filter(session__programme=programme)
    actions = Action.objects.filter(finding__session__programme=programme)
    result.themes = Theme.objects.filter(programme=programme).count()
    result.findings = findings.count()
    result.red_flags = findings.filter(kind=Finding.Kind.RED_FLAG).count()
    result.green_flags = findings.filter(kind=Finding.Kind.GREEN_FLAG).count()
    result.actions = actions.count()
    result.overdue = actions.overdue(demo_day).count()
    return result


def _by_session_and_area(specs):
    grouped = {}
    for spec in specs:
        grouped.setdefault((spec["session"], spec["area"]), []).append(spec)
    return grouped


def _seed_themes(programme, specs):
    # By name; the description only when created, so that an edit in the app stands.
    return {
        spec["name"]: Theme.objects.get_or_create(
            programme=programme, name=spec["name"], defaults={"description": spec["description"]}
        )[0]
        for spec in specs
    }


def _seed_area_findings(session, area, specs, themes, recorded_by, people, result):
    answers = {
        CODES.get(a.question.text): a
        for a in Answer.objects.filter(session=session, area=area, revision__gt=0).select_related("question")
    }
    threads = {}
    for thread in (
        Comment.objects.filter(session=session, area=area, parent__isnull=True, withdrawn_at__isnull=True)
        .select_related("question", "author")
        .order_by("created_at", "id")
    ):
        threads.setdefault((CODES.get(thread.question.text), thread.author.username), thread)
    for spec in specs:
        wanted_answers = spec.get("evidence_answers", [])
        wanted_threads = [(t["question"], t["author"]) for t in spec.get("evidence_threads", [])]
        evidence_answers = [answers[code] for code in wanted_answers if code in answers]
        evidence_threads = [threads[key] for key in wanted_threads if key in threads]
        missing = len(wanted_answers) + len(wanted_threads) - len(evidence_answers) - len(evidence_threads)
        if missing:
            result.notes.append(f"“{spec['title']}”: {missing} evidence items not in the session.")
        finding = record_finding(
            session=session,
            area=area,
            by=recorded_by,
            kind=spec["kind"],
            title=spec["title"],
            text=spec["text"],
            themes=[themes[name] for name in spec.get("themes", [])],
            evidence_answers=evidence_answers,
            evidence_comments=evidence_threads,
        )
        result.new_findings += 1
        for action_spec in spec.get("action", []):
            action = add_action(
                finding=finding,
                description=action_spec["description"],
                owner=people[action_spec["owner"]],
                due_date=action_spec["due_date"],
            )
            if action_spec["status"] != action.status:
                set_action_status(action=action, status=action_spec["status"])
            result.new_actions += 1


def _on_demo_day(demo_day):
    """Pin the app's clock (`challenge.clock.today`) to the demo day unless CHALLENGE_TODAY
    already pins it: otherwise the stored final PDF would mark every 2009 action overdue."""
    return clock.pinned(getattr(settings, "CHALLENGE_TODAY", None) or demo_day)


def _seed_self_evaluations(programme, people, demo_day, result):
    data = load("self_evaluations.toml")
    by = people[data.pop("by")]
    areas = {area.slug: area for area in programme.areas.all()}
    for slug, spec in data.items():
        area = areas.get(slug)
        if area is None:
            result.notes.append(f"{slug} is not in {programme}: its self-evaluation not seeded.")
            continue
        se = current_self_evaluation(programme=programme, area=area)
        untouched = (
            se.version == 1
            and se.status == SelfEvaluation.Status.DRAFT
            and se.revision == 1
            and not se.introduction
            and not se.conclusion
        )
        if untouched:
            introduction, conclusion = spec.get("introduction", ""), spec.get("conclusion", "")
            if introduction or conclusion:
                se = update_texts(
                    self_evaluation=se, expected_revision=se.revision, introduction=introduction, conclusion=conclusion
                )
            if spec["becomes"] == "circulated":
                # Recorded as circulated, without e-mailing the demo partners' contacts.
                se = circulate(self_evaluation=se, by=by, notify=False)
            elif spec["becomes"] == "final":
                with _on_demo_day(demo_day):  # the PDF is kept for good: as on the demo day
                    se = finalise(self_evaluation=se, by=by)
        result.self_evaluations[area.name] = f"v{se.version} {se.get_status_display().lower()}"
