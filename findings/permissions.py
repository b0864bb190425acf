"""Who may do what with findings and self-evaluations.

Facilitators of the programme record findings and actions and move self-evaluations through
their life; the area's lead officer and presenters may also write its introduction and
conclusion; everyone who may read the programme reads, downloads and comments on drafts
circulated to partners."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from challenge.permissions import can_view_programme, is_programme_facilitator
from sessions.models import Participant

from .models import SelfEvaluation


def is_area_lead(user, programme, area) -> bool:
    if area.lead_officer_id == user.pk:
        return True
    return Participant.objects.filter(
        person=user, role=Participant.Role.PRESENTER, area=area, session__programme=programme
    ).exists()


def get_self_evaluation_for_user(user, pk) -> SelfEvaluation:
    se = get_object_or_404(
        SelfEvaluation.objects.defer("pdf").select_related(
            "programme", "area", "area__lead_partner", "area__lead_officer", "finalised_by", "circulated_by"
        ),
        pk=pk,
    )
    if not can_view_programme(user, se.programme):
        raise PermissionDenied("You do not take part in this programme.")
    return se


def can_write_texts(user, se) -> bool:
    return not se.is_final and (
        is_programme_facilitator(user, se.programme) or is_area_lead(user, se.programme, se.area)
    )
