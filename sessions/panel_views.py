"""Adding and changing a partnership's scrutiny panels and cabinet portfolios (its
facilitators). Here rather than in programmes because a change reaches the panel's coming
meetings (sessions/panels.py); the councillors' list is programmes.councillor_views."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from challenge.editing import ConflictBox, StaleEdit, add_service_errors, reopen_at
from programmes import councillors
from programmes.councillor_forms import PanelForm, PortfolioForm
from programmes.councillor_views import WHAT
from programmes.permissions import get_partnership_to_manage
from sessions import panels


def _edit(request, partnership, form, save, obj, noun, saved_fields):
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(expected_revision=form.cleaned_data.get("revision") or 0, **form.values())
        except StaleEdit as error:
            current = error.current
            conflict = ConflictBox(noun=noun, saved_at=None, saved=saved_fields(current))
            reopen_at(form, current.revision)
            form.add_error(None, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved “{saved}”.")
            return None, redirect("councillor_list", slug=partnership.slug)
    return conflict, None


@require_http_methods(["GET", "POST"])
@login_required
def panel_form(request, slug, pk=None):
    partnership = get_partnership_to_manage(request.user, slug, what=WHAT)
    panel = councillors.panel_of(partnership, pk) if pk else None
    initial = {}
    if panel is not None:
        initial = {
            "name": panel.name,
            "chair": panel.chair_id,
            "members": [p.pk for p in panel.members.all()],
            "revision": panel.revision,
        }
    form = PanelForm(request.POST or None, initial=initial, partnership=partnership)

    def save(**values):
        return panels.save_panel(partnership=partnership, panel=panel, **values)

    conflict, done = _edit(
        request, partnership, form, save, panel, "this panel", lambda current: [("Name", current.name)]
    )
    if done:
        return done
    context = {"partnership": partnership, "form": form, "conflict": conflict, "object": panel, "what": "panel"}
    return render(request, "programmes/people/councillor_form.html", context, status=409 if conflict else 200)


@require_http_methods(["GET", "POST"])
@login_required
def portfolio_form(request, slug, pk=None):
    partnership = get_partnership_to_manage(request.user, slug, what=WHAT)
    portfolio = councillors.portfolio_of(partnership, pk) if pk else None
    initial = {}
    if portfolio is not None:
        initial = {
            "title": portfolio.title,
            "holder": portfolio.holder_id,
            "areas": [a.pk for a in portfolio.areas.all()],
            "revision": portfolio.revision,
        }
    form = PortfolioForm(request.POST or None, initial=initial, partnership=partnership)

    def save(**values):
        return panels.save_portfolio(partnership=partnership, portfolio=portfolio, **values)

    conflict, done = _edit(
        request, partnership, form, save, portfolio, "this portfolio", lambda current: [("Title", current.title)]
    )
    if done:
        return done
    context = {
        "partnership": partnership,
        "form": form,
        "conflict": conflict,
        "object": portfolio,
        "what": "cabinet portfolio",
    }
    return render(request, "programmes/people/councillor_form.html", context, status=409 if conflict else 200)
