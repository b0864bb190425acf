"""A partnership's home page, its partner organisations and its people, for its
facilitators (issue 13); and the page an invited person opens to set their password."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.editing import ConflictBox, StaleEdit, reopen_at
from programmes import people, sign_on
from programmes.people_forms import (
    AcceptInvitationForm,
    MembershipForm,
    PartnerForm,
    PeopleImportForm,
    PersonForm,
)


@require_GET
@login_required
def partnership_home(request, slug):
    partnership = people.get_partnership_to_manage(request.user, slug)
    return render(
        request,
        "programmes/people/partnership_home.html",
        {"partnership": partnership, "summary": people.partnership_summary(partnership)},
    )


# --- Partner organisations ---------------------------------------------------------------


@require_GET
@login_required
def partner_list(request, slug):
    partnership = people.get_partnership_to_manage(request.user, slug)
    return render(
        request,
        "programmes/people/partner_list.html",
        {"partnership": partnership, "partners": list(people.partners_of(partnership))},
    )


def _partner_conflict(current) -> ConflictBox:
    return ConflictBox(
        noun="this organisation",
        saved_at=None,
        saved=[
            ("Name", current.name),
            ("Short name", current.short_name),
            ("Kind", current.get_kind_display()),
            ("Contact e-mail", current.contact_email),
        ],
    )


@require_http_methods(["GET", "POST"])
@login_required
def partner_form(request, slug, pk=None):
    partnership = people.get_partnership_to_manage(request.user, slug)
    partner = people.partner_of(partnership, pk) if pk else None
    form = PartnerForm(request.POST or None, instance=partner)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            if partner is None:
                saved = people.add_partner(
                    partnership=partnership, submission_token=form.submitted_token, **form.partner_fields()
                )
            else:
                saved = people.update_partner(
                    partner=partner, expected_revision=form.cleaned_data.get("revision") or 0, **form.partner_fields()
                )
        except StaleEdit as error:
            conflict = _partner_conflict(error.current)
            reopen_at(form, error.current.revision)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Saved the organisation “{saved.name}”.")
            return redirect("partner_list", slug=partnership.slug)
    return render(
        request,
        "programmes/people/partner_form.html",
        {"partnership": partnership, "partner": partner, "form": form, "conflict": conflict},
    )


# --- People ------------------------------------------------------------------------------


def _int_or_none(text):
    try:
        value = int(text)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**31 else None


@require_GET
@login_required
def people_list(request, slug):
    partnership = people.get_partnership_to_manage(request.user, slug)
    status = request.GET.get("status", "active")
    if status not in people.STATUSES:
        status = "active"
    partners = list(people.partners_of(partnership))
    partner_id = _int_or_none(request.GET.get("organisation"))
    if partner_id is not None and partner_id not in {p.pk for p in partners}:
        partner_id = None
    memberships = list(people.people_of(partnership, status=status, partner_id=partner_id))
    return render(
        request,
        "programmes/people/people_list.html",
        {
            "partnership": partnership,
            "memberships": memberships,
            "partners": partners,
            "status": status,
            "statuses": people.STATUSES,
            "partner_id": partner_id,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def person_add(request, slug):
    partnership = people.get_partnership_to_manage(request.user, slug)
    form = PersonForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            added = people.add_person(
                partnership=partnership, submission_token=form.submitted_token, **form.person_fields()
            )
            invited = False
            if form.cleaned_data["invite"] and added.new_account and not added.membership.invitations.exists():
                people.invite(membership=added.membership, by=request.user)
                invited = True
        except ValidationError as error:
            form.add_service_error(error)
        else:
            name = added.membership.person.display_name
            if added.repeated:
                messages.success(request, f"Added {name}.")
            elif added.new_account:
                note = " An invitation to set their password is on its way." if invited else ""
                messages.success(request, f"Added {name}.{note}")
            else:
                messages.success(
                    request,
                    f"{name} already had an account, so they were added to the partnership with it "
                    "and sign in as before.",
                )
            return redirect("people_list", slug=partnership.slug)
    return render(request, "programmes/people/person_add.html", {"partnership": partnership, "form": form})


def _membership_conflict(current) -> ConflictBox:
    roles = [
        label
        for flag, label in (
            (current.is_facilitator, "Facilitator"),
            (current.is_officer, "Officer"),
            (current.is_councillor, "Councillor"),
        )
        if flag
    ]
    return ConflictBox(
        noun="this person's membership",
        saved_at=None,
        saved=[
            ("Organisation", current.partner.name if current.partner else "None"),
            ("Roles", ", ".join(roles) or "None"),
            ("Active", "Yes" if current.is_active else "No (left)"),
        ],
    )


@require_http_methods(["GET", "POST"])
@login_required
def person_edit(request, slug, pk):
    partnership = people.get_partnership_to_manage(request.user, slug)
    membership = people.membership_of(partnership, pk)
    form = MembershipForm(request.POST or None, membership=membership)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            people.update_membership(
                membership=membership,
                expected_revision=form.cleaned_data.get("revision") or 0,
                by=request.user,
                **form.membership_fields(),
            )
        except StaleEdit as error:
            conflict = _membership_conflict(error.current)
            reopen_at(form, error.current.revision)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Saved {membership.person.display_name}.")
            return redirect("people_list", slug=partnership.slug)
    return render(
        request,
        "programmes/people/person_edit.html",
        {"partnership": partnership, "membership": membership, "form": form, "conflict": conflict},
    )


@require_http_methods(["GET", "POST"])
@login_required
def person_active(request, slug, pk, action):
    """Deactivate someone who has left (after a confirmation page), or re-activate them."""
    partnership = people.get_partnership_to_manage(request.user, slug)
    membership = people.membership_of(partnership, pk)
    active = action == "rejoin"
    if request.method == "POST":
        try:
            people.set_active(membership=membership, active=active, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            name = membership.person.display_name
            if active:
                messages.success(request, f"{name} is an active member again.")
            else:
                messages.success(request, f"{name} has left the partnership: history keeps their name.")
        return redirect(reverse("people_list", args=[partnership.slug]) + ("?status=left" if not active else ""))
    return render(
        request,
        "programmes/people/person_active.html",
        {"partnership": partnership, "membership": membership, "active": active},
    )


@require_POST
@login_required
def person_invite(request, slug, pk):
    """Invite someone, or send them a new link (the old one stops working)."""
    partnership = people.get_partnership_to_manage(request.user, slug)
    membership = people.membership_of(partnership, pk)
    try:
        invitation = people.invite(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Sent {membership.person.display_name} a link to set their password; it works until "
            f"{invitation.expires_at:%d %B %Y}. Any earlier link no longer works.",
        )
    return redirect("people_list", slug=partnership.slug)


@require_http_methods(["GET", "POST"])
@login_required
def people_import(request, slug):
    partnership = people.get_partnership_to_manage(request.user, slug)
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["csv"]
        invite_new = form.cleaned_data["invite"]
        plan = people.plan_people(partnership, text)
        if request.POST.get("step") == "apply" and plan.ok:
            try:
                counts = people.apply_people(partnership, plan, invite_new=invite_new, by=request.user)
            except people.PeopleImportChanged as error:
                messages.warning(
                    request,
                    f"{error} Nobody from your file has been added: the preview below shows what it would do now.",
                )
                plan = people.plan_people(partnership, text)
            else:
                invited = f" {counts['invited']} invited by e-mail." if counts["invited"] else ""
                messages.success(
                    request,
                    f"Added {counts['new']} new {'person' if counts['new'] == 1 else 'people'} and "
                    f"{counts['existing']} with an account already.{invited}",
                )
                return redirect("people_list", slug=partnership.slug)
        # The preview, with the text carried in the form so nothing is retyped.
        form = PeopleImportForm(initial={"csv": text, "invite": invite_new})
    return render(
        request,
        "programmes/people/people_import.html",
        {"partnership": partnership, "form": form, "plan": plan, "columns": people.COLUMNS},
    )


# --- Accepting an invitation -------------------------------------------------------------


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    invitation = people.find_invitation(token)
    if invitation is None:
        return render(request, "programmes/people/invitation_unusable.html", {"reason": "unknown"}, status=404)
    reason = people.why_unusable(invitation)
    person = invitation.membership.person
    form = AcceptInvitationForm(person, request.POST or None)
    someone_else = request.user.is_authenticated and request.user.pk != person.pk
    # An organisation that signs its people in with their work account: no password to set.
    provider = sign_on.required_provider_for(person) if reason is None else None
    if reason is None and request.method == "POST" and not someone_else and provider is None and form.is_valid():
        try:
            person = people.accept_invitation(invitation=invitation, password=form.cleaned_data["new_password1"])
        except people.InvitationUnusable as error:
            reason = error.reason
        else:
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome, {person.display_name}: your password is set and you are signed in.")
            return redirect("home")
    if reason is None and someone_else:
        # Someone else is signed in on this browser: accepting would sign them out and the
        # invited person in without either noticing. Say so, and offer to sign out first.
        return render(
            request,
            "programmes/people/invitation_other_person.html",
            {"invitation": invitation, "person": person, "here": request.get_full_path()},
            status=409 if request.method == "POST" else 200,
        )
    if provider is not None:
        response = render(
            request,
            "programmes/people/invitation_sign_on.html",
            {"invitation": invitation, "person": person, "provider": provider},
            status=409 if request.method == "POST" else 200,
        )
        return sign_on.let_forms_reach_providers(response, [provider])
    if reason is not None:
        context = {"reason": reason, "invitation": invitation, "partnership": invitation.membership.partnership}
        if reason == "expired":
            context["ask"] = invitation.invited_by.display_name if invitation.invited_by else None
            context["facilitators"] = people.facilitator_names(invitation.membership.partnership)
        return render(request, "programmes/people/invitation_unusable.html", context, status=410)
    return render(
        request,
        "programmes/people/invitation_accept.html",
        {"form": form, "invitation": invitation, "person": person},
    )
