"""Who may read, write and comment on self-evaluations.

The programme's facilitators move self-evaluations through their life; the area's lead
officer and presenters may also write its introduction and conclusion.

An area's self-evaluation shows its sessions' answers and challenges, so it is read by
exactly those who may read a session of the programme that covers the area (its
facilitators, the partnership's officers, its participants, administrators) and the area's
lead officer, plus, once it has been circulated, the people of the partner organisations it
was circulated to (see `SelfEvaluationQuerySet.readable_by`); all of them only while they are
members of the programme's partnership. Those readers may comment on a circulated draft,
except officers, who read and change nothing. The programme's whole area self-evaluation
holds every area, so only those who read every area of the programme read it: its
facilitators, the partnership's officers and administrators."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from challenge.prepared import PreparedQuery
from evaluations.models import AreaSelfEvaluationBuild, SelfEvaluation
from programmes.permissions import belongs_to, is_area_lead, is_programme_facilitator, refuse_outside
from sessions.permissions import reads_whole_programme


def can_read_self_evaluation(user, se) -> bool:
    if not belongs_to(user, se.programme.partnership_id):
        return False
    if (
        user.is_superuser
        or user.is_officer_in(se.programme.partnership_id)
        or is_programme_facilitator(user, se.programme)
    ):
        return True
    return SelfEvaluation.objects.readable_by(user).filter(pk=se.pk).exists()


def can_comment_on_draft(user, se) -> bool:
    # The programme's facilitators take part in every area (`commentable_by`): no query.
    if is_programme_facilitator(user, se.programme):
        return True
    return SelfEvaluation.objects.commentable_by(user).filter(pk=se.pk).exists()


# The version with what its pages read (and, for its PDF, the area's lead partner and officer),
# the SQL of each built once (challenge/prepared.py).
_RELATED = ("programme__partnership", "area", "finalised_by", "circulated_by")
_SELF_EVALUATION = {
    with_lead: PreparedQuery(
        lambda pk, related=_RELATED + (("area__lead_partner", "area__lead_officer") if with_lead else ()): (
            SelfEvaluation.objects.defer("pdf").select_related(*related).filter(pk=pk)
        ),
        pk=int,
    )
    for with_lead in (False, True)
}


def get_self_evaluation_for_user(user, pk, *, with_lead=False) -> SelfEvaluation:
    """The version `user` may read (404 outside its partnership, 403), with its programme and
    area; `with_lead`, with the area's lead partner and officer too, which its PDF names."""
    se = _SELF_EVALUATION[bool(with_lead)].one(pk=int(pk))
    if se is None:
        raise Http404("No such self-evaluation.")
    refuse_outside(user, se.programme.partnership_id)
    if not can_read_self_evaluation(user, se):
        raise PermissionDenied("You do not take part in a session that reviews this area.")
    return se


def get_area_build_for_user(user, pk) -> AreaSelfEvaluationBuild:
    build = get_object_or_404(
        AreaSelfEvaluationBuild.objects.defer("pdf").select_related("programme__partnership"), pk=pk
    )
    refuse_outside(user, build.programme.partnership_id)
    if not reads_whole_programme(user, build.programme):
        raise PermissionDenied("The area self-evaluation holds every area: its facilitators and officers read it.")
    return build


def can_write_texts(user, se) -> bool:
    return not se.is_final and (
        is_programme_facilitator(user, se.programme) or is_area_lead(user, se.programme, se.area)
    )


def can_comment_now(user, se) -> bool:
    """Comment on `se` now: it is circulated, and `user` may comment on its draft."""
    return se.status == SelfEvaluation.Status.CIRCULATED and can_comment_on_draft(user, se)


@dataclass(frozen=True)
class LifeSteps:
    """The steps of its life `user` may take a version through now: the buttons its page
    shows (the services refuse the rest)."""

    circulate: bool = False
    finalise: bool = False
    reopen: bool = False


def life_steps(user, se, *, is_latest) -> LifeSteps:
    """A programme facilitator moves the latest version on: circulates a draft, finalises
    one not final yet, reopens a final one as the next version."""
    if not (is_latest and is_programme_facilitator(user, se.programme)):
        return LifeSteps()
    return LifeSteps(
        circulate=se.status == SelfEvaluation.Status.DRAFT,
        finalise=not se.is_final,
        reopen=se.is_final,
    )
