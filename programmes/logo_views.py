"""The partnership's logo page, for its facilitators: the logo as it stands, a form to upload
one (or another in its place) and a button to remove it (programmes.partnership_logos)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from challenge.editing import StaleEdit
from programmes import partnership_logos
from programmes.people_forms import LogoForm
from programmes.permissions import get_partnership_to_manage

WHAT = "change its logo"


@require_http_methods(["GET", "POST"])
@login_required
def partnership_logo(request, slug):
    partnership = get_partnership_to_manage(request.user, slug, what=WHAT)
    form = LogoForm(request.POST, request.FILES) if request.method == "POST" else LogoForm()
    if request.method == "POST" and form.is_valid():
        try:
            partnership_logos.set_logo(
                partnership, data=form.cleaned_data["logo"].data, seen=request.POST.get("seen", "")
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Saved the logo.")
            return redirect("partnership_logo", slug=partnership.slug)
    logo = partnership_logos.logo_of(partnership)
    return render(
        request,
        "programmes/people/partnership_logo.html",
        {
            "partnership": partnership,
            "form": form,
            "logo": logo,
            "seen": partnership_logos.seen_as(logo) if logo else "",
        },
    )


@require_POST
@login_required
def partnership_logo_remove(request, slug):
    partnership = get_partnership_to_manage(request.user, slug, what=WHAT)
    try:
        removed = partnership_logos.remove_logo(partnership, seen=request.POST.get("seen", ""))
    except StaleEdit as error:
        messages.error(request, error.message)
    else:
        if removed:
            messages.success(request, "Removed the logo.")
    return redirect("partnership_logo", slug=partnership.slug)
