"""Background work: e-mailing partners a circulated draft, and building the programme's
whole area self-evaluation PDF (tens of seconds for a full programme)."""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_draft_circulated(*, self_evaluation_id: int) -> int:
    """E-mail every partner's contact a link to the circulated draft."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    from challenge.models import Partner

    from .models import SelfEvaluation

    se = SelfEvaluation.objects.select_related("programme", "area", "circulated_by").defer("pdf").get(pk=self_evaluation_id)
    url = settings.SITE_URL + se.get_absolute_url()
    sent = 0
    for partner in Partner.objects.exclude(contact_email=""):
        body = render_to_string("findings/email/circulated.txt", {"se": se, "partner": partner, "url": url})
        sent += send_mail(
            f"For comment: {se.area.name} mini self-evaluation (draft, version {se.version})",
            body,
            settings.DEFAULT_FROM_EMAIL,
            [partner.contact_email],
        )
    return sent


@task()
def build_area_self_evaluation(*, build_id: int) -> str:
    """Build the area self-evaluation PDF, recording progress as it goes."""
    from django.utils import timezone

    from .area_pdf import area_self_evaluation_pdf
    from .models import AreaSelfEvaluationBuild, SelfEvaluation

    build = AreaSelfEvaluationBuild.objects.select_related("programme").get(pk=build_id)

    def progress(percent, step):
        AreaSelfEvaluationBuild.objects.filter(pk=build.pk).update(
            status=AreaSelfEvaluationBuild.Status.RUNNING, progress=percent, step=step
        )

    try:
        progress(1, "Starting")
        data = area_self_evaluation_pdf(build.programme, progress=progress)
    except Exception as exc:  # the page must show a failure rather than spin for ever
        logger.exception("Area self-evaluation build %s failed", build.pk)
        AreaSelfEvaluationBuild.objects.filter(pk=build.pk).update(
            status=AreaSelfEvaluationBuild.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    AreaSelfEvaluationBuild.objects.filter(pk=build.pk).update(
        status=AreaSelfEvaluationBuild.Status.READY,
        progress=100,
        step="Ready",
        pdf=data,
        pdf_sha256=SelfEvaluation.digest(data),
        finished_at=timezone.now(),
    )
    return "ready"
