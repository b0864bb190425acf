"""The programme's area self-evaluation: an executive summary followed by every area's mini
self-evaluation, in one PDF."""

import time

from django.template.loader import render_to_string
from django.utils import timezone

from evaluations.pdf import SECTIONS, STATIC_BASE, html_to_pdf
from evaluations.selectors import compile_area, latest_self_evaluations
from findings.selectors import emerging_findings


def area_self_evaluation_html(programme, progress=None) -> str:
    areas = list(programme.areas.select_related("lead_partner", "lead_officer").order_by("name"))
    latest = latest_self_evaluations(programme, areas)
    parts = []
    for index, area in enumerate(areas, start=1):
        if progress:
            progress(int(5 + 55 * (index - 1) / max(len(areas), 1)), f"Compiling {area.name}")
        parts.append(
            {
                "self_evaluation": latest[area.pk],
                "compiled_area": compile_area(programme, area),
                "anchor": f"area-{area.pk}",
            }
        )
    if progress:
        progress(60, "Laying out the pages")
    return render_to_string(
        "evaluations/pdf/area_self_evaluation.html",
        {
            "programme": programme,
            "title": f"{programme.name}: area self-evaluation",
            "parts": parts,
            "any_draft": any(not part["self_evaluation"].is_final for part in parts),
            "summary": emerging_findings(programme),
            "generated_at": timezone.now(),
            "static_base": STATIC_BASE,
            "sections": SECTIONS,
        },
    )


def area_self_evaluation_pdf(programme, progress=None, timings=None) -> bytes:
    started = time.perf_counter()
    html = area_self_evaluation_html(programme, progress)
    if timings is not None:
        timings["html"] = time.perf_counter() - started
    return html_to_pdf(html, title=f"{programme.name}: area self-evaluation", timings=timings)
