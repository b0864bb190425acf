"""Areas and their indicators: the area page, an indicator's chart and numbers, the
programme infographic, and CSV import (with a preview) and export."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from indicators import csv_import as indicator_import
from indicators import selectors as indicator_selectors
from indicators.kpis import RULES
from indicators.models import Indicator
from indicators.permissions import areas_changeable_by, can_change_indicators
from programmes.models import Programme
from programmes.permissions import areas_visible_to, can_view_area, get_area_for_user, get_programme_for_user


@require_GET
@login_required
def area_page(request, slug):
    area = get_area_for_user(request.user, slug)
    return render(
        request,
        "indicators/area.html",
        {
            "area": area,
            "indicators": indicator_selectors.indicators_for_area(area),
            "can_change": can_change_indicators(request.user, area),
            "rules": RULES,
            "programmes": Programme.objects.visible_to(request.user).filter(areas=area),
        },
    )


@require_GET
@login_required
def indicator_detail(request, code):
    try:
        indicator = indicator_selectors.indicator_detail(code)
    except Indicator.DoesNotExist as exc:
        raise Http404("No such indicator") from exc
    if not can_view_area(request.user, indicator.area):
        raise PermissionDenied("You do not take part in a programme that reviews this area.")
    return render(
        request,
        "indicators/indicator.html",
        {
            "indicator": indicator,
            "area": indicator.area,
            "rules": RULES,
            "can_change": can_change_indicators(request.user, indicator.area),
        },
    )


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


def _changeable_areas(user):
    return list(areas_changeable_by(user).order_by("name"))


@require_http_methods(["GET", "POST"])
@login_required
def indicator_import_view(request):
    areas = _changeable_areas(request.user)
    if not areas:
        raise PermissionDenied("Only facilitators and area leads change indicators.")
    area_ids = {a.pk for a in areas}
    form = ImportForm(request.POST or None, request.FILES or None)
    plan = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["csv"]
        plan = indicator_import.plan_import(text, may_change=lambda area: area.pk in area_ids)
        if request.POST.get("step") == "apply" and plan.ok:
            try:
                counts = indicator_import.apply_import(plan)
            except indicator_import.ImportConflict as error:
                messages.warning(
                    request,
                    f"{error} Nothing from your file has been saved: the preview below shows what it would change now.",
                )
                plan = indicator_import.plan_import(text, may_change=lambda area: area.pk in area_ids)
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
    areas = list(areas_visible_to(request.user).order_by("name"))
    slug = request.GET.get("area")
    if slug:
        areas = [a for a in areas if a.slug == slug]
    if not areas:
        raise PermissionDenied("You may not read any area's indicators.")
    text = indicator_import.export_csv(indicator_selectors.indicators_for_export(areas))
    return _csv_response(text, f"indicators{'-' + slug if slug else ''}.csv")


@require_GET
@login_required
def indicator_template(request):
    areas = _changeable_areas(request.user)
    if not areas:
        raise PermissionDenied("Only facilitators and area leads change indicators.")
    text = indicator_import.template_csv(indicator_selectors.indicators_for_export(areas))
    return _csv_response(text, "indicators-template.csv")
