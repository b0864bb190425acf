"""An area's pathway (the journey of the child) as a funnel, and the page where the
partnership's facilitators set up its stages."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.editing import ConflictBox, StaleEdit, add_service_errors, reopen_at
from challenge.validators import no_line_breaks
from indicators import pathways
from indicators.models import Indicator, PathwayStage
from programmes.permissions import can_manage_partnership, get_area_for_user


class StageForm(forms.ModelForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PathwayStage
        fields = ["name", "position", "volume_indicator", "timeliness_indicator"]

    def __init__(self, *args, area, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's own validators do not run (_post_clean below): the one-line rule here.
        self.fields["name"].validators.append(no_line_breaks)
        choices = Indicator.objects.current().filter(area=area).order_by("position", "name")
        self.fields["volume_indicator"].queryset = choices
        self.fields["timeliness_indicator"].queryset = choices
        if self.instance.pk:
            self.fields["revision"].initial = self.instance.revision

    def _post_clean(self):
        pass  # the service checks the stage (its name once in the pathway, the area's KPIs)

    def values(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


@require_GET
@login_required
def pathway_page(request, slug):
    area = get_area_for_user(request.user, slug)
    pathway, readings = pathways.pathway_readings(area)
    context = {
        "area": area,
        "pathway": pathway,
        "readings": readings,
        "can_manage": can_manage_partnership(request.user, area.partnership_id),
    }
    return render(request, "indicators/pathway.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def pathway_manage(request, slug):
    area = pathways.get_pathway_area_to_manage(request.user, slug)
    form = StageForm(request.POST or None, area=area)
    if request.method == "POST" and form.is_valid():
        try:
            stage = pathways.add_stage(area=area, **form.values())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Added the stage “{stage.name}”.")
            return redirect("pathway_manage", slug=area.slug)
    pathway, readings = pathways.pathway_readings(area)
    context = {"area": area, "pathway": pathway, "readings": readings, "form": form}
    return render(request, "indicators/pathway_manage.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def stage_edit(request, slug, pk):
    area = pathways.get_pathway_area_to_manage(request.user, slug)
    stage = pathways.stage_of(area, pk)
    form = StageForm(request.POST or None, instance=stage, area=area)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            pathways.update_stage(
                stage=stage, expected_revision=form.cleaned_data.get("revision") or 0, **form.values()
            )
        except StaleEdit as error:
            current = error.current
            conflict = ConflictBox(
                noun="this stage",
                saved_at=None,
                saved=[
                    ("Name", current.name),
                    ("Position", str(current.position)),
                    ("Volume", str(current.volume_indicator or "—")),
                    ("Timeliness", str(current.timeliness_indicator or "—")),
                ],
            )
            reopen_at(form, current.revision)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved the stage “{form.cleaned_data['name']}”.")
            return redirect("pathway_manage", slug=area.slug)
    context = {"area": area, "stage": stage, "form": form, "conflict": conflict}
    return render(request, "indicators/pathway_stage_form.html", context, status=409 if conflict else 200)


@require_POST
@login_required
def stage_remove(request, slug, pk):
    area = pathways.get_pathway_area_to_manage(request.user, slug)
    stage = pathways.stage_of(area, pk)
    pathways.remove_stage(stage=stage)
    messages.success(request, f"Removed the stage “{stage.name}”. Its KPIs and their values are kept.")
    return redirect(reverse("pathway_manage", args=[area.slug]))
