"""Areas and their indicators: the area page, an indicator's chart and numbers, the
programme infographic, and CSV import (with a preview) and export."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.editing import ConflictBox, StaleEdit, reopen_at
from challenge.listing import page_number
from indicators import csv_import as indicator_import
from indicators import pathways
from indicators import selectors as indicator_selectors
from indicators import services as indicator_services
from indicators.forms import ValueForm
from indicators.kpis import RULES
from indicators.models import IndicatorValue
from indicators.permissions import get_indicator_for_user
from programmes.permissions import can_manage_partnership, get_area_for_user, get_programme_for_user


@require_GET
@login_required
def area_page(request, slug):
    area = get_area_for_user(request.user, slug)
    page = indicator_selectors.area_page(request.user, area, page_number(request))
    # Its assurance audits (findings/audits.py) are read by the partnership's officers and facilitators.
    reads_audits = request.user.is_superuser or area.partnership_id in request.user.reading_partnership_ids()
    pathway, stages = pathways.pathway_readings(area)
    context = {
        "area": area,
        "rules": RULES,
        "reads_audits": reads_audits,
        "pathway": pathway,
        "pathway_stages": stages,
        "can_set_up_pathway": can_manage_partnership(request.user, area.partnership_id),
        **page,
    }
    return render(request, "indicators/area.html", context)


@require_GET
@login_required
def indicator_detail(request, pk):
    indicator = get_indicator_for_user(request.user, pk)
    page = indicator_selectors.indicator_page(request.user, indicator)
    form = ValueForm(indicator=indicator) if page["can_change"] else None
    return render(request, "indicators/indicator.html", {"rules": RULES, "value_form": form, **page})


# --- Values entered one period at a time ---------------------------------------------------


def _value_of(indicator, value_pk):
    value = get_object_or_404(IndicatorValue, indicator=indicator, pk=value_pk)
    value.indicator = indicator
    return value


def _value_conflict(current) -> ConflictBox:
    return ConflictBox(
        noun="this value",
        saved_at=None,
        saved=[
            ("Period", current.period),
            ("Value", _number(current.value) if current.is_reported else f"Awaiting data: {current.awaiting_reason}"),
            ("National", _number(current.national)),
            ("Comparator group", _number(current.comparator)),
            ("Commentary", current.commentary),
        ],
    )


def _number(number):
    return "" if number is None else f"{number.normalize():f}"


@require_http_methods(["GET", "POST"])
@login_required
def indicator_value_form(request, pk, value_pk=None):
    """Add a value for a period, or change one (its period, numbers and commentary)."""
    indicator = get_indicator_for_user(request.user, pk, change=True)
    value = _value_of(indicator, value_pk) if value_pk else None
    form = ValueForm(request.POST or None, indicator=indicator, value=value)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            if value is None:
                saved = indicator_services.add_value(
                    indicator=indicator, submission_token=form.submitted_token, **form.value_fields()
                )
            else:
                saved = indicator_services.update_value(
                    indicator_value=value,
                    expected_revision=form.cleaned_data.get("revision") or 0,
                    **form.value_fields(),
                )
        except StaleEdit as error:
            conflict = _value_conflict(error.current)
            value = error.current  # its delete button carries the revision saved now
            reopen_at(form, error.current.revision)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Saved the value for {saved.period}.")
            return redirect(indicator.get_absolute_url())
    return render(
        request,
        "indicators/value_form.html",
        {"indicator": indicator, "area": indicator.area, "value": value, "form": form, "conflict": conflict},
    )


@require_POST
@login_required
def indicator_value_delete(request, pk, value_pk):
    indicator = get_indicator_for_user(request.user, pk, change=True)
    value = _value_of(indicator, value_pk)
    try:
        indicator_services.delete_value(
            indicator_value=value, expected_revision=_revision(request.POST.get("revision"))
        )
    except StaleEdit as error:
        form = ValueForm(indicator=indicator, value=error.current)
        return render(
            request,
            "indicators/value_form.html",
            {
                "indicator": indicator,
                "area": indicator.area,
                "value": error.current,
                "form": form,
                "conflict": _value_conflict(error.current),
            },
        )
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(request, f"Deleted the value for {value.period}.")
    return redirect(indicator.get_absolute_url())


def _revision(text):
    try:
        return int(text)
    except (TypeError, ValueError):
        return -1  # not the revision of any value: refused as stale


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
    partnership = forms.ChoiceField(
        label="Partnership", help_text="The codes in the file are looked up among this partnership's indicators."
    )
    file = forms.FileField(
        required=False,
        label="CSV file",
        help_text="Columns: indicator, period, value, national, comparator, and commentary if you wish.",
    )
    csv = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}), label="Or paste the CSV here"
    )

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnerships = {partnership.slug: partnership for partnership in partnerships}
        if len(partnerships) == 1:
            del self.fields["partnership"]  # the only one there is
        else:
            self.fields["partnership"].choices = [("", "Choose one")] + [(p.slug, p.name) for p in partnerships]

    def clean(self):
        data = super().clean()
        if "partnership" not in self.fields:
            data["partnership"] = next(iter(self.partnerships.values()))
        elif data.get("partnership"):
            data["partnership"] = self.partnerships[data["partnership"]]
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
    """Values of the indicators of one partnership whose areas' indicators the user may
    change (chosen in the form if there are several)."""
    areas = indicator_selectors.changeable_areas(request.user)
    if not areas:
        raise PermissionDenied("Only facilitators and area leads change indicators.")
    area_ids = {area.pk for area in areas}
    partnerships = list({area.partnership_id: area.partnership for area in areas}.values())
    partnerships.sort(key=lambda partnership: partnership.name)

    def may_change(area):
        return area.pk in area_ids

    initial = {"partnership": request.GET.get("partnership", "")}
    form = ImportForm(request.POST or None, request.FILES or None, partnerships=partnerships, initial=initial)
    plan = None
    if request.method == "POST" and form.is_valid():
        text, partnership = form.cleaned_data["csv"], form.cleaned_data["partnership"]
        plan = indicator_import.plan_import(text, partnership=partnership, may_change=may_change)
        if request.POST.get("step") == "apply" and plan.ok:
            try:
                counts = indicator_import.apply_import(plan)
            except indicator_import.ImportConflict as error:
                messages.warning(
                    request,
                    f"{error} Nothing from your file has been saved: the preview below shows what it would change now.",
                )
                plan = indicator_import.plan_import(text, partnership=partnership, may_change=may_change)
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
        form = ImportForm(initial={"csv": text, "partnership": partnership.slug}, partnerships=partnerships)
    return render(
        request,
        "indicators/indicator_import.html",
        {"form": form, "plan": plan, "areas": areas, "partnership": plan and partnership},
    )


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
    current = [i for i in indicator_selectors.indicators_for_export(areas) if not i.is_retired]
    text = indicator_import.template_csv(current)
    return _csv_response(text, "indicators-template.csv")
