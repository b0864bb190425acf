"""A person's notices: the list (newest first, unread marked), following one (which marks it
read), marking all read, how each kind is e-mailed, and the digest's unsubscribe link, which
works without signing in (its signed token is the access)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from challenge.listing import page_number, page_of
from programmes import notices
from programmes.models import Notice, NoticeKind, User
from programmes.notice_forms import NoticePreferencesForm

NOTICES_PER_PAGE = 30


@require_GET
@login_required
def notice_list(request):
    page = page_of(
        Notice.objects.for_person(request.user).select_related("partnership"), NOTICES_PER_PAGE, page_number(request)
    )
    return render(request, "programmes/notices/list.html", {"page_obj": page, "notices": page.object_list})


@require_POST
@login_required
def notice_read_all(request):
    count = notices.mark_all_read(person=request.user)
    messages.success(request, f"Marked {count} notice{'s' if count != 1 else ''} read.")
    return redirect("notice_list")


def _is_local(url) -> bool:
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and url_has_allowed_host_and_scheme(url, allowed_hosts=None)
    )


@require_GET
@login_required
def notice_open(request, pk):
    """Follow a notice's link: mark it read and go to its place. Someone else's notice, or one
    of a partnership the person has left, is not found; a link that would leave the site is
    refused (notices only ever store local paths, so this is a second lock)."""
    notice = get_object_or_404(Notice.objects.for_person(request.user), pk=pk)
    notices.mark_read(notice=notice)
    if not _is_local(notice.url):
        raise Http404("This notice has no page to go to.")
    return redirect(notice.url)


@require_http_methods(["GET", "POST"])
@login_required
def notice_settings(request):
    form = NoticePreferencesForm(request.POST or None, initial_choices=notices.preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        notices.set_preferences(person=request.user, choices=form.choices())
        messages.success(request, "Saved how you receive notices.")
        return redirect("notice_settings")
    return render(request, "programmes/notices/settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def notice_unsubscribe(request, token):
    """The digest's link: a page that asks before turning the e-mails off (a mail program
    that opens links to check them must not unsubscribe anyone), then turns them off."""
    found = notices.read_unsubscribe_token(token)
    person = User.objects.filter(pk=found[0]).first() if found else None
    if person is None:
        return render(request, "programmes/notices/unsubscribe.html", {"refused": True}, status=404)
    kind = found[1]
    label = "all notice e-mails" if kind == notices.ALL_KINDS else f"e-mails about “{NoticeKind(kind).label.lower()}”"
    done = False
    if request.method == "POST":
        notices.unsubscribe(person=person, kind=kind)
        done = True
    context = {"label": label, "done": done, "settings_url": reverse("notice_settings")}
    return render(request, "programmes/notices/unsubscribe.html", context)
