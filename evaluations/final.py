"""Finalising a self-evaluation: rendering its final PDF and keeping those bytes. A service
(`evaluations.services.finalise`), kept in a module of its own because the background task
that finalises on the facilitator's behalf runs it, and the services enqueue that task."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from evaluations.document import build_document
from evaluations.models import SelfEvaluation
from evaluations.pdf import html_to_pdf, self_evaluation_html, self_evaluation_title


@transaction.atomic
def finalise(*, self_evaluation, by) -> SelfEvaluation:
    """Make the self-evaluation final: render its PDF once and keep those bytes, with their
    SHA-256, who finalised it and when, and the document they were rendered from (its Word
    and HTML versions are made from that). Every later download returns exactly these bytes."""
    current = SelfEvaluation.objects.select_for_update().select_related("programme", "area").get(pk=self_evaluation.pk)
    if current.is_final:
        raise ValidationError("This version is already final.")
    current.status = SelfEvaluation.Status.FINAL
    current.finalised_at = timezone.now()
    current.finalised_by = by
    current.document = build_document(current)
    data = html_to_pdf(self_evaluation_html(current, document=current.document), title=self_evaluation_title(current))
    current.pdf = data
    current.pdf_sha256 = SelfEvaluation.digest(data)
    current.revision += 1
    current.save()
    return current
