"""Writes for findings and improvement actions."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from challenge.editing import refuse_stale
from challenge.submission import create_once
from findings.models import Action, ActionChange, Finding, FindingVersion, Theme
from programmes.models import Partner
from programmes.selectors import partners_in

logger = logging.getLogger(__name__)


def validate_finding(
    *, session, area, themes=(), evidence_answers=(), evidence_comments=(), raised_again_from=None
) -> None:
    """Raise a ValidationError keyed by field for what a finding must respect, whoever records
    it (the admin too): it is about an area the session covers, its themes are the session's
    programme's, and its evidence (answers and comments) comes from that session and area."""
    errors: dict[str, list[str]] = {}
    if not session.areas.filter(pk=area.pk).exists():
        errors["area"] = ["The session does not cover this area."]
    if any(t.programme_id != session.programme_id for t in themes):
        errors["themes"] = ["Themes must be the session's programme's."]
    for field, evidence in (("evidence_answers", evidence_answers), ("evidence_comments", evidence_comments)):
        if any(e.session_id != session.pk or e.area_id != area.pk for e in evidence):
            errors[field] = ["Evidence must come from this session and area."]
    if raised_again_from is not None and not _is_earlier_finding(raised_again_from, session, area):
        errors["raised_again_from"] = ["A finding is raised again from one of the same area in an earlier cycle."]
    if errors:
        raise ValidationError(errors)


def _is_earlier_finding(earlier, session, area) -> bool:
    earlier_programme, programme = earlier.session.programme, session.programme
    return (
        earlier.area_id == area.pk
        and earlier_programme.partnership_id == programme.partnership_id
        and earlier_programme.start_date < programme.start_date
    )


def validate_action_owner(owner, partnership) -> Partner:
    """An action's owner is an active member of the programme's `partnership` with a partner
    organisation there: the action records which, and it is returned."""
    partner = partners_in(partnership, [owner]).get(owner.pk)
    if partner is None:
        raise ValidationError(
            {"owner": "The owner must be an active member of the partnership with a partner organisation."}
        )
    return partner


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
    raised_again_from=None,
    submission_token=None,
) -> Finding:
    """Record what the session concluded for an area, with the answers and challenges it
    rests on and the cross-cutting themes it belongs to; `new_themes` are names of themes
    to add to the programme (or find there) and tag it with; `raised_again_from`, the same
    area's finding of an earlier cycle that this one raises again.

    Once per `submission_token`: the same form sent twice records one finding."""
    validate_finding(
        session=session,
        area=area,
        themes=themes,
        evidence_answers=evidence_answers,
        evidence_comments=evidence_comments,
        raised_again_from=raised_again_from,
    )

    def create():
        finding = Finding.objects.create(
            session=session,
            area=area,
            created_by=by,
            kind=kind,
            title=title,
            text=text,
            raised_again_from=raised_again_from,
            submission_token=submission_token,
        )
        added = [Theme.objects.get_or_create(programme=session.programme, name=name)[0] for name in new_themes]
        finding.themes.set([*themes, *added])
        finding.evidence_answers.set(evidence_answers)
        finding.evidence_comments.set(evidence_comments)
        _record(finding, FindingVersion.Action.CREATED, by, at=finding.created_at)
        return finding

    return create_once(Finding, submission_token, create, created_by_id=by.pk)


@transaction.atomic
def update_finding(
    *, finding, expected_revision, kind, title, text, themes=(), evidence_answers=(), evidence_comments=(), by=None
) -> Finding:
    """Change a finding (a facilitator, from its edit page): its kind, title, text, themes and
    evidence (an assurance audit's finding has neither themes nor evidence). Refuses
    (StaleEdit) a change made against an older revision, and a withdrawn finding (restore it
    first). Records the change in its history (who, when, what changed). Returns the finding
    as saved (unchanged if nothing was)."""
    current = Finding.objects.select_for_update().get(pk=finding.pk)
    refuse_stale(current, expected_revision)
    if current.is_withdrawn:
        raise ValidationError("A withdrawn finding is not changed: restore it first.")
    if current.session_id is not None:
        validate_finding(
            session=current.session,
            area=current.area,
            themes=themes,
            evidence_answers=evidence_answers,
            evidence_comments=evidence_comments,
        )
    elif themes or evidence_answers or evidence_comments:
        raise ValidationError("An assurance audit's finding has no themes nor evidence from a session.")
    changed = [
        label
        for label, before, after in (
            ("kind", current.kind, kind),
            ("title", current.title, title),
            ("text", current.text, text),
            ("themes", {t.pk for t in current.themes.all()}, {t.pk for t in themes}),
            (
                "evidence",
                ({a.pk for a in current.evidence_answers.all()}, {c.pk for c in current.evidence_comments.all()}),
                ({a.pk for a in evidence_answers}, {c.pk for c in evidence_comments}),
            ),
        )
        if before != after
    ]
    if not changed:
        return current
    current.kind, current.title, current.text = kind, title, text
    current.revision += 1
    current.save()
    current.themes.set(themes)
    current.evidence_answers.set(evidence_answers)
    current.evidence_comments.set(evidence_comments)
    _record(current, FindingVersion.Action.EDITED, by, changed=", ".join(changed))
    return current


@transaction.atomic
def withdraw_finding(*, finding, by, expected_revision=None, reason="") -> Finding:
    """Withdraw a finding: it stays, with its history, but leaves the emerging findings, the
    self-evaluations and every count, and its page shows it struck through to the
    facilitators. Refused while it has open actions (they are done or dropped first: an action
    is withdrawn by dropping it), when already withdrawn, and (StaleEdit) when it changed since
    the form was opened at `expected_revision`. Records who, when and `reason` (optional)."""
    current = Finding.objects.select_for_update().get(pk=finding.pk)
    if expected_revision is not None:
        refuse_stale(current, expected_revision)
    if current.is_withdrawn:
        raise ValidationError("This finding is already withdrawn.")
    open_actions = current.actions.exclude(status__in=Action.CLOSED).count()
    if open_actions:
        raise ValidationError(
            f"This finding has {open_actions} open action{'s' if open_actions != 1 else ''}: mark "
            f"{'them' if open_actions != 1 else 'it'} done or dropped first."
        )
    current.withdrawn_at = timezone.now()
    current.withdrawn_by = by
    current.withdrawn_reason = " ".join(reason.split())[:300]
    current.revision += 1
    current.save()
    _record(current, FindingVersion.Action.WITHDRAWN, by, at=current.withdrawn_at, note=current.withdrawn_reason)
    return current


@transaction.atomic
def restore_finding(*, finding, by) -> Finding:
    """Put a withdrawn finding back as it was (it counts again everywhere). Recorded."""
    current = Finding.objects.select_for_update().get(pk=finding.pk)
    if not current.is_withdrawn:
        raise ValidationError("This finding is not withdrawn.")
    current.withdrawn_at = current.withdrawn_by = None
    current.withdrawn_reason = ""
    current.revision += 1
    current.save()
    _record(current, FindingVersion.Action.RESTORED, by)
    return current


def _record(finding, action, by, *, at=None, changed="", note="") -> FindingVersion:
    return FindingVersion.objects.create(
        finding=finding,
        action=action,
        by=by,
        at=at or timezone.now(),
        revision=finding.revision,
        kind=finding.kind,
        title=finding.title,
        text=finding.text,
        changed=changed,
        note=note,
    )


@transaction.atomic
def add_action(*, finding, description, owner, due_date, submission_token=None) -> Action:
    """An improvement action from a finding. The owner's organisation in the programme's
    partnership is recorded with it. Once per `submission_token`: the same form sent twice
    adds one action."""
    partner = validate_action_owner(owner, finding.partnership_id)
    return create_once(
        Action,
        submission_token,
        lambda: Action.objects.create(
            finding=finding,
            description=description,
            owner=owner,
            owner_partner=partner,
            due_date=due_date,
            submission_token=submission_token,
        ),
        finding_id=finding.pk,
    )


def set_action_status(*, action, status, by=None) -> Action:
    """Move an action to `status` (the status buttons of the findings pages), recorded in its
    history."""
    if status not in Action.Status.values:
        raise ValidationError(f"Unknown status {status!r}.")
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        if current.status != status:
            current.status = status
            _save_change(current, by=by, changed=["status"])
    action.status, action.revision = current.status, current.revision
    return action


# The fields of an action each kind of change may touch, and how the history names them.
PROGRESS_FIELDS = {"status": "status", "progress_note": "progress"}
EDIT_FIELDS = {"description": "what will be done", "owner": "owner", "due_date": "due date", **PROGRESS_FIELDS}


@transaction.atomic
def update_action(*, action, by, expected_revision, **values) -> Action:
    """Change an action: its status and progress note (what its owner does from the action
    tracker), or also what will be done, its owner and due date (what a facilitator does).
    The views decide who may change which fields; this checks the values, refuses a change
    made against an older revision (StaleEdit), and records the change in the history.
    Returns the action as saved (unchanged if nothing was)."""
    unknown = set(values) - set(EDIT_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of an action's update: {sorted(unknown)}")
    current = (
        # Locks the action alone: its finding's session is the nullable side of an outer join
        # (an audit's finding has none), which PostgreSQL does not lock.
        Action.objects.select_for_update(of=("self",))
        .select_related("finding__session__programme", "finding__area")
        .get(pk=action.pk)
    )
    refuse_stale(current, expected_revision)
    if "status" in values and values["status"] not in Action.Status.values:
        raise ValidationError({"status": "Choose one of the statuses."})
    if "description" in values and not values["description"].strip():
        raise ValidationError({"description": "Say what will be done."})
    changed = [name for name, value in values.items() if getattr(current, name) != value]
    if "owner" in changed:
        current.owner_partner = validate_action_owner(values["owner"], current.finding.partnership_id)
    for name in changed:
        setattr(current, name, values[name])
    if changed:
        _save_change(current, by=by, changed=changed)
    return current


def _save_change(current, *, by, changed) -> None:
    """Save `current` (read under a lock) with the next revision, and its history row."""
    current.revision += 1
    current.save()
    ActionChange.objects.create(
        action=current,
        by=by,
        at=timezone.now(),
        description=current.description,
        owner_id=current.owner_id,
        due_date=current.due_date,
        status=current.status,
        progress_note=current.progress_note,
        changed=", ".join(EDIT_FIELDS[name] for name in changed),
    )
