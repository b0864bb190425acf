"""The programme's area self-evaluation: an executive summary followed by every area's mini
self-evaluation, in one tagged PDF.

Each area's part is a PDF of its own, rendered from its own HTML and stored (AreaPdfPart),
ready to merge, against `part_key`: the SHA-256 of that HTML, its stylesheets and the WeasyPrint
version. A build renders only the parts whose key has no stored part, one at a time (in the
worker, each in a child process of its own: `evaluations.tasks.render_in_child`), and the front
matter (cover, contents, executive summary), which shows the date and the parts' lengths;
`evaluations.pdf_merge.merge_tagged_pdfs` then assembles them into one tagged PDF, with the
contents' links to each part's first page, one outline, and page labels ("iii", "Safer city 3")
that match the pages' footers.

Why not one WeasyPrint render: WeasyPrint lays out the whole document at once, so its memory
grows with the pages (690 MiB at 10x the demo, 1.2 GiB for 1,553 pages), and its laid-out pages
cannot be kept from one build to the next (they hold C objects and do not pickle), so a change
in one area meant laying out every area again. Parts numbered within themselves ("Safer city ·
page 3 of 12") do not depend on one another: a part stays valid however long the others become."""

import datetime
import hashlib
import time
from dataclasses import dataclass, field
from functools import cache, partial
from importlib import metadata

from django.contrib.staticfiles import finders
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from evaluations.document import build_document, partnership_logo
from evaluations.models import AreaPdfPart, AreaSelfEvaluationBuild
from evaluations.pdf import STATIC_BASE, html_to_pdf
from evaluations.pdf_merge import PdfPiece, merge_tagged_pdfs, relocatable_pages, relocatable_pdf
from evaluations.selectors import compile_area, latest_self_evaluations
from findings.selectors import emerging_findings

# The links in the contents go to these addresses; the merge turns them into links to the
# parts' first pages (WeasyPrint drops a link to an anchor that is not in the same document).
PART_LINK_BASE = "https://challenge.invalid/area-part/"
# Part of every part's key: change it when a part's PDF would change with the same HTML (the
# way parts are rendered or merged), so that no stored part is reused.
PART_FORMAT = "area-part-2"
# The stylesheets a part is rendered with (its template links them).
PART_STYLESHEETS = ["css/pdf.css", "css/pdf-part.css"]
# A stored part no build has used for this many days is deleted, unless the latest build of
# its programme used it.
PART_KEEP_DAYS = 30


@dataclass
class Part:
    """One area's part of a build: what the front matter says of it, and its stored PDF."""

    area: object
    self_evaluation: object
    findings: int
    flags: int
    actions: int
    key: str
    summary: dict = field(default_factory=dict)  # the document's summary (impact, direction...)
    answered: int = 0
    stored: AreaPdfPart | None = None
    rendered: bool = False

    @property
    def anchor(self) -> str:
        return f"area-{self.area.pk}"

    @property
    def link(self) -> str:
        return PART_LINK_BASE + self.anchor

    @property
    def pages(self) -> int:
        return self.stored.pages

    @property
    def label(self) -> str:
        """The prefix of its pages' labels, as their footers show them: "Safer city 3"."""
        return f"{self.area.name} "


@dataclass
class Assembled:
    """A build's PDF, with the parts it was assembled from."""

    data: bytes
    parts: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    @property
    def rendered(self) -> list:
        return [part.area.name for part in self.parts if part.rendered]


def part_document(self_evaluation, compiled, logo=None) -> dict:
    return build_document(self_evaluation, compiled, anchor=f"area-{compiled.area.pk}", logo=logo)


def part_html(programme, area, self_evaluation, compiled, document=None) -> str:
    doc = document or part_document(self_evaluation, compiled)
    return render_to_string(
        "evaluations/pdf/area_part.html",
        {
            "programme": programme,
            "area": area,
            "self_evaluation": self_evaluation,
            "doc": doc,
            "anchor": f"area-{area.pk}",
            "title": f"{area.name}: {programme.name} area self-evaluation",
            "static_base": STATIC_BASE,
        },
    )


@cache
def _rendering_inputs() -> bytes:
    """What besides its HTML a part's PDF depends on: its stylesheets, the WeasyPrint version
    (read from the package's metadata: the web process never imports WeasyPrint) and the
    format. Fixed for the life of the process: a deploy restarts the workers."""
    digests = []
    for path in PART_STYLESHEETS:
        with open(finders.find(path), "rb") as handle:
            digests.append(hashlib.sha256(handle.read()).hexdigest().encode())
    return b"\0".join([*digests, metadata.version("weasyprint").encode(), PART_FORMAT.encode()])


def part_key(html: str) -> str:
    """The key a part's PDF is stored against: the SHA-256 of its HTML (which shows every input
    from the database) and of `_rendering_inputs`."""
    return hashlib.sha256(html.encode() + b"\0" + _rendering_inputs()).hexdigest()


def front_matter_html(programme, parts, summary, generated_at, unanswered=()) -> str:
    return render_to_string(
        "evaluations/pdf/area_self_evaluation.html",
        {
            "programme": programme,
            "title": f"{programme.name}: area self-evaluation",
            "parts": parts,
            "unanswered": unanswered,
            "all_areas": sorted([*parts, *unanswered], key=lambda part: part.area.name),
            "any_draft": any(not part.self_evaluation.is_final for part in parts),
            "summary": summary,
            "generated_at": generated_at,
            "static_base": STATIC_BASE,
        },
    )


def render_in_process(html: str, *, title: str, prefix: str | None = None) -> bytes:
    """`html` as a PDF, made ready to merge (`relocatable_pdf`) if a `prefix` is given. The
    worker does the same in a child process (`evaluations.tasks.render_in_child`)."""
    data = html_to_pdf(html, title=title)
    return data if prefix is None else relocatable_pdf(data, prefix=prefix)


def _store_part(programme, area, key, data) -> AreaPdfPart:
    pages = relocatable_pages(data)
    now = timezone.now()
    try:
        with transaction.atomic():
            return AreaPdfPart.objects.create(
                inputs_sha256=key, programme=programme, area=area, data=data, pages=pages, rendered_at=now, used_at=now
            )
    except IntegrityError:  # another build stored the same part a moment ago
        return AreaPdfPart.objects.defer("data").get(inputs_sha256=key)


def _touch_part(key) -> int:
    return AreaPdfPart.objects.filter(inputs_sha256=key).update(used_at=timezone.now())


def assemble_area_self_evaluation(programme, *, progress=None, render=None, write=None, timings=None) -> Assembled:
    """The programme's area self-evaluation PDF, from each area's stored part where its key has
    one, rendering (with `render`, `render_in_process` by default) the others and the front
    matter. `progress(percent, step)` is told each step; `write(fn)` runs each database write
    (the worker retries one that meets a locked SQLite database). `timings` gets the seconds
    spent on the HTML ("html": compiling the areas, the templates, looking the parts up),
    rendering ("render": WeasyPrint and preparing the parts for the merge) and merging."""
    progress = progress or (lambda percent, step: None)
    render = render or render_in_process
    write = write or (lambda function: function())
    timings = {} if timings is None else timings
    timings.setdefault("html", 0.0)
    timings.setdefault("render", 0.0)
    areas = list(
        programme.areas.select_related("lead_partner", "lead_officer").prefetch_related("focus_topics").order_by("name")
    )
    latest = latest_self_evaluations(programme, areas)
    logo = partnership_logo(programme.partnership)
    parts, unanswered = [], []
    for index, area in enumerate(areas, start=1):
        progress(int(2 + 78 * (index - 1) / max(len(areas), 1)), f"Compiling {area.name}")
        started = time.perf_counter()
        compiled = compile_area(programme, area)
        self_evaluation = latest[area.pk]
        document = part_document(self_evaluation, compiled, logo)
        part = Part(
            area=area,
            self_evaluation=self_evaluation,
            findings=len(compiled.findings),
            flags=len(compiled.flags),
            actions=len(compiled.actions),
            key="",
            summary=document["summary"],
            answered=document["answered"],
        )
        if not (part.answered or part.findings or document["introduction"] or document["conclusion"]):
            # Nothing answered or written yet: the front matter lists it in one line, no part.
            unanswered.append(part)
            timings["html"] += time.perf_counter() - started
            del compiled, document
            continue
        html = part_html(programme, area, self_evaluation, compiled, document)
        part.key = part_key(html)
        del compiled, document
        # Marked as used at once: pruning (by another build) spares what was used lately.
        if write(partial(_touch_part, part.key)):
            part.stored = AreaPdfPart.objects.defer("data").filter(inputs_sha256=part.key).first()
        timings["html"] += time.perf_counter() - started
        if part.stored is None:
            progress(int(2 + 78 * (index - 0.5) / max(len(areas), 1)), f"Rendering {area.name}")
            started = time.perf_counter()
            # The IDs of its structure elements start with its key: unique in any merge.
            data = render(html, title=f"{area.name} (area self-evaluation)", prefix=f"k{part.key[:16]}-")
            timings["render"] += time.perf_counter() - started
            part.stored = write(partial(_store_part, programme, area, part.key, data))
            part.rendered = True
            del data
        parts.append(part)
        del html

    now = timezone.now()
    progress(82, "Laying out the cover, contents and executive summary")
    started = time.perf_counter()
    html = front_matter_html(programme, parts, emerging_findings(programme), now, unanswered)
    timings["html"] += time.perf_counter() - started
    title = f"{programme.name}: area self-evaluation"
    started = time.perf_counter()
    front = render(html, title=title, prefix="front-")
    timings["render"] += time.perf_counter() - started

    progress(90, "Putting the parts together")
    started = time.perf_counter()

    def stored_pdf(pk):
        return lambda: bytes(AreaPdfPart.objects.values_list("data", flat=True).get(pk=pk))

    data = merge_tagged_pdfs(
        [
            PdfPiece(front, roman=True),
            *(
                PdfPiece(stored_pdf(part.stored.pk), label=part.label, link=part.link, title=part.area.name)
                for part in parts
            ),
        ]
    )
    timings["merge"] = time.perf_counter() - started
    return Assembled(data=data, parts=parts, timings=timings)


def area_self_evaluation_pdf(programme, progress=None, timings=None, render=None) -> bytes:
    return assemble_area_self_evaluation(programme, progress=progress, timings=timings, render=render).data


def prune_parts(now=None, keep_days=PART_KEEP_DAYS) -> int:
    """Delete the stored parts that no build has used for `keep_days` days, except those the
    latest ready build of each programme was assembled from (its next build will want most of
    them). Returns how many were deleted."""
    now = now or timezone.now()
    latest = AreaSelfEvaluationBuild.objects.filter(
        programme=OuterRef("programme"), status=AreaSelfEvaluationBuild.Status.READY
    ).order_by("-finished_at", "-pk")
    latest_builds = AreaSelfEvaluationBuild.objects.filter(pk=Subquery(latest.values("pk")[:1]))
    kept = AreaSelfEvaluationBuild.parts.through.objects.filter(areaselfevaluationbuild__in=latest_builds)
    old = AreaPdfPart.objects.filter(used_at__lt=now - datetime.timedelta(days=keep_days)).exclude(
        pk__in=kept.values("areapdfpart")
    )
    _, deleted = old.delete()
    return deleted.get(AreaPdfPart._meta.label, 0)
