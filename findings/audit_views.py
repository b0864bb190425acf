"""The pages of assurance audits: an area's list, add and change an audit, its page with its
findings and their actions, and add a finding from it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from challenge.editing import ConflictBox, StaleEdit, reopen_at
from challenge.submission import submitted_before
from findings import audits
from findings.audit_forms import AuditFindingForm, AuditForm
from findings.forms import ActionForm
from findings.models import Action, AssuranceAudit, Finding


@require_GET
@login_required
def audit_list(request, slug):
    area = audits.get_area_audits_for_user(request.user, slug)
    context = {
        "area": area,
        "audits": audits.audits_of(area),
        "can_record": audits.can_record_audits(request.user, area.partnership_id),
    }
    return render(request, "findings/audit_list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def audit_create(request, slug):
    area = audits.get_area_audits_for_user(request.user, slug, manage=True)
    if request.method == "POST":
        earlier = submitted_before(AssuranceAudit, request.POST, area_id=area.pk)
        if earlier is not None:
            return redirect(earlier)
    form = AuditForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        audit = audits.record_audit(area=area, by=request.user, submission_token=form.submitted_token, **form.values())
        messages.success(request, f"Recorded the audit “{audit.title}”. Add its findings below.")
        return redirect(audit)
    return render(request, "findings/audit_form.html", {"area": area, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def audit_edit(request, pk):
    audit = audits.get_audit_for_user(request.user, pk, manage=True)
    form = AuditForm(request.POST or None, instance=audit)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            audits.update_audit(audit=audit, expected_revision=form.cleaned_data.get("revision") or 0, **form.values())
        except StaleEdit as error:
            current = error.current
            conflict = ConflictBox(
                noun="this audit",
                saved_at=current.updated_at,
                saved=[
                    ("Title", current.title),
                    ("Grading", current.get_grading_display()),
                    ("Summary", current.summary),
                ],
            )
            reopen_at(form, current.revision)
        else:
            messages.success(request, f"Saved the changes to “{audit.title}”.")
            return redirect(audit)
    context = {"area": audit.area, "audit": audit, "form": form, "conflict": conflict}
    return render(request, "findings/audit_form.html", context, status=409 if conflict else 200)


@require_GET
@login_required
def audit_detail(request, pk):
    audit = audits.get_audit_for_user(request.user, pk)
    manage = audits.can_record_audits(request.user, audit.area.partnership_id)
    page = audits.audit_page(audit, manage=manage)
    for finding in page["findings"]:
        finding.action_form = (
            ActionForm(finding=finding, partnership=audit.area.partnership_id, owners=page["action_owners"])
            if manage and not finding.is_withdrawn
            else None
        )
    context = {
        "audit": audit,
        "area": audit.area,
        "manage": manage,
        "findings": page["findings"],
        "action_statuses": Action.Status.choices,
    }
    return render(request, "findings/audit_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def audit_finding_add(request, pk):
    audit = audits.get_audit_for_user(request.user, pk, manage=True)
    if request.method == "POST":
        earlier = submitted_before(Finding, request.POST, created_by_id=request.user.pk)
        if earlier is not None:
            return redirect(audit.get_absolute_url() + f"#finding-{earlier.pk}")
    form = AuditFindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            finding = audits.record_audit_finding(
                audit=audit,
                by=request.user,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                text=form.cleaned_data["text"],
                submission_token=form.submitted_token,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Recorded the {finding.get_kind_display().lower()} “{finding.title}”.")
            return redirect(audit.get_absolute_url() + f"#finding-{finding.pk}")
    return render(request, "findings/audit_finding_form.html", {"audit": audit, "area": audit.area, "form": form})
