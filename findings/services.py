"""Writes for findings, actions and self-evaluations."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Action, AreaSelfEvaluationBuild, DraftComment, Finding, SelfEvaluation
from .tasks import build_area_self_evaluation, send_draft_circulated


class StaleEdit(ValidationError):
    def __init__(self, current):
        self.current = current
        super().__init__(
            "Someone else saved this while you were editing it. Your text has not been saved: "
            "it is still in the form, beside what is saved now. Merge and save again.",
            code="stale",
        )


def _check_evidence(session, area, answers, comments):
    for a in answers:
        if a.session_id != session.pk or a.area_id != area.pk:
            raise ValidationError({"evidence_answers": "Evidence must come from this session and area."})
    for c in comments:
        if c.session_id != session.pk or c.area_id != area.pk:
            raise ValidationError({"evidence_comments": "Evidence must come from this session and area."})


@transaction.atomic
def record_finding(*, session, area, by, kind, title, text, themes=(), evidence_answers=(), evidence_comments=()) -> Finding:
    """Record what the session concluded for an area, with the answers and challenges it
    rests on and the cross-cutting themes it belongs to."""
    _check_evidence(session, area, evidence_answers, evidence_comments)
    finding = Finding.objects.create(session=session, area=area, created_by=by, kind=kind, title=title, text=text)
    finding.themes.set(themes)
    finding.evidence_answers.set(evidence_answers)
    finding.evidence_comments.set(evidence_comments)
    return finding


@transaction.atomic
def update_finding(*, finding, expected_revision, kind, title, text, themes=(), evidence_answers=(), evidence_comments=()) -> Finding:
    """Change a finding. Refuses (StaleEdit) a change made against an older revision."""
    current = Finding.objects.select_for_update().get(pk=finding.pk)
    if current.revision != expected_revision:
        raise StaleEdit(current)
    _check_evidence(current.session, current.area, evidence_answers, evidence_comments)
    current.kind, current.title, current.text = kind, title, text
    current.revision += 1
    current.save()
    current.themes.set(themes)
    current.evidence_answers.set(evidence_answers)
    current.evidence_comments.set(evidence_comments)
    return current


def add_action(*, finding, description, owner, due_date) -> Action:
    """An improvement action from a finding. The owner's organisation is recorded with it."""
    if owner.partner_id is None:
        raise ValidationError({"owner": "The owner must belong to a partner organisation."})
    return Action.objects.create(
        finding=finding, description=description, owner=owner, owner_partner=owner.partner, due_date=due_date
    )


def set_action_status(*, action, status) -> Action:
    if status not in Action.Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    action.status = status
    action.save(update_fields=["status", "updated_at"])
    return action


def current_self_evaluation(*, programme, area) -> SelfEvaluation:
    """The latest version of the area's mini self-evaluation, starting version 1 if none."""
    latest = (
        SelfEvaluation.objects.filter(programme=programme, area=area)
        .select_related("finalised_by", "circulated_by")
        .order_by("-version")
        .first()
    )
    if latest is None:
        latest, _ = SelfEvaluation.objects.get_or_create(programme=programme, area=area, version=1)
    return latest


def _lock(se) -> SelfEvaluation:
    return SelfEvaluation.objects.select_for_update().select_related("programme", "area").get(pk=se.pk)


@transaction.atomic
def update_texts(*, self_evaluation, expected_revision, introduction, conclusion) -> SelfEvaluation:
    """Change the introduction and conclusion of a draft or circulated version."""
    current = _lock(self_evaluation)
    if current.is_final:
        raise ValidationError("A final self-evaluation does not change. Reopen it to make a new version.")
    if current.revision != expected_revision:
        raise StaleEdit(current)
    current.introduction, current.conclusion = introduction, conclusion
    current.revision += 1
    current.save()
    return current


@transaction.atomic
def circulate(*, self_evaluation, by) -> SelfEvaluation:
    """Draft → circulated. E-mails each partner's contact a link to read and comment."""
    current = _lock(self_evaluation)
    if current.status != SelfEvaluation.Status.DRAFT:
        raise ValidationError("Only a draft can be circulated.")
    current.status = SelfEvaluation.Status.CIRCULATED
    current.circulated_at = timezone.now()
    current.circulated_by = by
    current.revision += 1
    current.save()
    transaction.on_commit(lambda: send_draft_circulated.enqueue(self_evaluation_id=current.pk))
    return current


def comment_on_draft(*, self_evaluation, author, text) -> DraftComment:
    """A partner's comment on a circulated draft."""
    if self_evaluation.status != SelfEvaluation.Status.CIRCULATED:
        raise ValidationError("Comments are taken while the draft is circulated.")
    return DraftComment.objects.create(self_evaluation=self_evaluation, author=author, text=text)


@transaction.atomic
def finalise(*, self_evaluation, by) -> SelfEvaluation:
    """Make the self-evaluation final: render its PDF once and keep those bytes, with their
    SHA-256, who finalised it and when. Every later download returns exactly these bytes."""
    from .pdf import self_evaluation_pdf

    current = _lock(self_evaluation)
    if current.is_final:
        raise ValidationError("This version is already final.")
    current.status = SelfEvaluation.Status.FINAL
    current.finalised_at = timezone.now()
    current.finalised_by = by
    data = self_evaluation_pdf(current)
    current.pdf = data
    current.pdf_sha256 = SelfEvaluation.digest(data)
    current.revision += 1
    current.save()
    return current


@transaction.atomic
def reopen(*, self_evaluation, by) -> SelfEvaluation:
    """Start the next version from a final one, as a draft with the same texts. The final
    version and its PDF stay as they are, downloadable."""
    current = _lock(self_evaluation)
    if not current.is_final:
        raise ValidationError("Only a final self-evaluation is reopened.")
    latest = SelfEvaluation.objects.filter(programme=current.programme, area=current.area).order_by("-version").first()
    if latest.pk != current.pk:
        raise ValidationError(f"Version {latest.version} already exists.")
    return SelfEvaluation.objects.create(
        programme=current.programme,
        area=current.area,
        version=current.version + 1,
        introduction=current.introduction,
        conclusion=current.conclusion,
    )


@transaction.atomic
def request_area_build(*, programme, by) -> AreaSelfEvaluationBuild:
    """Queue a background build of the programme's area self-evaluation PDF."""
    build = AreaSelfEvaluationBuild.objects.create(programme=programme, requested_by=by)
    transaction.on_commit(lambda: build_area_self_evaluation.enqueue(build_id=build.pk))
    return build


def site_url(path: str) -> str:
    return settings.SITE_URL + path
