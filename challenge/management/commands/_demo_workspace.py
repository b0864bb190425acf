"""The 29 April 2009 session's workspace for `seed_demo`: the presenters' answers to every
question for Safeguarding children and Health inequalities, and the critical friends'
challenges with the presenters' replies and the facilitator's statuses.

Everything is written through the workspace services, as the app would write it, and checked
against the same rules (SessionAccess): a presenter answers only for their area, and a peer
reviewer never comments on an area their own organisation leads. Re-running changes nothing:
an answer already saved (revision > 0, perhaps edited in the app) is left alone, and a thread
or reply whose text is already there is not posted again. The figures are illustrative.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from challenge import methodology
from challenge.models import Question, User
from sessions.models import Answer, AnswerVersion, Comment, CommentVersion, Participant
from sessions.permissions import SessionAccess
from sessions.workspace_forms import RATING_FIELDS
from sessions.workspace_services import (
    post_comment,
    reply_to,
    save_answer,
    set_comment_status,
)

# Question codes, in the methodology's order: Impact I1–I4, Trajectory T1–T5, Improvement plan
# P1–P6. Answers and comments are matched to the session's questions by the question's text.
CODES = {
    question[0]: f"{letter}{number}"
    for letter, section in zip("ITP", methodology.SECTIONS, strict=True)
    for number, question in enumerate(section["questions"], start=1)
}


def ev(title, where):
    """An evidence item: `where` is a web link (https://…) or a document reference."""
    is_link = where.startswith("https://")
    return {"title": title, "link": where if is_link else "", "reference": "" if is_link else where}


# area slug -> question code -> (text, rating for the question's kind or None, evidence)
ANSWERS = {
    "safeguarding-children": {
        "I1": (
            ("If safeguarding performance slips, a child already known to agencies could be "
             "seriously harmed or killed because information was not shared or acted on. Since "
             "the Haringey case in November 2008, contacts to our contact and referral team have "
             "risen by about a third, and we are still carrying social work vacancies in the "
             "assessment teams.\n\n"
             "We rate the likelihood as possible (3) rather than likely: every new referral is "
             "screened by a qualified manager within 24 hours, caseloads are checked weekly, and "
             "agency cover is in place for every vacant post."),
            3, [ev("Contact and referral team weekly performance report, April 2009",
                   "CYPS/PERF/2009-16")]),
        "I2": (
            ("Around 56,000 children and young people live in Salford. At the end of March 2009, "
             "243 children were subject to a child protection plan and 487 were looked after, "
             "both above the average for our statistical neighbours. A failure at the front door "
             "or in assessment would reach every neighbourhood, not one team, so we rate the "
             "scale as wide (4)."),
            4, [ev("LSCB annual report 2008/09", "LSCB annual report 2008/09, section 3")]),
        "I3": (
            ("Very serious. Beyond the harm to children, the council and its partners have "
             "statutory duties under the Children Acts 1989 and 2004, and a serious case review "
             "or a poor inspection would damage confidence in the whole partnership. Ofsted's "
             "unannounced inspections of contact, referral and assessment start in June, and "
             "safeguarding will weigh heavily in the CAA organisational assessment. A red flag "
             "here would overshadow the good work elsewhere in the area self-evaluation."),
            None, []),
        "I4": (
            ("The risk is not spread evenly. Child protection plans are concentrated in a few "
             "neighbourhoods, and the same families often appear in domestic abuse, substance "
             "misuse and housing records.\n\n"
             "- Little Hulton and Walkden North: the highest rate of child protection plans per "
             "10,000 children in the city\n"
             "- Broughton and Kersal: rising referrals linked to domestic abuse and parental "
             "mental health\n"
             "- Ordsall and Langworthy: the most children in temporary accommodation\n"
             "- Disabled children and young carers, who are under-represented in referrals "
             "compared with national prevalence"),
            None, [ev("Joint Strategic Needs Assessment 2008, children and young people",
                      "JSNA 2008, chapter 4")]),
        "T1": (
            ("Yes, on timeliness. Initial assessments within 7 working days (NI 59) rose from "
             "62% in 2007/08 to 71% in 2008/09, and core assessments within 35 days (NI 60) from "
             "68% to 77%; child protection cases reviewed within timescale (NI 67) stayed at "
             "100%. The quality of assessments is less consistent, and our case-file audits "
             "still find plans that are not specific enough."),
            "improving", [ev("NI 59 and NI 60 returns 2008/09",
                             "https://performance.example.org/salford/ni59-ni60-2008-09")]),
        "T2": (
            ("Good, provided we keep the workforce. The recruitment campaign launched in "
             "February has filled 9 of our 14 vacant social worker posts, with the new starters "
             "in post by July, and the next Integrated Children's System release will cut the "
             "time workers spend on recording. The main risk is demand: if referrals stay at "
             "their post-November level, the gains in timeliness could stall later in the year."),
            None, []),
        "T3": (
            ("Medium. We are on track for the LAA targets for NI 59 and NI 60 and now in line "
             "with our statistical neighbours, but still below the England average for initial "
             "assessments. Until the new social workers are settled and the audit results "
             "improve, we would not claim more than medium confidence."),
            "medium", [ev("Children's Trust Board performance scorecard, Q4 2008/09",
                          "CTB/2009/04")]),
        "T4": (
            ("The safeguarding improvement plan has 42 actions: 31 are complete or on track, 8 "
             "are behind, and 3 have been re-scheduled to take account of Lord Laming's report "
             "in March. Most of the slippage is in multi-agency training and the roll-out of the "
             "Common Assessment Framework in secondary schools. Pace has been good where the "
             "council controls the work, and slower where it depends on partners' capacity."),
            None, []),
        "T5": (
            ("Three things would make the most difference:\n\n"
             "- keep the social work recruitment and retention package funded beyond March 2010\n"
             "- get every partner using the Common Assessment Framework, not just schools and "
             "children's centres: GP practices and A&E are the big gaps\n"
             "- share domestic abuse notifications from GMP with the contact and referral team "
             "within 24 hours, seven days a week\n\n"
             "The last depends on GMP's new notification system, which is due in the autumn."),
            None, []),
        "P1": (
            ("The Children's Trust Board owns the Children and Young People's Plan and receives "
             "a quarterly performance report. The LSCB's performance and quality assurance "
             "sub-group meets monthly and looks at NI 59, NI 60, NI 64, NI 65 and NI 67 "
             "alongside the results of multi-agency case audits.\n\n"
             "Inside the council, the Strategic Director chairs a weekly performance clinic at "
             "which team managers take us through every assessment that is out of timescale."),
            None, [ev("LSCB performance and quality assurance sub-group: terms of reference",
                      "LSCB/PQA/2008-01")]),
        "P2": (
            ("The main activities are the social work recruitment and retention package, a "
             "revised thresholds document agreed by every LSCB partner in January, and "
             "multi-agency safeguarding training (1,120 staff trained in 2008/09). There is a "
             "CAF co-ordinator in each of the city's eight community committee areas. We have "
             "also opened a duty consultation line so that teachers, health visitors and police "
             "officers can talk a case through with a qualified social worker before referring."),
            None, []),
        "P3": (
            ("We audit 20 case files a month against a standard tool, and the LSCB runs a "
             "themed multi-agency audit each quarter (the last two were neglect and domestic "
             "abuse). The audits show timeliness improving faster than quality: 64% of files "
             "were rated good or adequate in March, against 51% in October. We have not yet "
             "asked children and families systematically what difference the service made, and "
             "that is a gap."),
            None, [ev("Multi-agency audit: domestic abuse and child protection, February 2009",
                      "LSCB/AUDIT/2009-02")]),
        "P4": (
            ("In places. Joint screening of domestic abuse notifications with GMP's Public "
             "Protection Investigation Unit cut the backlog from over 300 notifications to under "
             "40 in three months, which no single agency could have done. Health visitors and "
             "school nurses now attend every initial child protection conference. The gap is "
             "adult services: mental health and drug and alcohol services are not yet involved "
             "consistently in child protection planning."),
            None, []),
        "P5": (
            ("Children living with domestic abuse have benefited most: a social worker sees them "
             "sooner, and high-risk cases go to the MARAC. Young people at risk of sexual "
             "exploitation around Pendleton and the Precinct now have a named worker through the "
             "joint project with GMP and the Children's Society. Teenage mothers in Little "
             "Hulton and Ordsall get a joint first visit from a midwife and a family support "
             "worker."),
            None, [ev("MARAC quarterly report, January–March 2009", "MARAC/Q4/2008-09")]),
        "P6": (
            ("The timeliness indicators (NI 59, NI 60, NI 67) have improved, and the proportion "
             "of children becoming subject to a plan for a second time (NI 65) fell from 16% to "
             "12%. Ofsted's 2008 annual performance assessment judged staying safe adequate, "
             "with good capacity to improve.\n\n"
             "We cannot yet show better long-term outcomes for children; we will rely on the "
             "case audits and the unannounced inspection to show that the improvements are real."),
            None, [ev("Ofsted annual performance assessment 2008, Salford",
                      "https://www.example.org/ofsted/apa-2008-salford.pdf")]),
    },
    "health-inequalities": {
        "I1": (
            ("Poor performance means Salford people go on dying younger than the rest of the "
             "country: life expectancy is 74.9 years for men and 79.4 for women, about three "
             "and two years below England. Teenage pregnancy, smoking, alcohol and obesity drive "
             "most of that gap. Because alcohol and childhood obesity are still moving the wrong "
             "way, we rate the likelihood of missing our 2010 targets as likely (4)."),
            4, [ev("Salford Joint Strategic Needs Assessment 2008", "JSNA 2008, chapter 2")]),
        "I2": (
            ("Wide. Around 27% of adults in Salford smoke, against 21% in England; alcohol-"
             "related hospital admissions (NI 39) were 2,250 per 100,000 in 2007/08, among the "
             "highest in the North West; and one in five Year 6 children measured in the NCMP is "
             "obese. These are city-wide problems rather than pockets, although they are worst "
             "in the inner-city wards, so we rate the scale as wide (4)."),
            4, [ev("North West Public Health Observatory: local alcohol profile, Salford",
                   "https://www.example.org/nwpho/lape/salford-2008")]),
        "I3": (
            ("Very serious, for individuals and for the partnership. Smoking alone causes more "
             "than 400 deaths a year in Salford, and alcohol-related admissions cost Salford "
             "Royal and the PCT an estimated £14 million a year. As a Spearhead area we are "
             "expected to close the gap with England, and both World Class Commissioning and the "
             "CAA will judge us on it; the Health Inequalities National Support Team's visit in "
             "March was clear that we need to go further, faster."),
            None, []),
        "I4": (
            ("The gap inside the city is wider than the gap with England: men in Broughton live "
             "about ten years less than men in Worsley and Boothstown.\n\n"
             "- Little Hulton and Ordsall: under-18 conception rates more than twice the city "
             "average\n"
             "- Broughton, Kersal and Langworthy: adult smoking estimated at over 40%\n"
             "- Irwell Riverside and Ordsall: the highest alcohol-related admission rates\n"
             "- Children in the most deprived fifth of the city are almost twice as likely to "
             "be obese in Year 6\n\n"
             "Our targeted services are weighted towards these wards, but we cannot yet show the "
             "gap with the rest of the city narrowing."),
            None, []),
        "T1": (
            ("Mixed, so we have recorded no overall change. Under-18 conceptions (NI 112) are "
             "down 13% on the 1998 baseline and four-week smoking quitters are up, but alcohol-"
             "related admissions (NI 39) rose 9% last year and Year 6 obesity (NI 56) went from "
             "19.6% to 20.4%. All-age all-cause mortality is falling, but no faster than in "
             "England, so the life expectancy gap has not narrowed."),
            "no_change", [ev("Health inequalities indicator report, March 2009",
                             "PCT Board paper 09/041")]),
        "T2": (
            ("Reasonable for smoking and teenage pregnancy, harder for alcohol and obesity. New "
             "stop smoking contracts with community pharmacies start in May, and the refreshed "
             "teenage pregnancy strategy has the backing of every secondary head. Alcohol and "
             "obesity depend on things the PCT does not control, such as licensing, price, the "
             "food environment and physical activity, so progress relies on partners taking "
             "them on as their own priorities."),
            None, []),
        "T3": (
            ("Low. Against the 2010 targets we are on track only for smoking quitters. Under-18 "
             "conceptions need to fall by a further fifth in two years, which no comparable area "
             "has managed, and alcohol-related admissions would have to stop rising this year. "
             "Among the Greater Manchester Spearhead areas we are in the middle, not leading."),
            "low", [ev("Teenage Pregnancy Unit area data sheet, Salford, February 2009",
                       "https://www.example.org/tpu/salford-2009-02")]),
        "T4": (
            ("Unevenly. The stop smoking service met 91% of its 2008/09 target (2,105 four-week "
             "quitters against 2,310), and the C-Card condom scheme now runs in 38 outlets. The "
             "alcohol harm reduction strategy was agreed six months late, and the alcohol "
             "liaison nurse posts at Salford Royal were filled only in February. Children wait "
             "11 weeks for the weight management pathway."),
            None, []),
        "T5": (
            ("We need partners to own the targets with us, not just attend the meetings:\n\n"
             "- licensing, trading standards and GMP using their powers on under-age sales and "
             "irresponsible drinks promotions\n"
             "- the 12 schools that have not yet achieved Healthy Schools status taking up the "
             "sex and relationships education programme\n"
             "- GP practices offering brief advice on smoking and alcohol as routine\n"
             "- a single commissioning plan for alcohol across the PCT and the council\n\n"
             "None of these needs much new money; they need partners to treat the targets as "
             "shared."),
            None, []),
        "P1": (
            ("The Health Inequalities Board, chaired by the PCT's chief executive with the "
             "council's Strategic Director for Community, Health and Social Care, oversees one "
             "action plan with a lead officer for each focus topic. Each topic group reports "
             "monthly against its indicators, and the Board gets an exception report every "
             "quarter. The LAA Programme Board sees NI 112, NI 123, NI 39 and NI 56 in the "
             "quarterly LAA performance report."),
            None, [ev("Health Inequalities Board action plan 2009/10", "HIB/2009/03")]),
        "P2": (
            ("Each focus topic has its own programme:\n\n"
             "- Teenage pregnancy: the C-Card scheme, young people's sexual health clinics in "
             "Little Hulton and Broughton, and a specialist teenage pregnancy midwife\n"
             "- Smoking: the stop smoking service, with pharmacy drop-ins and a service for "
             "pregnant women\n"
             "- Alcohol: alcohol liaison nurses at Salford Royal, and identification and brief "
             "advice in GP practices\n"
             "- Obesity: MEND courses for families, Change4Life and school sport co-ordinators\n\n"
             "The PCT funds most of this; the council funds the Healthy Schools team."),
            None, []),
        "P3": (
            ("The stop smoking service reports four-week quits to the Department of Health, and "
             "the C-Card scheme records every registration and return visit. The University of "
             "Salford is evaluating the alcohol liaison nurses, with results due in the autumn. "
             "Most of the obesity programmes have no evaluation beyond attendance, which is the "
             "weakest part of our evidence."),
            None, [ev("University of Salford: evaluation brief, alcohol liaison nurses",
                      "UoS/HSCR/2009-07")]),
        "P4": (
            ("We can show it for teenage pregnancy, where schools, Connexions, the youth service "
             "and sexual health services work to one plan with a pooled budget, and the fall "
             "since 2006 has been steeper than in comparable areas. For smoking and alcohol the "
             "work is still mostly the PCT's own services, and what partners contribute is not "
             "yet measured."),
            None, []),
        "P5": (
            ("Young women in Little Hulton, where the under-18 conception rate has fallen three "
             "years running, and pregnant smokers, 180 of whom quit in 2008/09 with the "
             "specialist midwives.\n\n"
             "Families in Ordsall and Langworthy who took part in MEND, 70% of whom completed the "
             "course; and the 900 residents seen by community health trainers recruited from "
             "their own neighbourhoods, mostly men in their forties and fifties in Broughton and "
             "Kersal."),
            None, [ev("Community health trainers: annual report 2008/09",
                      "https://www.example.org/salford-pct/health-trainers-2008-09")]),
        "P6": (
            ("Some, but not yet enough to close the gap. Under-18 conceptions have fallen from "
             "58.1 to 50.6 per 1,000 since 1998, four-week quitters are up 18% in two years, and "
             "smoking in pregnancy at delivery fell from 24% to 21%. Alcohol-related admissions "
             "and childhood obesity are still rising. The National Support Team recognised the "
             "strength of the teenage pregnancy work and recommended the same approach for "
             "alcohol."),
            None, []),
    },
}

K, S = Comment.Kind, Comment.Status
# (area slug, question code, author, kind, text, status, [(reply author, reply text)])
THREADS = [
    ("safeguarding-children", "I1", "reviewer", K.CHALLENGE,
     ("You rate the likelihood 'possible'. On your own figures contacts are up by a third since "
      "November and five social work posts stay vacant until July. Why isn't this a 4, and what "
      "would make you move it?"), S.UNRESOLVED,
     [("lead", ("Fair challenge. We kept 3 because every referral is still screened within 24 "
                "hours and no allocated case is waiting for a worker. If the screening backlog "
                "goes over 20 or agency cover drops, we will move to 4 and tell the Children's "
                "Trust Board.")),
      ("facilitator", ("Recorded as unresolved: the panel was not persuaded that 3 reflects the "
                       "current pressure. Andrew to bring the backlog figures to the 22 May "
                       "report to the Executive."))]),
    ("safeguarding-children", "P2", "tony.byrne", K.SUGGESTION,
     ("Our crews carry out around 9,000 home fire safety checks a year in Salford, many in homes "
      "with young children that no other agency visits. If the LSCB funds the training, we can "
      "add a safeguarding prompt to the check and a direct line into the contact and referral "
      "team."), S.ADDRESSED,
     [("lead", ("Yes, please. It is on the agenda of the LSCB training sub-group on 12 May, and "
                "the duty consultation line can take calls from crews from June."))]),
    ("safeguarding-children", "T1", "reviewer", K.QUESTION,
     ("NI 59 went from 62% to 71%. How much of that comes from more contacts being closed as "
      "'no further action' at the front door rather than becoming referrals? What did the audit "
      "of those decisions find?"), S.OPEN,
     [("lead", ("We audited 50 contacts closed with no further action in March: 44 were the right "
                "decision, and the other 6 should have gone to assessment and have since been "
                "picked up. The January thresholds document should make those decisions more "
                "consistent; we will repeat the audit in July."))]),
    ("safeguarding-children", "I4", "reviewer", K.CHALLENGE,
     ("Domestic abuse runs through most of the plans you describe, and our incidents with "
      "children present are highest in Little Hulton and Ordsall. Yet there is nothing here on "
      "MARAC referrals or repeat incidents. Who owns that in the improvement plan?"), S.ADDRESSED,
     [("lead", ("Agreed, it should be there. The MARAC heard 212 cases in 2008/09, only 9% of them "
                "repeats against a national benchmark of 28%, which suggests we are missing "
                "repeats rather than preventing them. I have added an action, owned jointly with "
                "the chair of the domestic abuse partnership, to review repeat referrals by "
                "neighbourhood."))]),
    ("safeguarding-children", "P4", "tony.byrne", K.CHALLENGE,
     ("Every example here is the council's or the PCT's. Beyond a seat on the LSCB, where do the "
      "police and the fire service appear in the improvement plan? Full partnership involvement "
      "was meant to be tested today, and from this answer it isn't there yet."), S.UNRESOLVED,
     [("lead", ("The notification screening is joint work with GMP, but I accept that GMFRS "
                "appears nowhere in the plan and that it reads as the council's plan. We will "
                "invite both services to the next improvement board."))]),
    ("safeguarding-children", "P1", "reviewer", K.COMMENDATION,
     ("The weekly performance clinic, taking every out-of-timescale assessment through with the "
      "audit results alongside, is good practice. The Safer City partnership could use the same "
      "approach for its repeat-victim cases."), S.OPEN, []),
    ("safeguarding-children", "T3", "tony.byrne", K.QUESTION,
     "You say medium confidence. What would need to be true by September for you to say high?",
     S.OPEN,
     [("lead", ("Three tests: all 14 posts filled with permanent staff, initial assessments at 80% "
                "or better for two quarters running, and at least 70% of audited files rated good "
                "or adequate. We will report against those in the September update."))]),
    ("health-inequalities", "P6", "reviewer", K.CHALLENGE,
     ("How do you know the fall in under-18 conceptions in Little Hulton isn't just the smaller "
      "cohort? With a few dozen conceptions a year in one ward, the rate will swing either way "
      "from one year to the next."), S.ADDRESSED,
     [("joanne.pickering",
       ("The ward figures are rates per 1,000 girls aged 15 to 17, so a smaller cohort alone "
        "would not lower them, but you are right that the numbers are small: 38 conceptions in "
        "2005–07 against 51 in 2002–04. The self-evaluation will show three-year pooled rates with "
        "confidence intervals rather than single years."))]),
    ("health-inequalities", "T5", "tony.byrne", K.SUGGESTION,
     ("Smoking materials started four of the last six fatal house fires in Salford. Our crews "
      "already visit older smokers for home fire safety checks; with a simple referral form they "
      "could refer people straight to the stop smoking service. Could the PCT set that up?"),
     S.ADDRESSED,
     [("helen.barlow", ("Yes. Mark Entwistle's team will pilot referrals from crews working in "
                        "Little Hulton and Broughton from June, with a named adviser for crews to "
                        "call, and report referrals and quits to the Health Inequalities "
                        "Board."))]),
    ("health-inequalities", "P2", "reviewer", K.CHALLENGE,
     ("The alcohol work reads as if Salford Royal were the only setting. Around half the violent "
      "crime we deal with in Salford is alcohol-related, yet GMP is not on the alcohol steering "
      "group and licensing is not mentioned. How will NI 39 turn round without the enforcement "
      "side?"), S.UNRESOLVED,
     [("helen.barlow", ("A fair point. The steering group began as a commissioning group for "
                        "treatment services, which is why it is mostly health. We will ask the "
                        "Safer City partnership for a GMP lead and bring licensing into the "
                        "strategy refresh, but not before the self-evaluation goes in."))]),
    ("health-inequalities", "T1", "tony.byrne", K.QUESTION,
     ("Year 6 obesity went from 19.6% to 20.4%, but not every child was measured. Were the "
      "children missed from particular schools or neighbourhoods, and could that explain the "
      "rise?"), S.OPEN,
     [("helen.barlow", ("NCMP participation rose from 79% to 86%, and most of the extra children "
                        "measured were in Broughton and Ordsall schools, where obesity is highest, "
                        "so part of the rise is probably better coverage. We cannot separate the "
                        "two yet; next year's figures, at over 90%, will tell us more."))]),
    ("health-inequalities", "P3", "reviewer", K.CHALLENGE,
     ("The quitter figures are four-week quits. What proportion were validated with a carbon "
      "monoxide reading, and what do you know about who is still not smoking at 12 months in "
      "Broughton and Kersal, where prevalence is highest?"), S.OPEN,
     [("helen.barlow", ("76% were CO-validated, slightly above the national figure. We have no "
                        "12-month follow-up: it is not required nationally and we have not funded "
                        "it. The lifestyle survey this autumn will give ward-level prevalence, "
                        "which is the real test in those wards."))]),
    ("health-inequalities", "P5", "tony.byrne", K.COMMENDATION,
     ("The community health trainers, recruited from the neighbourhoods they work in, are "
      "reaching men in Broughton and Kersal who rarely see a GP. That is the targeted, local "
      "approach the CAA looks for, and worth putting forward as a possible green flag."), S.OPEN,
     []),
    ("health-inequalities", "I4", "tony.byrne", K.CHALLENGE,
     ("A ten-year gap between Broughton and Worsley, but is it widening or narrowing? If the "
      "targeted services are weighted to these wards, where is the ward-level trend that shows "
      "it is working?"), S.OPEN,
     [("helen.barlow", ("Ward life expectancy rests on small numbers of deaths and is published "
                        "only for five-year periods; the latest, 2003–07, shows the gap "
                        "unchanged. We will add ward trends for the four topic indicators, which "
                        "move faster."))]),
]


@dataclass
class Result:
    answers: int = 0  # answered questions in the session (revision > 0)
    threads: int = 0
    replies: int = 0
    new_answers: int = 0
    new_comments: int = 0
    notes: list = field(default_factory=list)  # what was not seeded, and why

    def summary(self):
        return (f"29 April: {self.answers} answers, {self.threads + self.replies} comments "
                f"({self.threads} threads, {self.replies} replies); new: {self.new_answers} "
                f"answers, {self.new_comments} comments")


def seed_workspace(session) -> Result:
    """Fill `session`'s workspace with ANSWERS and THREADS, skipping what is already there."""
    result = Result()
    if not session.is_open_for_work:
        result.notes.append(f"{session} is closed or cancelled: its workspace was left as it is.")
    else:
        areas = {area.slug: area for area in session.areas.all()}
        questions = {CODES.get(q.text): q for q in Question.objects.filter(
            section__question_set=session.question_set)}
        questions.pop(None, None)  # questions from a later version, which have no demo answer
        people = {u.username: u for u in User.objects.filter(username__in=_usernames())}
        started = timezone.now()
        _seed_answers(session, areas, questions, result)
        _seed_threads(session, areas, questions, people, result)
        _backdate(session, started)
    answered = Answer.objects.filter(session=session, revision__gt=0)
    comments = Comment.objects.filter(session=session)
    result.answers = answered.count()
    result.threads = comments.filter(parent__isnull=True).count()
    result.replies = comments.filter(parent__isnull=False).count()
    return result


def _backdate(session, since):
    """Date what this run seeded as it would have happened: answers written over the two
    days before the session, challenges and replies during it, decisions at its close."""
    def local(day, time):
        return timezone.make_aware(datetime.datetime.combine(day, time))

    first = local(session.date - datetime.timedelta(days=2), datetime.time(9))
    for i, answer in enumerate(Answer.objects.filter(session=session, updated_at__gte=since).order_by("pk")):
        when = first + datetime.timedelta(minutes=25 * i)
        Answer.objects.filter(pk=answer.pk).update(updated_at=when)
        AnswerVersion.objects.filter(answer=answer, edited_at__gte=since).update(edited_at=when)
    start, end = local(session.date, session.start_time), local(session.date, session.end_time)
    decided = end - datetime.timedelta(minutes=10)
    comments = list(Comment.objects.filter(session=session, created_at__gte=since).order_by("pk"))
    step = datetime.timedelta(seconds=int((decided - start).total_seconds()) // max(len(comments), 1))
    for i, comment in enumerate(comments):
        when = start + step * i
        Comment.objects.filter(pk=comment.pk).update(
            created_at=when, updated_at=when, status_at=decided if comment.status_at else None
        )
        CommentVersion.objects.filter(comment=comment).exclude(action=CommentVersion.Action.STATUS).update(at=when)
        CommentVersion.objects.filter(comment=comment, action=CommentVersion.Action.STATUS).update(at=decided)


def _usernames():
    names = {"facilitator"}
    for _, _, author, _, _, _, replies in THREADS:
        names.add(author)
        names.update(name for name, _ in replies)
    return names


def _presenter(session, area):
    """Who writes the area's answers: its lead officer if they present it, else a presenter."""
    presenters = [p.person for p in session.participants.filter(
        role=Participant.Role.PRESENTER, area=area).select_related("person").order_by("id")]
    for person in presenters:
        if person.pk == area.lead_officer_id:
            return person
    return presenters[0] if presenters else None


def _seed_answers(session, areas, questions, result):
    for slug, answers in ANSWERS.items():
        area = areas.get(slug)
        presenter = area and _presenter(session, area)
        if presenter is None or not SessionAccess(presenter, session).can_answer(area):
            result.notes.append(f"No presenter for {slug} in {session}: answers not seeded.")
            continue
        saved = dict(Answer.objects.filter(session=session, area=area)
                     .values_list("question_id", "revision"))
        for code, question in questions.items():
            if saved.get(question.pk, 0) > 0:
                continue  # already answered, perhaps edited in the app: keep it
            text, rating, evidence = answers[code]
            content = {"text": text, "evidence": evidence}
            rating_field = RATING_FIELDS.get(question.answer_kind)
            if rating_field and rating is not None:
                content[rating_field] = rating
            save_answer(session=session, area=area, question=question, by=presenter,
                        expected_revision=saved.get(question.pk, 0), **content)
            result.new_answers += 1


def _seed_threads(session, areas, questions, people, result):
    facilitator = session.facilitator
    for slug, code, username, kind, text, status, replies in THREADS:
        area, question, author = areas.get(slug), questions.get(code), people.get(username)
        if area is None or question is None or author is None:
            result.notes.append(f"Thread by {username} on {slug} {code}: not in this session.")
            continue
        refusal = SessionAccess(author, session).comment_refusal(area)
        if refusal:  # e.g. the reviewer's organisation leads the area
            result.notes.append(f"Thread by {username} on {slug} {code} not posted: {refusal}")
            continue
        thread = Comment.objects.filter(session=session, area=area, question=question,
                                        author=author, parent__isnull=True, text=text).first()
        if thread is None:
            thread = post_comment(session=session, area=area, question=question, author=author,
                                  kind=kind, text=text)
            result.new_comments += 1
            # The status only when first posted: a facilitator's later decision stands.
            if status != Comment.Status.OPEN and SessionAccess(facilitator, session).can_moderate():
                set_comment_status(comment=thread, by=facilitator, status=status)
        for reply_username, reply_text in replies:
            replier = people.get(reply_username)
            if replier is None or not SessionAccess(replier, session).can_reply(area):
                result.notes.append(f"Reply by {reply_username} on {slug} {code} not posted.")
                continue
            if not thread.replies.filter(author=replier, text=reply_text).exists():
                reply_to(parent=thread, author=replier, text=reply_text)
                result.new_comments += 1
