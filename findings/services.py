"""Writes for findings and improvement actions."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction

from challenge.submission import create_once
from findings.models import Action, Finding, Theme

logger = logging.getLogger(__name__)


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
def record_finding(
    *,
    session,
    area,
    by,
    kind,
    title,
    text,
    themes=(),
    new_themes=(),
    evidence_answers=(),
    evidence_comments=(),
    submission_token=None,
) -> Finding:
    """Record what the session concluded for an area, with the answers and challenges it
    rests on and the cross-cutting themes it belongs to; `new_themes` are names of themes
    to add to the programme (or find there) and tag it with.

    Once per `submission_token`: the same form sent twice records one finding."""
    _check_evidence(session, area, evidence_answers, evidence_comments)

    def create():
        finding = Finding.objects.create(
            session=session,
            area=area,
            created_by=by,
            kind=kind,
            title=title,
            text=text,
            submission_token=submission_token,
        )
        added = [Theme.objects.get_or_create(programme=session.programme, name=name)[0] for name in new_themes]
        finding.themes.set([*themes, *added])
        finding.evidence_answers.set(evidence_answers)
        finding.evidence_comments.set(evidence_comments)
        return finding

    return create_once(Finding, submission_token, create, created_by_id=by.pk)


@transaction.atomic
def update_finding(
    *, finding, expected_revision, kind, title, text, themes=(), evidence_answers=(), evidence_comments=()
) -> Finding:
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


@transaction.atomic
def add_action(*, finding, description, owner, due_date, submission_token=None) -> Action:
    """An improvement action from a finding. The owner's organisation is recorded with it.
    Once per `submission_token`: the same form sent twice adds one action."""
    if owner.partner_id is None:
        raise ValidationError({"owner": "The owner must belong to a partner organisation."})
    return create_once(
        Action,
        submission_token,
        lambda: Action.objects.create(
            finding=finding,
            description=description,
            owner=owner,
            owner_partner=owner.partner,
            due_date=due_date,
            submission_token=submission_token,
        ),
        finding_id=finding.pk,
    )


def set_action_status(*, action, status) -> Action:
    if status not in Action.Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    action.status = status
    action.save(update_fields=["status", "updated_at"])
    return action
