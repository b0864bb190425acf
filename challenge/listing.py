"""Long lists on pages: a page of a paginated list, or the first few of a list collapsed behind a
link that shows them all. Either way the page says how many more there are, and the links are
plain links that work without JavaScript."""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

PAGE_PARAM = "page"
SHOW_ALL_PARAM = "all"


def page_of(object_list, per_page: int, number=None) -> Page:
    """Page `number` of `object_list` (the first if None or not a number; the last if past the
    end). A queryset is counted and sliced by the database: one query for the count, one for
    the page."""
    return Paginator(object_list, per_page).get_page(number)


def page_number(request):
    """The page of a paginated list that the request's `?page=` asks for."""
    return request.GET.get(PAGE_PARAM)


@dataclass
class Shortlist:
    """The first `limit` items of a list, unless the page was asked to show them all."""

    key: str  # what `?all=` names to show this list in full
    items: list  # all of them; only those shown if the database cut the list (see `counted`)
    shown: list
    more: int  # how many are not shown

    def __iter__(self):
        return iter(self.shown)

    def __len__(self):
        """How many there are in all."""
        return len(self.shown) + self.more


def shortlist(items, *, key: str, limit: int, expanded: str = "") -> Shortlist:
    """`items` cut to `limit`, or in full when `expanded` (the request's `?all=`) is `key`."""
    items = list(items)
    shown = items if expanded == key else items[:limit]
    return Shortlist(key=key, items=items, shown=shown, more=len(items) - len(shown))


def counted(shown, *, key: str, total: int) -> Shortlist:
    """A list the database has cut already: `shown`, the first of `total` items (all of them
    if they are `total`). Nothing else of the list is read."""
    shown = list(shown)
    return Shortlist(key=key, items=shown, shown=shown, more=total - len(shown))


def expanded(request) -> str:
    """Which collapsed list the request asks to see in full, if any."""
    return request.GET.get(SHOW_ALL_PARAM, "")
