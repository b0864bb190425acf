#!/usr/bin/env python
"""How long the PDFs take, and how much of that is WeasyPrint's.

Builds a throwaway SQLite database in a temporary directory with a programme of 8 areas, each
covered by its own challenge session with 16 answered questions and 60 critical-friend comments
(threads and replies), a few findings and actions. Then it measures, over --repeat runs after
--warmup runs, the median of:

1. the mini self-evaluation of one area: the worker's `render_draft_pdf` task (queries,
   template, WeasyPrint; no web request renders a PDF), against WeasyPrint's own time
   rendering the same HTML (`evaluations.pdf.html_to_pdf` with a `timings` dict);
2. the area self-evaluation of the 8 areas: the whole `area_self_evaluation_pdf(programme)`
   from scratch (no stored part), against the time `html_to_pdf` reports for its documents.

It prints a table (whole time, WeasyPrint time, the share spent outside WeasyPrint, pages, bytes)
and exits with status 1 if the outside share of either exceeds --target (15% by default).
`--profile` adds a cProfile of the work done outside WeasyPrint. Then the area builds as a worker
runs them (each area's part rendered in a child process and stored, then reused): the full build,
the same build again, and a build after a change in one area, with their peak memory;
`--build-only` measures only these, `--rounds N` repeats them. `--data demo` or `--data 10x`
measures the demonstration data, or ten times it grown as bench/pages_bench.py grows it, instead.

Run from the repository root:

    .venv/bin/python bench/pdf_bench.py [--repeat 3] [--warmup 1] [--target 15] [--profile]
    .venv/bin/python bench/pdf_bench.py --data 10x --build-only --rounds 3

It touches neither db.sqlite3 nor any other file of the project.
"""

import argparse
import cProfile
import datetime
import io
import os
import platform
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

AREAS = [
    "Safeguarding children",
    "Safer city",
    "Health inequalities",
    "Economic prosperity",
    "Learning and skills",
    "Housing growth",
    "Environment and climate",
    "Older people's independence",
]
QUESTIONS = 16
COMMENTS = 60  # per area: THREADS threads and the rest replies
THREADS = 24
FINDINGS = 5  # per area
ACTIONS_PER_FINDING = (2, 1, 1, 2, 0)

SENTENCES = [
    "Referrals to children's social care rose by a fifth between April and December, most of them from "
    "schools and the police.",
    "The multi-agency referral hub now screens every contact within twenty-four hours, against four days a year ago.",
    "Performance is worst in Little Hulton, Winton and Broughton, where the gap with the city average "
    "has not narrowed since 2006.",
    "The partnership board reviews the indicator set quarterly and the delivery group monthly, with "
    "exceptions escalated to the chief executives.",
    "An independent audit of two hundred cases in March found that thresholds were applied consistently "
    "in nine cases out of ten.",
    "Staff turnover in the frontline teams fell from 24% to 15% after the recruitment and retention "
    "package was agreed.",
    "We expect the new neighbourhood management arrangements to shorten the time between a problem being "
    "reported and action on the ground.",
    "Comparator authorities in Greater Manchester improved faster over the same period, so our relative "
    "position has slipped slightly.",
    "The evaluation of the pilot in Ordsall showed a measurable fall in repeat incidents, but the sample "
    "was small and the period short.",
    "Funding for the second year depends on the outcome of the area-based grant review, which will not "
    "be known until the autumn.",
    "Residents' surveys show satisfaction rising from 61% to 68%, although the response rate in the most "
    "deprived wards remains low.",
    "Partners have agreed a single data-sharing protocol, which has removed most of the delays in "
    "passing information between agencies.",
    "The action plan has twelve milestones for this year; nine have been met, two are late and one has "
    "been dropped as no longer relevant.",
    "Voluntary sector partners deliver a third of the activity but are represented on only one of the "
    "four thematic delivery groups.",
    "The trajectory is on course for the 2011 target if the current rate of improvement is sustained "
    "through the next two winters.",
    "Case studies collected by the health trainers show families moving into work and off out-of-work "
    "benefits within six months.",
    "There is no single owner for the cross-cutting work on worklessness, and the three strands are "
    "reported to different boards.",
    "The Audit Commission's last inspection rated the service as performing adequately with promising "
    "prospects for improvement.",
]
REPLIES = [
    "The figures come from the quarterly return to the board; we can share the ward breakdown after the session.",
    "That is fair: the evaluation did not have a control group, and we are commissioning a larger study "
    "from the university.",
    "We have raised this with the chief executives' group, who agreed in February to nominate a single "
    "lead by the summer.",
    "The trend is the same if you exclude the change in recording practice, which we checked with the "
    "performance team.",
    "Yes, the voluntary sector forum has asked for a seat on the delivery group and the partnership "
    "board will decide in June.",
    "Capacity is the main risk: two posts are vacant and the interim arrangements end in September.",
]
KINDS = ["challenge", "question", "challenge", "suggestion", "challenge", "commendation"]
THEMES = ["Partnership involvement", "Pace of delivery", "Governance", "Plausibility of the approach"]


def paragraph(rng, sentences=4):
    return " ".join(rng.sample(SENTENCES, sentences))


def configure(tmpdir: Path, today: str = "2009-06-10") -> None:
    """Settings from the environment, as in production, but with a throwaway database."""
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "challenge.settings",
            "DATABASE_URL": f"sqlite:///{tmpdir / 'bench.sqlite3'}",
            "TASKS_BACKEND": "dummy",  # requests only queue; the bench calls the tasks itself
            "DEBUG": "false",
            "SECURE_SSL_REDIRECT": "false",
            "STATIC_MANIFEST": "false",
            "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
            "CHALLENGE_TODAY": today,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "MEDIA_ROOT": str(tmpdir / "media"),
            "STATIC_ROOT": str(tmpdir / "static"),  # WhiteNoise wants it to exist; finders serve the PDFs' CSS
            "LOG_LEVEL": "WARNING",
        }
    )
    (tmpdir / "static").mkdir()
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def demo_data(tmpdir: Path, *, grow: bool):
    """The demonstration data (`seed_demo`), grown ten times through the services if `grow`
    (`bench/pages_bench.py`'s `grow`): the demo programme, its areas, its facilitator."""
    from django.core.management import call_command

    configure(tmpdir, today="2009-05-20")  # as pages_bench.py: the demo's "today"
    call_command("seed_demo", stdout=io.StringIO())
    if grow:
        sys.path.insert(0, str(ROOT / "bench"))
        import pages_bench

        pages_bench.grow(log=lambda message: print(message, file=sys.stderr))
    from programmes.models import Programme, User

    programme = Programme.objects.get(slug="caa-2009")
    return programme, list(programme.areas.order_by("name")), User.objects.get(username="facilitator")


def build_data(seed=2009, scale=1):
    """The programme, its 8 areas and sessions, answers, comments, findings and actions; with
    `scale` N, every area is covered by N sessions, each with all of that."""
    from django.db import transaction

    from findings import services as fs
    from findings.models import Theme
    from programmes.models import AnswerKind, Question
    from programmes.services import new_question_set_version
    from sessions.models import Participant
    from tests import factories as f
    from workspace import services as ws
    from workspace.models import Answer, Comment

    rng = random.Random(seed)
    with transaction.atomic():
        question_set = new_question_set_version(question_set=f.default_question_set())
        last = question_set.sections.order_by("-position").first()
        Question.objects.create(
            section=last,
            text="What do residents and service users say about the difference it has made?",
            guidance="Surveys, complaints, compliments and what the voluntary sector hears.",
            answer_kind=AnswerKind.TEXT,
            position=last.questions.count() + 1,
        )
        questions = list(
            Question.objects.filter(section__question_set=question_set).order_by("section__position", "position")
        )
        assert len(questions) == QUESTIONS, len(questions)

        partners = [
            f.partner("Salford City Council", short_name="SCC"),
            f.partner("Greater Manchester Police", short_name="GMP"),
            f.partner("Salford Primary Care Trust", short_name="PCT"),
            f.partner("Greater Manchester Fire and Rescue Service", short_name="GMFRS"),
        ]
        facilitator = f.person(partners[0], "facilitator", first_name="Ruth", last_name="Mellor")
        reviewers = [
            f.person(p, f"reviewer{i}", first_name=first, last_name=last)
            for i, (p, first, last) in enumerate(
                zip(
                    partners,
                    ["Karen", "Paul", "Helen", "Tony"],
                    ["Ashworth", "Hargreaves", "Barlow", "Byrne"],
                    strict=True,
                )
            )
        ]
        areas, leads = [], []
        for i, name in enumerate(AREAS):
            partner = partners[i % len(partners)]
            lead = f.person(partner, f"lead{i}", first_name="Lead", last_name=f"Officer {i + 1}")
            leads.append(lead)
            areas.append(f.area(partner, name, slug=f"bench-area-{i + 1}", lead_officer=lead))
        programme = f.programme(
            areas=areas,
            facilitators=[facilitator],
            name="CAA 2009 challenge sessions",
            slug="caa-2009",
            question_set=question_set,
        )
        themes = [Theme.objects.create(programme=programme, name=t) for t in THEMES]

        for i, (area, lead) in enumerate(zip(areas, leads, strict=True)):
            for copy in range(scale):
                session = f.session(
                    programme,
                    areas=[area],
                    facilitator=facilitator,
                    title=area.name if copy == 0 else f"{area.name} ({copy + 1})",
                    date=datetime.date(2009, 5, 4) + datetime.timedelta(days=2 * i + 20 * copy),
                )
                critics = [r for r in reviewers if r.partner_in(programme.partnership).pk != area.lead_partner_id]
                f.participant(session, lead, Participant.Role.PRESENTER, area)
                for r in critics:
                    f.participant(session, r, Participant.Role.REVIEWER)

                answers = []
                for q in questions:
                    content = {"text": paragraph(rng, 4) + "\n\n" + paragraph(rng, 3)}
                    kind = q.answer_kind
                    if kind == AnswerKind.LIKELIHOOD:
                        content["likelihood"] = rng.randint(2, 5)
                    elif kind == AnswerKind.SCALE:
                        content["scale"] = rng.randint(2, 5)
                    elif kind == AnswerKind.DIRECTION:
                        content["direction"] = rng.choice(["improving", "no_change", "declining"])
                    elif kind == AnswerKind.CONFIDENCE:
                        content["confidence"] = rng.choice(["high", "medium", "low"])
                    if rng.random() < 0.5:
                        content["evidence"] = [
                            {
                                "title": "Quarterly performance report to the partnership board",
                                "link": "",
                                "reference": "PB/2009/03",
                            },
                            {
                                "title": "Audit of referrals, March 2009",
                                "link": "https://example.org/audit.pdf",
                                "reference": "",
                            },
                        ][: rng.randint(1, 2)]
                    answers.append(
                        ws.save_answer(session=session, area=area, question=q, by=lead, expected_revision=0, **content)
                    )

                threads = []
                for t in range(THREADS):
                    q = questions[(t * 2 + i) % len(questions)]
                    thread = ws.post_comment(
                        session=session,
                        area=area,
                        question=q,
                        author=critics[t % len(critics)],
                        kind=KINDS[t % len(KINDS)],
                        text=paragraph(rng, rng.randint(1, 3)),
                    )
                    threads.append(thread)
                    if thread.kind != "commendation" and t % 3:
                        ws.set_comment_status(
                            comment=thread,
                            by=facilitator,
                            status=["addressed", "unresolved"][t % 2],
                            note="Not shown yet.",
                        )
                for r in range(COMMENTS - THREADS):
                    parent = threads[r % len(threads)]
                    author = lead if r % 2 == 0 else critics[(r + 1) % len(critics)]
                    ws.reply_to(parent=parent, author=author, text=rng.choice(REPLIES) + " " + paragraph(rng, 1))

                for k, kind in enumerate(["red_flag", "green_flag", "strength", "improvement", "risk"][:FINDINGS]):
                    finding = fs.record_finding(
                        session=session,
                        area=area,
                        by=facilitator,
                        kind=kind,
                        title=SENTENCES[(i + k) % len(SENTENCES)].split(",")[0].rstrip("."),
                        text=paragraph(rng, 3),
                        themes=rng.sample(themes, rng.randint(1, 2)),
                        evidence_answers=rng.sample(answers, 2),
                        evidence_comments=rng.sample(threads, 2),
                    )
                    for a in range(ACTIONS_PER_FINDING[k]):
                        fs.add_action(
                            finding=finding,
                            description=rng.choice(SENTENCES).replace("We expect", "Make sure"),
                            owner=lead,
                            due_date=datetime.date(2009, 5, 1) + datetime.timedelta(days=45 * a + 7 * k),
                        )
        for area in areas:  # what the issue asks for, checked
            assert sum(a.is_answered for a in Answer.objects.filter(area=area)) == QUESTIONS * scale
            assert Comment.objects.filter(area=area).count() == COMMENTS * scale
    return programme, areas, facilitator


def pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


class Recorder:
    """Wraps html_to_pdf (where evaluations.pdf and evaluations.area_pdf look it up) for the duration
    of a run, to keep the HTML it was given and WeasyPrint's wall and CPU time inside the run.
    Adds nothing measurable."""

    def __init__(self):
        import evaluations.area_pdf
        import evaluations.pdf
        import evaluations.tasks

        self.modules = (evaluations.pdf, evaluations.area_pdf, evaluations.tasks)
        self.original = evaluations.pdf.html_to_pdf
        self.html = None
        self.chars = 0  # of all the HTML rendered (the area build renders several documents)
        self.timings = {}
        self.cpu = 0.0

    def __enter__(self):
        def recording(html, **kwargs):
            self.html = html
            self.chars += len(html)
            theirs, mine = kwargs.get("timings"), {}
            kwargs["timings"] = mine
            cpu = time.process_time()
            try:
                return self.original(html, **kwargs)
            finally:
                self.cpu += time.process_time() - cpu
                for timings in (self.timings, theirs):
                    if timings is not None and "weasyprint" in mine:
                        timings["weasyprint"] = timings.get("weasyprint", 0) + mine["weasyprint"]

        for module in self.modules:
            module.html_to_pdf = recording
        return self

    def __exit__(self, *exc):
        for module in self.modules:
            module.html_to_pdf = self.original


def measure_mini(se):
    """The worker rendering the draft's PDF (`render_draft_pdf`: compile the area, render the
    HTML, WeasyPrint), then WeasyPrint alone on the same HTML."""
    from evaluations.models import DraftPdf
    from evaluations.pdf import html_to_pdf
    from evaluations.tasks import render_draft_pdf

    DraftPdf.objects.filter(pk=se.pk).delete()
    with Recorder() as rec:
        cpu, started = time.process_time(), time.perf_counter()
        assert render_draft_pdf.call(self_evaluation_id=se.pk) == "rendered"
        whole, whole_cpu = time.perf_counter() - started, time.process_time() - cpu
    alone = {}
    html_to_pdf(rec.html, title="bench", timings=alone)
    return {
        "whole": whole,
        "weasyprint": rec.timings["weasyprint"],
        "weasyprint_alone": alone["weasyprint"],
        "whole_cpu": whole_cpu,
        "weasyprint_cpu": rec.cpu,
        "data": bytes(DraftPdf.objects.get(pk=se.pk).pdf),
        "html_chars": len(rec.html),
    }


COLD_CHILD = """
import sys, time
sys.argv = {argv!r}
started = time.process_time()
import django
django.setup()
setup = time.process_time() - started
from evaluations.pdf import html_to_pdf
with open({path!r}) as handle:
    html = handle.read()
runs = []
for _ in range(3):
    started = time.process_time()
    html_to_pdf(html, title="bench")
    runs.append(time.process_time() - started)
print(setup, *runs)
"""


def _measured_build(path, build_id):
    """In the build's child process (as `evaluations.tasks._build_quietly`): the build, each
    part rendered in a child process of its own; then this process's and its children's peak
    memory and CPU time, written to `path` for the bench."""
    import json
    import resource

    from evaluations import tasks

    try:
        tasks._build(build_id, render=tasks.render_in_child)
    finally:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        Path(path).write_text(
            json.dumps(
                {
                    "own_peak": own.ru_maxrss / 1024,
                    "children_peak": children.ru_maxrss / 1024,
                    "own_cpu": own.ru_utime + own.ru_stime,
                    "children_cpu": children.ru_utime + children.ru_stime,
                }
            )
        )


def worker_build(programme, facilitator, tmpdir):
    """One area build as a worker runs it (`build_in_child`): its time, pages, bytes, parts
    rendered, the peak memory of the build's process and of its largest rendering child, and
    this process's memory before and after."""
    import functools
    import json

    from evaluations.models import AreaPdfPart, AreaSelfEvaluationBuild
    from evaluations.tasks import build_in_child

    build = AreaSelfEvaluationBuild.objects.create(programme=programme, requested_by=facilitator)
    parts_before = set(AreaPdfPart.objects.values_list("pk", flat=True))
    figures = tmpdir / f"build-{build.pk}.json"
    own_before = current_rss()
    seconds = timed(lambda: build_in_child(build.pk, target=functools.partial(_measured_build, str(figures))))
    own_after = current_rss()
    build.refresh_from_db()
    assert build.status == "ready", build.error
    data = bytes(build.pdf)
    result = json.loads(figures.read_text())
    result.update(
        whole=seconds,
        cpu=result["own_cpu"] + result["children_cpu"],
        pages=pages(data),
        bytes=len(data),
        rendered=sorted(AreaPdfPart.objects.exclude(pk__in=parts_before).values_list("area__name", flat=True)),
        worker_before=own_before,
        worker_after=own_after,
    )
    return result


def change_area(programme, area):
    """Change what the area's part shows, through the service the page uses: its latest
    version's introduction (a draft or circulated one; a final one is reopened first)."""
    from evaluations.services import current_self_evaluation, reopen, update_texts

    self_evaluation = current_self_evaluation(programme=programme, area=area)
    if self_evaluation.is_final:
        self_evaluation = reopen(self_evaluation=self_evaluation, by=programme.facilitators.first())
    update_texts(
        self_evaluation=self_evaluation,
        expected_revision=self_evaluation.revision,
        introduction=f"{self_evaluation.introduction}\n\nChanged for the bench at {time.time()}.",
        conclusion=self_evaluation.conclusion,
    )


def measure_builds(programme, facilitator, tmpdir, changes=None, repeat=1):
    """The area builds as a worker runs them, `repeat` times in turn: the full build (no part
    stored), the same again (every part reused), and after a change in one area (that part
    rendered again) for each area `changes` names (by default the one with the largest part
    and the one nearest the median). Prints the medians; returns the rows."""
    from evaluations.models import AreaPdfPart

    runs = {}  # label -> [result of each round]
    names = changes
    for _ in range(repeat):
        AreaPdfPart.objects.all().delete()
        runs.setdefault("full build (every part rendered)", []).append(worker_build(programme, facilitator, tmpdir))
        runs.setdefault("unchanged (every part reused)", []).append(worker_build(programme, facilitator, tmpdir))
        sizes = {name: pages for pages, name in AreaPdfPart.objects.values_list("pages", "area__name")}
        if names is None:
            by_size = sorted(sizes, key=lambda name: -sizes[name])
            names = list(dict.fromkeys([by_size[0], by_size[len(by_size) // 2]]))
        for name in names:
            change_area(programme, programme.areas.get(name=name))
            label = f"one area changed: {name} ({sizes[name]} pages)"
            runs.setdefault(label, []).append(worker_build(programme, facilitator, tmpdir))
    rows = []
    for label, results in runs.items():
        row = {key: statistics.median(r[key] for r in results) for key in results[0] if key != "rendered"}
        row["rendered"] = results[-1]["rendered"]
        rows.append((label, row))
    full, full_cpu = rows[0][1]["whole"], rows[0][1]["cpu"]
    head = (
        f"{'area build, as a worker runs it':<58} {'time':>7} {'x full':>6} {'CPU':>7} {'x full':>6} {'pages':>5} "
        f"{'bytes':>10} {'build':>6} {'render':>6} {'worker':>10}"
    )
    print(f"\nMedian of {repeat} round(s).\n" + head)
    print("-" * len(head))
    for label, r in rows:
        print(
            f"{label:<58} {r['whole']:>6.1f}s {r['whole'] / full:>6.2f} {r['cpu']:>6.1f}s {r['cpu'] / full_cpu:>6.2f} "
            f"{r['pages']:>5.0f} {r['bytes']:>10,.0f} {r['own_peak']:>5.0f}M {r['children_peak']:>5.0f}M "
            f"{r['worker_before']:>4.0f}→{r['worker_after']:.0f}M"
        )
        if r["rendered"]:
            print(f"{'':<4}parts rendered: {', '.join(r['rendered'])}")
    print(
        "time: wall clock; CPU: of the build's process and its children; x full: as a share of the full "
        "build's;\nbuild: peak memory (ru_maxrss) of the build's process, which assembles the PDF; render: of the "
        "largest\nrendering child (both include what they inherit from the worker); worker: this process's "
        "resident memory before and after."
    )
    return rows


def current_rss() -> float:
    """This process's resident memory now, in MiB (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _mini_html(se):
    from evaluations.pdf import self_evaluation_html

    return self_evaluation_html(se)


def first_and_warm(html_path, argv):
    """A fresh process started as `argv` (a worker warms WeasyPrint up as Django starts): the
    CPU seconds Django's start-up took, then its first, second and third PDF of the same HTML
    (CPU time: WeasyPrint runs on one core, and it is not disturbed by other processes)."""
    import subprocess

    code = COLD_CHILD.format(argv=argv, path=str(html_path))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=600
    )
    return [float(x) for x in result.stdout.split()[-4:]]


def measure_area(programme):
    """The whole area self-evaluation, as the background task builds it, from scratch: every
    part rendered (here, in this process) and assembled."""
    from evaluations.area_pdf import area_self_evaluation_pdf
    from evaluations.models import AreaPdfPart

    AreaPdfPart.objects.all().delete()
    timings = {}
    with Recorder() as rec:
        cpu, started = time.process_time(), time.perf_counter()
        data = area_self_evaluation_pdf(programme, timings=timings)
        whole, whole_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "whole": whole,
        # html_to_pdf's own time: preparing the parts for the merge (relocatable_pdf) and the
        # merge count as outside WeasyPrint.
        "weasyprint": rec.timings["weasyprint"],
        "html": timings["html"],
        "whole_cpu": whole_cpu,
        "weasyprint_cpu": rec.cpu,
        "data": data,
        "html_chars": rec.chars,
    }


def median_run(fn, repeat, warmup):
    first = [fn() for _ in range(warmup)][:1]
    runs = [fn() for _ in range(repeat)]
    result = {k: statistics.median(r[k] for r in runs) for k in runs[0] if isinstance(runs[0][k], (int, float))}
    result["runs"] = runs
    result["first"] = first[0] if first else None
    result["data"] = runs[-1]["data"]
    result["share"] = statistics.median(1 - r["weasyprint"] / r["whole"] for r in runs)
    result["share_cpu"] = statistics.median(1 - r["weasyprint_cpu"] / r["whole_cpu"] for r in runs)
    if "weasyprint_alone" in runs[0]:
        result["share_alone"] = statistics.median(1 - r["weasyprint_alone"] / r["whole"] for r in runs)
    return result


class Stubbed(Recorder):
    """html_to_pdf replaced by a stub: what is left is the work outside WeasyPrint. The stub
    returns a small tagged PDF rendered once beforehand, so that the area build still stores
    its parts and assembles them (the parts stored meanwhile are deleted on the way out)."""

    def __enter__(self):
        from evaluations.pdf import STATIC_BASE, WARM_UP_HTML

        small = self.original(WARM_UP_HTML.format(static_base=STATIC_BASE), title="stub")
        for module in self.modules:
            module.html_to_pdf = lambda html, **kwargs: small
        return self

    def __exit__(self, *exc):
        from evaluations.models import AreaPdfPart

        super().__exit__(*exc)
        AreaPdfPart.objects.all().delete()


def timed(fn):
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def count_queries(fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def profile(label, fn, limit=25):
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(limit)
    print(f"\n--- cProfile, outside WeasyPrint: {label} ---")
    print(out.getvalue())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="measured runs of each case (median reported; default 3)")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs first (default 1)")
    parser.add_argument(
        "--target", type=float, default=15.0, help="largest share outside WeasyPrint, in %% (default 15)"
    )
    parser.add_argument("--profile", action="store_true", help="also profile the work outside WeasyPrint (cProfile)")
    parser.add_argument("--verbose", action="store_true", help="also print every run's figures")
    parser.add_argument(
        "--scale", type=int, default=1, help="sessions covering each area: 10 for 10x the data (default 1)"
    )
    parser.add_argument(
        "--data",
        choices=["bench", "demo", "10x"],
        default="bench",
        help="bench: the data described above (with --scale); demo: seed_demo; 10x: seed_demo grown ten "
        "times through the services, as bench/pages_bench.py grows it (default bench)",
    )
    parser.add_argument(
        "--build-only",
        action="store_true",
        help="only the area builds as a worker runs them: full, unchanged, one area changed",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="rounds of the area builds as a worker runs them (median; default 1)"
    )
    parser.add_argument(
        "--change",
        action="append",
        metavar="AREA",
        help="the area whose change the area builds measure (repeatable; default: the largest part and a median one)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    tmpdir = Path(tempfile.mkdtemp(prefix="challenge-pdf-bench-"))
    try:
        started = time.perf_counter()
        if args.data == "bench":
            configure(tmpdir)
            programme, areas, facilitator = build_data(scale=args.scale)
            print(
                f"Data: 1 programme, {len(areas)} areas in {len(areas) * args.scale} sessions; per session "
                f"{QUESTIONS} answered "
                f"questions, {COMMENTS} comments ({THREADS} threads, {COMMENTS - THREADS} replies), "
                f"{FINDINGS} findings, {sum(ACTIONS_PER_FINDING)} actions. "
                f"Built in {time.perf_counter() - started:.1f} s."
            )
        else:
            programme, areas, facilitator = demo_data(tmpdir, grow=args.data == "10x")
            print(f"Data: {args.data} ({len(areas)} areas). Built in {time.perf_counter() - started:.1f} s.")

        # Like a worker (see EvaluationsConfig): WeasyPrint and its fonts loaded before any
        # build, so that the processes forked for a build inherit them warm.
        from evaluations.pdf import warm_up

        warm_up()
        if args.build_only:
            measure_builds(programme, facilitator, tmpdir, args.change, args.rounds)
            return 0

        from django.test import Client
        from django.urls import reverse

        from evaluations.area_pdf import area_self_evaluation_pdf
        from evaluations.services import current_self_evaluation

        area = areas[0]
        se = current_self_evaluation(programme=programme, area=area)
        client = Client()
        client.force_login(facilitator)
        url = reverse("self_evaluation_pdf", args=[se.pk])

        mini = median_run(lambda: measure_mini(se), args.repeat, args.warmup)
        full = median_run(lambda: measure_area(programme), args.repeat, args.warmup)

        rows = [
            ("Mini self-evaluation, 1 area (worker task)", mini),
            (f"Area self-evaluation, {len(areas)} areas", full),
        ]
        print(
            f"\nMedian of {args.repeat} run(s) after {args.warmup} warm-up; Python {platform.python_version()}, "
            f"WeasyPrint {metadata.version('weasyprint')}, {os.cpu_count()} CPU(s), "
            f"{datetime.date.today().isoformat()}.\n"
        )
        head = f"{'case':<52} {'whole':>7} {'WeasyPrint':>10} {'outside':>8} {'pages':>5} {'bytes':>9}"
        print(head)
        print("-" * len(head))
        for label, r in rows:
            print(
                f"{label:<52} {r['whole']:>6.2f}s {r['weasyprint']:>9.2f}s {100 * r['share']:>7.1f}% "
                f"{pages(r['data']):>5} {len(r['data']):>9,}"
            )

        # The work outside WeasyPrint on its own: the same task and build with WeasyPrint
        # replaced by a stub, so no noise from a second rendering.
        from evaluations.models import DraftPdf
        from evaluations.tasks import render_draft_pdf

        def mini_task():
            DraftPdf.objects.filter(pk=se.pk).delete()
            render_draft_pdf.call(self_evaluation_id=se.pk)

        from evaluations.models import AreaPdfPart

        def area_task():
            AreaPdfPart.objects.all().delete()
            area_self_evaluation_pdf(programme)

        with Stubbed():
            mini_outside = statistics.median(timed(mini_task) for _ in range(max(args.repeat, 3)))
            area_outside = statistics.median(timed(area_task) for _ in range(max(args.repeat, 3)))
            mini_q = count_queries(mini_task)
            area_q = count_queries(area_task)
        print(f"\nMini: the worker's render_draft_pdf task for version 1 of {area.name} (a draft).")
        print(
            f"Mini: WeasyPrint rendering the same HTML again, alone: {mini['weasyprint_alone']:.2f} s "
            f"(outside share {100 * mini['share_alone']:.1f}%). CPU time: {mini['whole_cpu']:.2f} s whole, "
            f"{mini['weasyprint_cpu']:.2f} s WeasyPrint (outside share {100 * mini['share_cpu']:.1f}%).\n"
            f"      The task without WeasyPrint takes {1000 * mini_outside:.0f} ms, {mini_q} queries; "
            f"HTML {mini['html_chars']:,} characters."
        )
        print(
            f"Area: CPU time: {full['whole_cpu']:.2f} s whole, {full['weasyprint_cpu']:.2f} s WeasyPrint "
            f"(outside share {100 * full['share_cpu']:.1f}%).\n"
            f"      The build without WeasyPrint takes {1000 * area_outside:.0f} ms, {area_q} queries; "
            f"HTML {full['html_chars']:,} characters."
        )

        # The web request: a download of the unchanged draft is a file send; one of a changed
        # draft queues the task and shows the progress page. Neither renders a PDF.
        render_draft_pdf.call(self_evaluation_id=se.pk)
        download = statistics.median(timed(lambda: client.get(url)) for _ in range(max(args.repeat, 5)))
        assert client.get(url)["Content-Type"] == "application/pdf"
        DraftPdf.objects.filter(pk=se.pk).update(inputs_sha256="", wanted_sha256="")
        asked = timed(lambda: client.get(url))
        assert client.get(url).status_code == 202
        print(
            f"Web: GET {url}: {1000 * download:.0f} ms for the stored draft (a file send), "
            f"{1000 * asked:.0f} ms to ask the worker for a changed one (the progress page)."
        )

        measure_builds(programme, facilitator, tmpdir, args.change, args.rounds)

        # The first PDF of a process against a warm one: a plain process, and a worker (which
        # loads WeasyPrint and its fonts as it starts).
        html_path = tmpdir / "mini.html"
        html_path.write_text(_mini_html(se))
        for label, argv in [("plain process", ["bench"]), ("worker (manage.py db_worker)", ["manage.py", "db_worker"])]:
            setup, first, second, third = first_and_warm(html_path, argv)
            warm = min(second, third)
            print(
                f"First PDF, {label}, CPU time: Django start-up {setup:.2f} s; first PDF {first:.2f} s, "
                f"warm {warm:.2f} s: "
                f"{first / warm:.2f}x a warm one" + (" (target: at most 1.5x)" if "worker" in label else "")
            )
        if args.verbose:
            for label, r in rows:
                print(f"\n{label}, each run:")
                for run in r["runs"]:
                    print("  " + ", ".join(f"{k} {v:.3f}" for k, v in run.items() if isinstance(v, float)))

        if args.profile:
            with Stubbed():
                profile("the mini self-evaluation request", lambda: client.get(url))
                profile("the area self-evaluation build", area_task)

        over = [(label, r["share"]) for label, r in rows if 100 * r["share"] > args.target]
        print()
        if over:
            for label, share in over:
                print(
                    f"FAIL: {label}: {100 * share:.1f}% of the time is spent outside WeasyPrint "
                    f"(target: under {args.target:g}%)."
                )
            print("Run with --profile to see where it goes.")
            return 1
        print(f"OK: the time spent outside WeasyPrint is under {args.target:g}% in both cases.")
        return 0
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
