"""A partnership's councillors: its scrutiny panels (members and chair) and its cabinet
portfolios (the areas a cabinet member holds), set up by the partnership's facilitators.
Writes carry the revision their form was opened at (challenge/editing.py); each is checked
against the people and areas of the partnership."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from challenge.editing import refuse_stale
from challenge.submission import create_once
from programmes.models import CabinetPortfolio, Membership, ScrutinyPanel, ThematicArea, User

# --- Reads ----------------------------------------------------------------------------------


def councillors_of(partnership):
    """The partnership's active councillors, for the panel and portfolio pickers."""
    return User.objects.filter(
        is_active=True,
        memberships__partnership=partnership,
        memberships__is_active=True,
        memberships__is_councillor=True,
    ).order_by("last_name", "first_name")


def panels_of(partnership) -> list:
    return list(
        ScrutinyPanel.objects.filter(partnership=partnership).select_related("chair").prefetch_related("members")
    )


def portfolios_of(partnership) -> list:
    return list(
        CabinetPortfolio.objects.filter(partnership=partnership).select_related("holder").prefetch_related("areas")
    )


def panel_of(partnership, pk) -> ScrutinyPanel:
    try:
        return ScrutinyPanel.objects.get(partnership=partnership, pk=pk)
    except ScrutinyPanel.DoesNotExist as exc:
        raise Http404("No such panel") from exc


def portfolio_of(partnership, pk) -> CabinetPortfolio:
    try:
        return CabinetPortfolio.objects.get(partnership=partnership, pk=pk)
    except CabinetPortfolio.DoesNotExist as exc:
        raise Http404("No such portfolio") from exc


# --- Rules ----------------------------------------------------------------------------------------


def _not_councillors(partnership, people) -> list:
    ids = set(
        Membership.objects.filter(
            partnership=partnership, person__in=[p.pk for p in people], is_active=True, is_councillor=True
        ).values_list("person_id", flat=True)
    )
    return [p for p in people if p.pk not in ids]


def panel_errors(*, partnership, name, chair, members, panel=None) -> dict:
    errors = {}
    outside = _not_councillors(partnership, members)
    if outside:
        errors["members"] = [
            f"{', '.join(p.display_name for p in outside)}: only the partnership's councillors sit on its panels."
        ]
    if chair is not None and chair.pk not in {p.pk for p in members}:
        errors["chair"] = ["The chair must be one of the panel's members."]
    same = ScrutinyPanel.objects.filter(partnership=partnership, name=name)
    if panel is not None:
        same = same.exclude(pk=panel.pk)
    if same.exists():
        errors["name"] = ["The partnership already has a panel of this name."]
    return errors


def portfolio_errors(*, partnership, holder, areas) -> dict:
    errors = {}
    if _not_councillors(partnership, [holder]):
        errors["holder"] = [f"{holder.display_name} is not a councillor of the partnership."]
    if any(area.partnership_id != partnership.pk for area in areas):
        errors["areas"] = ["Choose the partnership's own areas."]
    return errors


# --- Writes ------------------------------------------------------------------------------------------


@transaction.atomic
def save_panel(*, partnership, name, chair, members, panel=None, expected_revision=None) -> ScrutinyPanel:
    """Add a panel, or change one (refused, StaleEdit, if it changed since its form was
    opened at `expected_revision`). Its members are the partnership's councillors."""
    members = list(members)
    errors = panel_errors(partnership=partnership, name=name, chair=chair, members=members, panel=panel)
    if errors:
        raise ValidationError(errors)
    if panel is None:
        panel = ScrutinyPanel.objects.create(partnership=partnership, name=name, chair=chair)
    else:
        panel = ScrutinyPanel.objects.select_for_update().get(pk=panel.pk)
        refuse_stale(panel, expected_revision)
        panel.name, panel.chair = name, chair
        panel.revision += 1
        panel.save()
    panel.members.set(members)
    return panel


@transaction.atomic
def save_portfolio(
    *, partnership, title, holder, areas, portfolio=None, expected_revision=None, submission_token=None
) -> CabinetPortfolio:
    """Add a cabinet portfolio (once per `submission_token`), or change one (StaleEdit if it
    changed since its form was opened). Its holder may not sit on a panel for its areas
    (sessions/independence.py)."""
    areas = list(areas)
    errors = portfolio_errors(partnership=partnership, holder=holder, areas=areas)
    if errors:
        raise ValidationError(errors)
    if portfolio is None:

        def create():
            made = CabinetPortfolio.objects.create(
                partnership=partnership, title=title, holder=holder, submission_token=submission_token
            )
            made.areas.set(areas)
            return made

        return create_once(CabinetPortfolio, submission_token, create, partnership_id=partnership.pk)
    portfolio = CabinetPortfolio.objects.select_for_update().get(pk=portfolio.pk)
    refuse_stale(portfolio, expected_revision)
    portfolio.title, portfolio.holder = title, holder
    portfolio.revision += 1
    portfolio.save()
    portfolio.areas.set(areas)
    return portfolio


def areas_of(partnership):
    return ThematicArea.objects.filter(partnership=partnership, retired_on__isnull=True).order_by("name")
