"""Salford's emerging findings and mini self-evaluations for `seed_demo`.

The findings are those the 2009 challenge sessions reported: a strong improvement programme for
safeguarding children, with issues of full partnership involvement, continued pace of delivery
and governance; the plausibility of the approach in sustaining improvement; and "green tags" in
employment creation, sustainability and the approach to tackling the recession. Each finding is
recorded by the facilitator through the findings services, with evidence from the 29 April
session's answers and critical-friend threads (`_demo_workspace.py`) and improvement actions
owned by people from the partners. The green flags are recorded on the 8 May session, which
has no answers yet, so they rest on no evidence.

Then the areas' mini self-evaluations: Safeguarding children final (its PDF rendered and
stored), Health inequalities a circulated draft, Responding to the recession a plain draft.

Re-running changes nothing and keeps what was changed in the app: themes are matched by name;
an area's findings (with their actions and action statuses) are recorded only while that area
has no findings in the session; a self-evaluation is written, circulated or finalised only
while it is an untouched version 1, and a final one is never reopened. The final PDF is
rendered with the app's clock on 20 May 2009 (unless CHALLENGE_TODAY says otherwise), so its
action plan shows what was overdue on the demo day.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings

from challenge import clock
from django.db import transaction

from findings.models import Action, Finding, SelfEvaluation, Theme
from findings.services import (
    add_action,
    circulate,
    current_self_evaluation,
    finalise,
    record_finding,
    set_action_status,
    update_texts,
)
from sessions.models import Answer, Comment

from ._demo_workspace import CODES

D = datetime.date
DEMO_TODAY = D(2009, 5, 20)  # the demo clock (CHALLENGE_TODAY): overdue is counted on this day
APRIL, MAY = D(2009, 4, 29), D(2009, 5, 8)
K, S = Finding.Kind, Action.Status

PARTNERSHIP = "Full partnership involvement"
PACE = "Continued pace of delivery"
GOVERNANCE = "Governance arrangements"
PLAUSIBILITY = "Plausibility of the approach"
THEMES = {
    PARTNERSHIP: "Every partner takes part in planning and delivering the improvement, not only "
                 "the lead organisation.",
    PACE: "Improvement programmes keep their pace of delivery through to the outcomes.",
    GOVERNANCE: "Who oversees the work, and whether the right partners are at the table.",
    PLAUSIBILITY: "Whether the approach is plausible: can it sustain the improvement and deliver "
                  "the target outcomes?",
}

# session date -> area slug -> findings, each a dict: kind, title, text, themes, evidence
# (answers by question code; threads by question code and author), and actions
# (description, owner, due date, status).
FINDINGS = {
    APRIL: {
        "safeguarding-children": [
            {"kind": K.STRENGTH, "title": "Strong improvement programme in place",
             "text": (
                 "The safeguarding improvement plan is comprehensive and closely monitored: 31 of "
                 "its 42 actions are complete or on track, the weekly performance clinic takes "
                 "every out-of-timescale assessment through with the audit results alongside, "
                 "and timeliness has improved (initial assessments within 7 days up from 62% to "
                 "71%, core assessments within 35 days from 68% to 77%). The panel commended the "
                 "performance clinic as practice other partnerships could adopt."),
             "themes": [],
             "answers": ["T1", "T4", "P1"], "threads": [("P1", "reviewer")],
             "actions": [
                 (("Present the weekly performance clinic to the Safer City partnership as a "
                   "model for its repeat-victim cases."), "lead", D(2009, 6, 18), S.NOT_STARTED),
             ]},
            {"kind": K.IMPROVEMENT,
             "title": "Full partnership involvement in the improvement plan",
             "text": (
                 "The plan reads as the council's plan. GMFRS appears nowhere in it, the police "
                 "mainly through the joint screening of domestic abuse notifications, and adult "
                 "mental health and drug and alcohol services are not consistently involved in "
                 "child protection planning. GP practices and A&E are the main gaps in the use "
                 "of the Common Assessment Framework."),
             "themes": [PARTNERSHIP, GOVERNANCE],
             "answers": ["P4", "T5"], "threads": [("P4", "tony.byrne"), ("P2", "tony.byrne")],
             "actions": [
                 (("Invite GMP and GMFRS to the safeguarding improvement board, each with a named "
                   "lead."), "lead", D(2009, 5, 20), S.IN_PROGRESS),
                 (("Add a safeguarding prompt to home fire safety checks, with training for crews "
                   "and a direct line to the contact and referral team."), "alison.cooper",
                  D(2009, 7, 31), S.NOT_STARTED),
                 (("Agree with GP practices and Salford Royal's A&E how they will use the Common "
                   "Assessment Framework."), "susan.whittaker", D(2009, 9, 30), S.NOT_STARTED),
             ]},
            {"kind": K.RISK, "title": "Pace of delivery depends on the workforce and on partners",
             "text": (
                 "Eight of the plan's 42 actions are behind, mostly multi-agency training and the "
                 "roll-out of the Common Assessment Framework in secondary schools. The gains in "
                 "timeliness depend on filling the remaining social work posts and could stall if "
                 "contacts stay at their post-November level. The panel was not persuaded that "
                 "'possible' reflects the current pressure on the front door."),
             "themes": [PACE],
             "answers": ["I1", "T2", "T4"], "threads": [("I1", "reviewer"), ("T3", "tony.byrne")],
             "actions": [
                 (("Send the LSCB a revised timetable for the eight improvement plan actions that "
                   "are behind."), "lead", D(2009, 4, 30), S.NOT_STARTED),
                 (("Bring the contact and referral screening backlog figures to the 22 May report "
                   "to the Executive."), "lead", D(2009, 5, 22), S.IN_PROGRESS),
                 (("Review repeat MARAC referrals by neighbourhood with the domestic abuse "
                   "partnership."), "lisa.naylor", D(2009, 7, 31), S.NOT_STARTED),
             ]},
        ],
        "health-inequalities": [
            {"kind": K.RED_FLAG,
             "title": "Gap in teenage conceptions in Little Hulton not narrowing",
             "text": (
                 "Little Hulton's under-18 conception rate is still more than twice the city "
                 "average. The ward's numbers are small enough that single-year rates swing "
                 "either way, and the partnership could not show that the gap with the rest of "
                 "Salford is narrowing, while the 2010 target needs a further fall of a fifth in "
                 "two years. The panel judged this a significant concern not being adequately "
                 "addressed."),
             "themes": [PLAUSIBILITY],
             "answers": ["I4", "T3", "P6"], "threads": [("P6", "reviewer")],
             "actions": [
                 (("Publish three-year pooled under-18 conception rates for Little Hulton and "
                   "Ordsall, with confidence intervals."), "joanne.pickering", D(2009, 6, 12),
                  S.IN_PROGRESS),
                 (("Offer every pregnant teenager in Little Hulton a joint first visit from a "
                   "midwife and a family support worker."), "lead", D(2009, 7, 31), S.NOT_STARTED),
                 (("Agree sex and relationships education with the secondary schools serving "
                   "Little Hulton that have not yet taken it up."), "stephen.clegg",
                  D(2009, 9, 30), S.NOT_STARTED),
             ]},
            {"kind": K.CROSS_CUTTING, "title": "Governance of the alcohol work sits with health",
             "text": (
                 "The alcohol steering group began as a commissioning group for treatment "
                 "services and is still mostly health. GMP is not on it and licensing is not in "
                 "the strategy, although around half the violent crime in Salford is "
                 "alcohol-related. Governance needs to bring enforcement and the Safer City "
                 "partnership into the work if alcohol-related admissions are to turn round."),
             "themes": [GOVERNANCE, PARTNERSHIP],
             "answers": ["P1", "P2", "T5"], "threads": [("P2", "reviewer")],
             "actions": [
                 ("Nominate a GMP lead to the alcohol steering group.", "gary.thornton",
                  D(2009, 5, 5), S.DONE),
                 (("Rewrite the alcohol steering group's terms of reference and bring licensing "
                   "into the strategy refresh."), "mark.entwistle", D(2009, 9, 30), S.NOT_STARTED),
                 (("Add alcohol-related admissions (NI 39) and alcohol-related violent crime to "
                   "the Safer City partnership's quarterly report."), "ian.mcdermott",
                  D(2009, 7, 15), S.IN_PROGRESS),
             ]},
            {"kind": K.RISK, "title": "Plausibility of the approach to alcohol and obesity",
             "text": (
                 "Alcohol-related admissions rose 9% last year and Year 6 obesity went from 19.6% "
                 "to 20.4%; the life expectancy gap has not narrowed. Targeted services are "
                 "weighted towards the worst wards, but there is no ward-level trend to show "
                 "that they work, and most obesity programmes are evaluated on attendance "
                 "only. The panel questioned whether the approach can deliver the 2010 targets."),
             "themes": [PLAUSIBILITY, PACE],
             "answers": ["T1", "T2", "P3"],
             "threads": [("I4", "tony.byrne"), ("T1", "tony.byrne"), ("P3", "reviewer")],
             "actions": [
                 (("Add ward-level trends for the four focus topic indicators to the Health "
                   "Inequalities Board's quarterly report."), "helen.barlow", D(2009, 6, 30),
                  S.IN_PROGRESS),
                 (("Pilot referrals from fire crews to the stop smoking service in Little Hulton "
                   "and Broughton."), "neil.parkinson", D(2009, 6, 1), S.NOT_STARTED),
                 ("Fund a 12-month follow-up of stop smoking quitters.", "mark.entwistle",
                  D(2009, 8, 31), S.DROPPED),
             ]},
        ],
    },
    MAY: {
        "responding-to-the-recession": [
            {"kind": K.GREEN_FLAG,
             "title": "Working neighbourhood teams: a local response to the recession",
             "text": (
                 "The partnership's approach to tackling the recession, with working "
                 "neighbourhood teams bringing jobs, skills, debt and benefits advice into the "
                 "most deprived neighbourhoods, is a potential green flag that is not "
                 "necessarily being recognised. The 8 May session will test the evidence."),
             "themes": [], "answers": [], "threads": [],
             "actions": [
                 (("Assemble the evidence for a green flag: residents helped into work and "
                   "advice given by the working neighbourhood teams."), "fiona.grant",
                  D(2009, 6, 5), S.NOT_STARTED),
                 ("Brief the Audit Commission's CAA lead on the working neighbourhood teams.",
                  "martin.vickers", D(2009, 6, 30), S.NOT_STARTED),
             ]},
            {"kind": K.GREEN_FLAG, "title": "Employment creation through city region developments",
             "text": (
                 "Employment creation through the city region developments is a potential green "
                 "flag: jobs for Salford residents that are not necessarily being recognised in "
                 "the assessment."),
             "themes": [], "answers": [], "threads": [], "actions": []},
        ],
        "sustainability-and-climate-change": [
            {"kind": K.GREEN_FLAG, "title": "The partnership's approach to sustainability",
             "text": (
                 "The partnership's work on sustainability is a potential green flag that is not "
                 "necessarily being recognised. The 8 May session will test the evidence."),
             "themes": [], "answers": [], "threads": [], "actions": []},
        ],
    },
}

# area slug -> (introduction, conclusion, what becomes of version 1: "final", "circulated" or
# "draft"). Texts are written only into an untouched version 1.
SELF_EVALUATIONS = {
    "safeguarding-children": (
        ("This mini self-evaluation sets out what the challenge session of 29 April 2009 found "
         "about safeguarding children in Salford: the impact of poor performance, the "
         "trajectory of improvement, and the improvement plan, with the critical friends' "
         "challenges from Greater Manchester Police and Greater Manchester Fire and Rescue "
         "Service."),
        ("Salford has a strong improvement programme for safeguarding children, and timeliness "
         "is improving. To sustain it the partnership must involve every partner in the plan, "
         "keep up the pace of delivery while demand stays high, and report against the tests "
         "for high confidence in the September update."),
        "final"),
    "health-inequalities": (
        ("Draft for partners' comments. This mini self-evaluation covers health inequalities "
         "and its four focus topics (teenage pregnancy, smoking, alcohol and obesity) as "
         "examined at the challenge session of 29 April 2009."),
        "", "circulated"),
    "responding-to-the-recession": ("", "", "draft"),
}


@dataclass
class Result:
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
        return (f"{self.themes} themes, {self.findings} findings ({self.red_flags} red and "
                f"{self.green_flags} green flags), {self.actions} actions ({self.overdue} overdue "
                f"on {_day(DEMO_TODAY)}); self-evaluations: {states}; new: "
                f"{self.new_findings} findings, {self.new_actions} actions")


def _on_demo_day():
    """Pin the app's clock (`challenge.clock.today`) to the demo day unless CHALLENGE_TODAY
    already pins it: otherwise the stored final PDF would mark every 2009 action overdue."""
    return clock.pinned(getattr(settings, "CHALLENGE_TODAY", None) or DEMO_TODAY)


def _day(date):
    return f"{date.day} {date:%B %Y}"


def seed_findings(programme, sessions, people) -> Result:
    """Seed the programme's themes, findings, actions and self-evaluations. `sessions` are the
    programme's sessions (any iterable, or a dict of them), `people` the users by username."""
    if isinstance(sessions, dict):
        sessions = sessions.values()
    by_date = {session.date: session for session in sessions}
    facilitator = people["facilitator"]
    result = Result()
    with transaction.atomic():
        themes = _seed_themes(programme)
        for date, areas in FINDINGS.items():
            session = by_date.get(date)
            if session is None:
                result.notes.append(f"No session on {_day(date)}: its findings not seeded.")
                continue
            session_areas = {area.slug: area for area in session.areas.all()}
            for slug, specs in areas.items():
                area = session_areas.get(slug)
                if area is None:
                    result.notes.append(f"{slug} is not in {session}: its findings not seeded.")
                elif not Finding.objects.filter(session=session, area=area).exists():
                    _seed_area_findings(session, area, specs, themes, facilitator, people,
                                        result)
        _seed_self_evaluations(programme, facilitator, result)
    findings = Finding.objects.filter(session__programme=programme)
    actions = Action.objects.filter(finding__session__programme=programme)
    result.themes = Theme.objects.filter(programme=programme).count()
    result.findings = findings.count()
    result.red_flags = findings.filter(kind=K.RED_FLAG).count()
    result.green_flags = findings.filter(kind=K.GREEN_FLAG).count()
    result.actions = actions.count()
    result.overdue = actions.overdue(DEMO_TODAY).count()
    return result


def _seed_themes(programme):
    # By name; the description only when created, so that an edit in the app stands.
    return {name: Theme.objects.get_or_create(programme=programme, name=name,
                                              defaults={"description": description})[0]
            for name, description in THEMES.items()}


def _seed_area_findings(session, area, specs, themes, facilitator, people, result):
    answers = {CODES.get(a.question.text): a for a in Answer.objects.filter(
        session=session, area=area, revision__gt=0).select_related("question")}
    threads = {}
    for thread in (Comment.objects.filter(session=session, area=area, parent__isnull=True,
                                          withdrawn_at__isnull=True)
                   .select_related("question", "author").order_by("created_at", "id")):
        threads.setdefault((CODES.get(thread.question.text), thread.author.username), thread)
    for spec in specs:
        evidence_answers = [answers[code] for code in spec["answers"] if code in answers]
        evidence_threads = [threads[key] for key in spec["threads"] if key in threads]
        missing = len(spec["answers"]) + len(spec["threads"]) - len(evidence_answers) - len(
            evidence_threads)
        if missing:
            result.notes.append(f"“{spec['title']}”: {missing} evidence items not in the session.")
        finding = record_finding(
            session=session, area=area, by=facilitator, kind=spec["kind"], title=spec["title"],
            text=spec["text"], themes=[themes[name] for name in spec["themes"]],
            evidence_answers=evidence_answers, evidence_comments=evidence_threads)
        result.new_findings += 1
        for description, owner, due_date, status in spec["actions"]:
            action = add_action(finding=finding, description=description, owner=people[owner],
                                due_date=due_date)
            if status != action.status:
                set_action_status(action=action, status=status)
            result.new_actions += 1


def _seed_self_evaluations(programme, facilitator, result):
    areas = {area.slug: area for area in programme.areas.all()}
    for slug, (introduction, conclusion, target) in SELF_EVALUATIONS.items():
        area = areas.get(slug)
        if area is None:
            result.notes.append(f"{slug} is not in {programme}: its self-evaluation not seeded.")
            continue
        se = current_self_evaluation(programme=programme, area=area)
        untouched = (se.version == 1 and se.status == SelfEvaluation.Status.DRAFT
                     and se.revision == 1 and not se.introduction and not se.conclusion)
        if untouched:
            if introduction or conclusion:
                se = update_texts(self_evaluation=se, expected_revision=se.revision,
                                  introduction=introduction, conclusion=conclusion)
            if target == "circulated":
                # E-mails the partners' contacts once the seed commits (a queued task).
                se = circulate(self_evaluation=se, by=facilitator)
            elif target == "final":
                with _on_demo_day():  # the PDF is kept for good: render it as on the demo day
                    se = finalise(self_evaluation=se, by=facilitator)
        result.self_evaluations[area.name] = f"v{se.version} {se.get_status_display().lower()}"
