"""The link under a collapsed list (challenge.listing): how many more, and a plain link that
shows them all, which works without JavaScript."""

from django import template
from django.template.defaultfilters import pluralize
from django.utils.html import format_html

from challenge.listing import PAGE_PARAM, SHOW_ALL_PARAM

register = template.Library()


@register.simple_tag(takes_context=True)
def show_all(context, shortlist, noun, anchor="", label=""):
    """After `shortlist` (a challenge.listing.Shortlist), when it hides some: "N more <noun>s:
    show all M", a link to this page with `?all=` its key (the other parameters kept, the page
    number dropped) and back to the element `anchor`; `label` tells screen readers which list.
    Nothing when it hides none. (A tag rather than an included template: a page may have a
    dozen of them.)"""
    if not shortlist.more:
        return ""
    query = context.request.GET.copy()
    query[SHOW_ALL_PARAM] = shortlist.key
    query.pop(PAGE_PARAM, None)
    href = f"?{query.urlencode()}" + (f"#{anchor}" if anchor else "")
    return format_html(
        '<p class="small show-all"><a href="{}">{} more {}{}: show all {}'
        '<span class="visually-hidden">{}</span></a></p>',
        href,
        shortlist.more,
        noun,
        pluralize(shortlist.more),
        len(shortlist),
        f" {label}" if label else "",
    )
