"""The search page: what the person may read of their partnerships that matches their words."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from challenge.listing import expanded
from dashboard import search as searching


@require_GET
@login_required
def search(request):
    query = searching.clean_query(request.GET.get("q", ""))
    shown_in_full = expanded(request)
    groups = searching.search(request.user, query, expanded=shown_in_full) if query else []
    return render(
        request,
        "dashboard/search.html",
        {
            "query": query,
            "groups": groups,
            "total": sum(group.total for group in groups),
            "expanded": shown_in_full,
        },
    )
