"""Downloading an agenda item's scrutiny report: rendered by the worker, never here."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from evaluations import scrutiny_report, services
from programmes.permissions import refuse_outside
from sessions.models import AgendaItem
from sessions.permissions import can_view_session


@require_GET
@login_required
def scrutiny_report_pdf(request, pk):
    """The item's scrutiny report as it is now: the stored PDF if the worker rendered it from
    the same HTML; otherwise ask the worker for it and show its progress (htmx polls this URL
    for the status; without JavaScript, a link to reload it). Those who may see the meeting."""
    try:
        item = scrutiny_report.item_for_report(pk)
    except AgendaItem.DoesNotExist as exc:
        raise Http404("No such agenda item") from exc
    refuse_outside(request.user, item.session.programme.partnership_id)
    if not can_view_session(request.user, item.session):
        raise PermissionDenied("You do not take part in this meeting.")
    key = scrutiny_report.report_key(scrutiny_report.report_html(item))
    filename = f"scrutiny-report-item-{item.number}-{item.session.date:%Y-%m-%d}.pdf"
    if not request.htmx:
        data = scrutiny_report.stored_report(item, key)
        if data is not None:
            response = HttpResponse(data, content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    record = services.request_scrutiny_report(item=item, key=key, retry="retry" in request.GET)
    now = timezone.now()
    ready = record.is_ready(key)
    pdf = {
        "url": reverse("scrutiny_report_pdf", args=[item.pk]),
        "ready": ready,
        "failed": record.failed(key),
        "error": record.error,
        "waiting": not ready and not record.failed(key),
        "started": record.started_at is not None,
        "slow": record.requested_at is not None
        and (now - record.requested_at).total_seconds() > settings.BUILD_PICKUP_TIMEOUT,
    }
    template = "evaluations/scrutiny_report_pdf.html#status" if request.htmx else "evaluations/scrutiny_report_pdf.html"
    context = {"item": item, "session": item.session, "programme": item.session.programme, "pdf": pdf}
    return render(request, template, context, status=200 if ready else 202)
