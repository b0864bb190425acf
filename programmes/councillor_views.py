"""The partnership's councillors, scrutiny panels and cabinet portfolios (its facilitators). Adding
and changing a panel or a portfolio reaches the panel's meetings: sessions/panel_views.py."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from programmes import councillors
from programmes.permissions import get_partnership_to_manage

WHAT = "set up its scrutiny panels and cabinet portfolios"


@require_GET
@login_required
def councillor_list(request, slug):
    partnership = get_partnership_to_manage(request.user, slug, what=WHAT)
    return render(
        request,
        "programmes/people/councillors.html",
        {
            "partnership": partnership,
            "councillors": list(councillors.councillors_of(partnership)),
            "panels": councillors.panels_of(partnership),
            "portfolios": councillors.portfolios_of(partnership),
        },
    )
