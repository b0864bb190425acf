"""A finding after it is recorded: the facilitators edit it, withdraw it (asked first, with an
optional reason) and restore it; its history says who did what and when. The same pages serve
a session's findings (its facilitator's) and an assurance audit's (the partnership's
facilitators'), each sent back to where it is shown."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.editing import ConflictBox, StaleEdit, reopen_at, saved_by_name
from findings import audits, selectors, services
from findings.forms import FindingEditForm, WithdrawFindingForm
from workspace.permissions import get_session_access


def _finding(request, finding_pk, *, manage=True):
    """The finding, where it was found (its session, or its assurance audit) and whether the
    viewer manages its findings there: 404 for another partnership's (and for a withdrawn
    finding to those who do not manage it: it is not theirs to see), 403 for someone who may
    not read them, or (`manage`) who may not edit them. A session's findings are its
    facilitator's; an audit's, the partnership's facilitators' (its officers read them)."""
    finding = get_object_or_404(selectors.findings_with_context(), pk=finding_pk)
    if finding.audit_id is not None:
        partnership = finding.area.partnership_id
        audits.check_audit_access(request.user, partnership, manage=manage)
        manages = manage or audits.can_record_audits(request.user, partnership)
    else:
        access = get_session_access(request.user, finding.session_id)
        finding.session = access.session
        manages = access.is_facilitator
        if manage and not manages:
            raise PermissionDenied("Only the facilitator edits, withdraws or restores a finding.")
    if finding.is_withdrawn and not manages:
        raise Http404("No such finding")
    return finding, manages


def _page_url(finding):
    return selectors.finding_url(finding)


def _place(finding) -> dict:
    """What the pages of a finding show of where it was found (their breadcrumbs, the way back)."""
    return {
        "finding": finding,
        "session": finding.session,
        "programme": finding.programme,
        "audit": finding.audit,
        "area": finding.area,
        "back_url": _page_url(finding),
    }


def _conflict(current, viewer) -> ConflictBox:
    last = selectors.finding_history(current)[:1]
    return ConflictBox(
        noun="this finding",
        saved_at=last[0].at if last else current.updated_at,
        saved_by=saved_by_name(last[0].by, viewer) if last else None,
        saved=[("Kind", current.get_kind_display()), ("Title", current.title), ("The finding", current.text)],
    )


@require_http_methods(["GET", "POST"])
@login_required
def finding_edit(request, finding_pk):
    finding, _ = _finding(request, finding_pk)
    if finding.is_withdrawn:
        messages.error(request, "A withdrawn finding is not changed: restore it first.")
        return redirect(_page_url(finding))
    initial = {"kind": finding.kind, "title": finding.title, "text": finding.text, "revision": finding.revision}
    answers = threads = ()
    if finding.session_id is not None:  # an assurance audit's finding has no themes nor evidence
        answers, threads = selectors.evidence_sources(finding.session, finding.area, keep=finding)
        initial |= {
            "themes": [theme.pk for theme in finding.themes.all()],
            "evidence_answers": [str(pk) for pk in finding.evidence_answers.values_list("pk", flat=True)],
            "evidence_comments": [str(pk) for pk in finding.evidence_comments.values_list("pk", flat=True)],
        }
    form = FindingEditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        programme=finding.programme,
        answers=answers,
        threads=threads,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        evidence_answers, evidence_comments = form.evidence()
        try:
            saved = services.update_finding(
                finding=finding,
                by=request.user,
                expected_revision=data["revision"],
                kind=data["kind"],
                title=data["title"],
                text=data["text"],
                themes=data.get("themes", ()),
                evidence_answers=evidence_answers,
                evidence_comments=evidence_comments,
            )
        except StaleEdit as error:
            conflict = _conflict(error.current, request.user)
            reopen_at(form, error.current.revision)
            form.add_error(None, error)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            changed = saved.revision != finding.revision
            messages.success(request, f"Saved “{saved.title}”." if changed else "Nothing changed.")
            return redirect(_page_url(saved))
    return render(
        request,
        "findings/finding_edit.html",
        {
            **_place(finding),
            "form": form,
            "conflict": conflict,
        },
        status=409 if conflict else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def finding_withdraw(request, finding_pk):
    """GET: what withdrawing the finding does, with an optional reason and the button; POST
    (from that page, with `confirmed`): withdraw it. A post without `confirmed` is sent to the
    page and changes nothing."""
    finding, _ = _finding(request, finding_pk)
    if finding.is_withdrawn:
        messages.info(request, "This finding is already withdrawn.")
        return redirect(_page_url(finding))
    if request.method == "POST" and request.POST.get("confirmed") != "1":
        return redirect("finding_withdraw", finding_pk=finding.pk)
    form = WithdrawFindingForm(
        request.POST if request.method == "POST" else None, initial={"revision": finding.revision}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_finding(
                finding=finding,
                by=request.user,
                expected_revision=form.cleaned_data["revision"],
                reason=form.cleaned_data["reason"],
            )
        except StaleEdit:
            messages.error(
                request,
                "The finding changed since you opened that page: nothing was withdrawn. Check it, then try again.",
            )
            return redirect(_page_url(finding))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Withdrew “{finding.title}”. It can be restored from this page.")
            return redirect(_page_url(finding))
    open_actions = [action for action in finding.actions.all() if action.status not in action.CLOSED]
    return render(
        request,
        "findings/finding_withdraw.html",
        {
            **_place(finding),
            "form": form,
            "open_actions": open_actions,
        },
    )


@require_POST
@login_required
def finding_restore(request, finding_pk):
    finding, _ = _finding(request, finding_pk)
    try:
        services.restore_finding(finding=finding, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Restored “{finding.title}”: it counts again.")
    return redirect(_page_url(finding))


@require_GET
@login_required
def finding_history(request, finding_pk):
    """Every step of the finding's record: recorded, edited, withdrawn, restored."""
    finding, manages = _finding(request, finding_pk, manage=False)
    return render(
        request,
        "findings/finding_history.html",
        {
            **_place(finding),
            "history": selectors.finding_history(finding),
            "manage": manages,
        },
    )
