"""Areas and their indicators: the area page, an indicator's chart and numbers, the
programme infographic, and CSV import (with a preview) and export."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from challenge.listing import page_number
from indicators import csv_import as indicator_import
from indicators import selectors as indicator_selectors
from indicators.kpis import RULES
from indicators.permissions import get_indicator_for_user, may_read_indicators_of
from programmes.permissions import get_area_for_user, get_programme_for_user


@require_GET
@login_required
def area_page(request, slug):
    area = get_area_for_user(request.user, slug)
    page = indicator_selectors.area_page(request.user, area, page_number(request))
    return render(request, "indicators/area.html", {"area": area, "rules": RULES, **page})


@require_GET
@login_required
def indicator_detail(request, code):
    indicator = get_indicator_for_user(request.user, code)
    page = indicator_selectors.indicator_page(request.user, indicator)
    return render(request, "indicators/indicator.html", {"rules": RULES, **page})


@require_GET
@login_required
def infographic(request, slug):
    programme = get_programme_for_user(request.user, slug)
    return render(
        request,
        "indicators/infographic.html",
        {"programme": programme, "rows": indicator_selectors.infographic(programme), "rules": RULES},
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        required=False, label="CSV file", help_text="Columns: indicator, period, value, national, comparator."
    )
    csv = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}), label="Or paste the CSV here"
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > 5 * 1024 * 1024:
                raise forms.ValidationError({"file": "The file is larger than 5 MB."})
            try:
                data["csv"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError({"file": "The file is not UTF-8 text. Save it as “CSV UTF-8”."}) from exc
        if not data.get("csv", "").strip():
            raise forms.ValidationError({"csv": "Choose a file or paste its contents."})
        return data


@require_http_methods(["GET", "POST"])
@login_required
def indicator_import_view(request):
    areas = indicator_selectors.changeable_areas(request.user)
    if not areas:
        raise PermissionDenied("Only facilitators and area leads change indicators.")
    area_ids = {area.pk for area in areas}

    def may_know(area):
        return may_read_indicators_of(request.user, area)

    form = ImportForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["csv"]
        plan = indicator_import.plan_import(text, may_change=lambda area: area.pk in area_ids, may_know=may_know)
        if request.POST.get("step") == "apply" and plan.ok:
            try:
                counts = indicator_import.apply_import(plan)
            except indicator_import.ImportConflict as error:
                messages.warning(
                    request,
                    f"{error} Nothing from your file has been saved: the preview below shows what it would change now.",
                )
                plan = indicator_import.plan_import(
                    text, may_change=lambda area: area.pk in area_ids, may_know=may_know
                )
            else:
                if counts["new"] or counts["changed"]:
                    messages.success(
                        request,
                        f"Imported: {counts['new']} new, {counts['changed']} changed, {counts['unchanged']} unchanged.",
                    )
                else:
                    messages.info(
                        request,
                        f"Nothing to import: these values were already imported ({counts['unchanged']} unchanged).",
                    )
                return redirect("indicator_import")
        # Show the preview with the text carried in the form, so nothing is retyped.
        form = ImportForm(initial={"csv": text})
    return render(request, "indicators/indicator_import.html", {"form": form, "plan": plan, "areas": areas})


def _csv_response(text, filename):
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def indicator_export(request):
    slug = request.GET.get("area")
    areas = indicator_selectors.readable_areas(request.user, slug)
    if not areas:
        raise PermissionDenied("You may not read any area's indicators.")
    text = indicator_import.export_csv(indicator_selectors.indicators_for_export(areas))
    return _csv_response(text, f"indicators{'-' + slug if slug else ''}.csv")


@require_GET
@login_required
def indicator_template(request):
    areas = indicator_selectors.changeable_areas(request.user)
    if not areas:
        raise PermissionDenied("Only facilitators and area leads change indicators.")
    text = indicator_import.template_csv(indicator_selectors.indicators_for_export(areas))
    return _csv_response(text, "indicators-template.csv")
