"""A partnership's indicators set up in the app by its facilitators (issue 13): the list of
them by area, current and retired; an indicator defined, changed, retired and restored."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.editing import ConflictBox, StaleEdit, add_service_errors, reopen_at
from indicators import selectors, services
from indicators.forms import IndicatorForm
from indicators.permissions import get_indicator_to_manage
from programmes.people import get_partnership_to_manage


@require_GET
@login_required
def partnership_indicators(request, slug):
    partnership = get_partnership_to_manage(request.user, slug)
    return render(
        request,
        "indicators/setup/partnership_indicators.html",
        {"partnership": partnership, "areas": selectors.partnership_indicators(partnership)},
    )


def _conflict(current) -> ConflictBox:
    target = "None" if current.target is None else f"{current.target.normalize():f}"
    if current.target_date:
        target += f" by {current.target_date:%B %Y}"
    return ConflictBox(
        noun="this indicator",
        saved_at=None,
        saved=[
            ("Code", current.code),
            ("Name", current.name),
            ("Definition", current.definition),
            ("Polarity", current.get_polarity_display()),
            ("Frequency", current.get_frequency_display()),
            ("Target", target),
        ],
    )


@require_http_methods(["GET", "POST"])
@login_required
def indicator_form(request, slug, pk=None):
    if pk is None:
        partnership, indicator = get_partnership_to_manage(request.user, slug), None
    else:
        partnership, indicator = get_indicator_to_manage(request.user, slug, pk)
    form = IndicatorForm(request.POST or None, instance=indicator, partnership=partnership)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            if indicator is None:
                saved = services.create_indicator(
                    partnership=partnership, submission_token=form.submitted_token, **form.indicator_fields()
                )
            else:
                saved = services.update_indicator(
                    indicator=indicator,
                    expected_revision=form.cleaned_data.get("revision") or 0,
                    **form.indicator_fields(),
                )
        except StaleEdit as error:
            conflict = _conflict(error.current)
            reopen_at(form, error.current.revision)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved the indicator “{saved.name}”.")
            return redirect(saved.get_absolute_url())
    return render(
        request,
        "indicators/setup/indicator_form.html",
        {"partnership": partnership, "indicator": indicator, "form": form, "conflict": conflict},
    )


@require_POST
@login_required
def indicator_retire(request, slug, pk, action):
    partnership, indicator = get_indicator_to_manage(request.user, slug, pk)
    saved = services.set_retired(indicator=indicator, retired=action == "retire")
    if saved.is_retired:
        messages.success(
            request,
            f"Retired “{saved.name}”: its values are kept, and it is no longer listed with the current indicators.",
        )
    else:
        messages.success(request, f"Restored “{saved.name}” to the current indicators.")
    return redirect("partnership_indicators", slug=partnership.slug)
