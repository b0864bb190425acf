"""Assurance audits of an area: who may read and record them, their writes, and the reads
of their pages. An audit's findings are Findings (with `audit` set instead of `session`),
with the same history and improvement actions as a session's."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from challenge.clock import today as clock_today
from challenge.editing import refuse_stale
from challenge.submission import create_once
from findings.models import Action, AssuranceAudit, Finding, FindingVersion
from findings.selectors import action_owners, mark_overdue
from findings.services import _record
from programmes.models import ThematicArea
from programmes.permissions import can_manage_partnership, refuse_outside

AUDIT_FIELDS = ("title", "audited_on", "auditor", "sample_size", "sample_description", "grading", "summary")

# --- Who may do what ---------------------------------------------------------------------


def can_read_audits(user, partnership) -> bool:
    """The partnership's officers and facilitators (and administrators) read its audits."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or partnership in user.reading_partnership_ids()


def can_record_audits(user, partnership) -> bool:
    """The partnership's facilitators record audits and their findings and actions."""
    return can_manage_partnership(user, partnership)


def check_audit_access(user, partnership, *, manage=False) -> None:
    """404 for anyone outside `partnership`; 403 for its members who may not read its audits
    or (`manage`) record them. An audit's finding is edited, withdrawn and restored by those
    who record them (findings/edit_views.py)."""
    refuse_outside(user, partnership)
    if manage and not can_record_audits(user, partnership):
        raise PermissionDenied("Only the partnership's facilitators record assurance audits.")
    if not can_read_audits(user, partnership):
        raise PermissionDenied("Only the partnership's officers and facilitators read its assurance audits.")


def get_area_audits_for_user(user, slug, *, manage=False):
    area = get_object_or_404(ThematicArea.objects.select_related("partnership"), slug=slug)
    check_audit_access(user, area.partnership_id, manage=manage)
    return area


def get_audit_for_user(user, pk, *, manage=False) -> AssuranceAudit:
    audit = get_object_or_404(AssuranceAudit.objects.select_related("area__partnership", "created_by"), pk=pk)
    check_audit_access(user, audit.area.partnership_id, manage=manage)
    return audit


# --- Writes ------------------------------------------------------------------------------


@transaction.atomic
def record_audit(*, area, by, submission_token=None, **fields) -> AssuranceAudit:
    """Record an assurance audit of `area`. Once per `submission_token`."""
    return create_once(
        AssuranceAudit,
        submission_token,
        lambda: AssuranceAudit.objects.create(area=area, created_by=by, submission_token=submission_token, **fields),
        area_id=area.pk,
    )


@transaction.atomic
def update_audit(*, audit, expected_revision, **fields) -> AssuranceAudit:
    """Change an audit's record. Refuses (StaleEdit) if it changed since `expected_revision`."""
    current = AssuranceAudit.objects.select_for_update().get(pk=audit.pk)
    refuse_stale(current, expected_revision)
    for name, value in fields.items():
        setattr(current, name, value)
    current.revision += 1
    current.save()
    audit.__dict__.update({k: v for k, v in current.__dict__.items() if not k.startswith("_")})
    return current


@transaction.atomic
def record_audit_finding(*, audit, by, kind, title, text, submission_token=None) -> Finding:
    """A finding of the audit, about its area, recorded in the finding's history as a
    session's is. Once per `submission_token`."""

    def create():
        finding = Finding.objects.create(
            audit=audit,
            area=audit.area,
            created_by=by,
            kind=kind,
            title=title,
            text=text,
            submission_token=submission_token,
        )
        _record(finding, FindingVersion.Action.CREATED, by, at=finding.created_at)
        return finding

    return create_once(Finding, submission_token, create, created_by_id=by.pk)


# --- Reads -------------------------------------------------------------------------------


def audits_of(area) -> list:
    """The area's audits, newest first, each with `finding_count` (its standing findings)."""
    return list(
        AssuranceAudit.objects.filter(area=area)
        .annotate(finding_count=Count("findings", filter=Q(findings__withdrawn_at__isnull=True)))
        .order_by("-audited_on", "-pk")
    )


def audit_page(audit, *, manage) -> dict:
    """The audit's findings with their actions (the standing ones; the withdrawn ones too, for
    those who record them, who may restore them) and, for those who record, the people an
    action may be given to (read once for every action form)."""
    found = Finding.objects.filter(audit=audit)
    findings = list(
        (found.select_related("withdrawn_by") if manage else found.standing())
        .prefetch_related(
            Prefetch("actions", queryset=Action.objects.select_related("owner", "owner_partner").order_by("due_date"))
        )
        .order_by("created_at", "pk")
    )
    today = clock_today()
    for finding in findings:
        finding.audit = audit
        finding.area = audit.area
        mark_overdue(finding.actions.all(), today)
    page = {"findings": findings}
    if manage:
        page["action_owners"] = list(action_owners(audit.area.partnership_id).order_by("first_name", "last_name"))
    return page
