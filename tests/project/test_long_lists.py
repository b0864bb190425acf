"""Pages that list things keep their size as the programme grows: they paginate (session list,
area page) or list the first few and say how many more, with a plain link (no JavaScript) that
shows them all (dashboard, documents, emerging findings, infographic)."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluations.models import SelfEvaluation
from findings import services as finding_services
from indicators.models import Indicator, IndicatorValue
from tests import factories as f

pytestmark = pytest.mark.django_db


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def _link(html, text):
    """The address of the link whose text starts with `text`, as a browser would follow it."""
    match = re.search(r'<a (?:class="[^"]*" )?href="([^"]*)"[^>]*>\s*' + re.escape(text), html)
    assert match, f"no link {text!r}"
    return match.group(1).replace("&amp;", "&")


def _follow(client, base, html, text):
    href = _link(html, text)
    assert href.startswith("?")
    return _page(client, base + href.split("#")[0])


def test_session_list_pages_through_the_sessions_keeping_the_filter(client, world):
    for day in range(24):  # and the world's own: 25 covering safeguarding
        f.session(
            world.programme,
            areas=[world.safeguarding],
            facilitator=world.facilitator,
            title=f"Extra {day:02}",
            date=datetime.date(2009, 6, 1) + datetime.timedelta(days=day),
        )
    client.force_login(world.facilitator)
    base = reverse("session_list", args=[world.programme.slug])
    first = _page(client, base + f"?area={world.safeguarding.pk}")
    assert "25 sessions covering Safeguarding children" in first
    assert first.count('class="py-2 border-bottom"') == 10
    assert "Showing 1–10 of 25." in first
    assert "Extra 08" in first and "Extra 09" not in first  # the world's session on 8 May first
    second_href = _link(first, '<span class="visually-hidden">Page </span>2')
    assert f"area={world.safeguarding.pk}" in second_href and "page=2" in second_href
    second = _page(client, base + second_href)
    assert "Showing 11–20 of 25." in second and "Extra 09" in second and "Extra 08" not in second
    last = _page(client, base + "?page=3")
    assert last.count('class="py-2 border-bottom"') == 5 and "Extra 23" in last


def test_dashboard_lists_a_few_of_each_and_says_how_many_more(client, world):
    for day in range(4):  # and the world's own: 5 sessions covering safeguarding
        f.session(
            world.programme,
            areas=[world.safeguarding],
            facilitator=world.facilitator,
            title=f"Extra {day}",
            date=datetime.date(2009, 6, 1) + datetime.timedelta(days=day),
        )
    for month in range(12):
        f.milestone(
            world.programme, title=f"Step {month:02}", date=datetime.date(2009, 4, 6) + datetime.timedelta(7 * month)
        )
    client.force_login(world.facilitator)
    base = reverse("programme_dashboard", args=[world.programme.slug])
    html = _page(client, base)
    card = html[html.index('id="area-card-safeguarding"') :]
    card = card[: card.index("</article>")]
    assert card.count("<li>") == 2
    assert "3 more sessions: show all 5" in card
    whole = _follow(client, base, card, "3 more sessions")
    card = whole[whole.index('id="area-card-safeguarding"') :]
    card = card[: card.index("</article>")]
    assert card.count("<li>") == 5 and "more sessions" not in card

    timetable = html[html.index('id="timetable-body"') :]
    assert timetable.split("</ol>")[0].count('<li class="is-') == 8
    assert "<strong>5 overdue:</strong> Step 00; Step 01; Step 02; and 2 more" in timetable
    assert "4 more milestones: show all 12" in timetable
    every = _follow(client, base, timetable, "4 more milestones")
    assert every[every.index('id="timetable-body"') :].split("</ol>")[0].count('<li class="is-') == 12


def test_infographic_shows_three_per_area_and_the_area_page_paginates(client, world):
    for n in range(14):
        indicator = Indicator.objects.create(area=world.safeguarding, code=f"kpi-{n:02}", name=f"Indicator {n:02}")
        IndicatorValue.objects.create(indicator=indicator, period_start=datetime.date(2008, 1, 1), value=Decimal(n))
    client.force_login(world.facilitator)
    html = _page(client, reverse("infographic", args=[world.programme.slug]))
    assert html.count("indicator-card") == 3
    assert "11 more indicators for Safeguarding children: see them all on its page" in html
    assert _link(html, "11 more indicators") == reverse("area_page", args=["safeguarding"])

    base = reverse("area_page", args=["safeguarding"])
    first = _page(client, base)
    assert first.count("indicator-card") == 12 and "Showing 1–12 of 14." in first
    second = _page(client, base + _link(first, "Next"))
    assert second.count("indicator-card") == 2 and "Indicator 13" in second and "Indicator 00" not in second


def test_documents_list_one_earlier_version_and_say_how_many_more(client, world):
    now = timezone.now()
    for version in range(1, 5):
        SelfEvaluation.objects.create(
            programme=world.programme,
            area=world.safeguarding,
            version=version,
            status=SelfEvaluation.Status.FINAL if version < 4 else SelfEvaluation.Status.DRAFT,
            finalised_at=now if version < 4 else None,
            finalised_by=world.facilitator if version < 4 else None,
            pdf=b"%PDF-1.7" if version < 4 else None,
            pdf_sha256="0" * 64 if version < 4 else "",
        )
    client.force_login(world.facilitator)
    base = reverse("documents", args=[world.programme.slug])
    html = _page(client, base)
    assert "Version 3" in html and "Version 2" not in html and "Version 1" not in html
    assert "2 more earlier versions: show all 3" in html
    every = _follow(client, base, html, "2 more earlier versions")
    assert all(f"Version {n}" in every for n in (1, 2, 3)) and "more earlier versions" not in every


def test_emerging_findings_list_three_under_each_heading(client, world):
    for n in range(5):
        finding_services.record_finding(
            session=world.session, area=world.safeguarding, by=world.facilitator, kind="red_flag",
            title=f"Flag {n}", text="What the session found.",
        )  # fmt: skip
    client.force_login(world.facilitator)
    base = reverse("emerging_findings", args=[world.programme.slug])
    html = _page(client, base)
    flags = html[html.index('id="flags-heading"') : html.index('id="themes-heading"')]
    assert re.findall(r"Flag \d", flags) == ["Flag 0", "Flag 1", "Flag 2"]
    assert "2 more flags: show all 5" in flags
    assert "<strong>5</strong> red flags" in html  # the counts are of them all
    every = _follow(client, base, flags, "2 more flags")
    flags = every[every.index('id="flags-heading"') : every.index('id="themes-heading"')]
    assert re.findall(r"Flag \d", flags) == [f"Flag {n}" for n in range(5)]
    by_area = every[every.index('id="area-heading"') :]
    assert "2 more findings" in by_area  # the other headings stay collapsed


def test_the_workspace_shows_the_first_six_indicators_and_says_how_many_more(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("workspace", args=[world.session.pk, world.safeguarding.pk])
    client.force_login(world.facilitator)

    def indicators(count):
        """The area with `count` indicators (five years of values each), and its workspace's
        page and queries."""
        for n in range(Indicator.objects.filter(area=world.safeguarding).count(), count):
            indicator = Indicator.objects.create(
                area=world.safeguarding, code=f"kpi-{n:02}", name=f"Indicator {n:02}", position=n
            )
            for year in range(2004, 2009):
                IndicatorValue.objects.create(indicator=indicator, period_start=datetime.date(year, 1, 1), value=n)
        client.get(url)  # drawn, and kept
        with CaptureQueriesContext(connection) as queries:
            html = _page(client, url)
        return html, len(queries)

    html, _ = indicators(6)
    assert html.count("indicator-card") == 6 and "more on the area page" not in html
    html, queries = indicators(7)
    assert html.count("indicator-card") == 6 and "Indicator 06" not in html
    assert "The first 6 of 7 indicators in their order: 1 more on the area page." in html
    html, as_many = indicators(30)
    assert as_many == queries  # whatever the number of indicators and values
    assert html.count("indicator-card") == 6 and "24 more on the area page" in html
    assert _link(html, "All of Safeguarding children") == reverse("area_page", args=["safeguarding"])
    # A retired indicator is neither shown nor counted.
    Indicator.objects.filter(code="kpi-00").update(retired_on=datetime.date(2009, 1, 1))
    html = _page(client, url)
    assert "Indicator 00" not in html and "Indicator 06" in html and "23 more on the area page" in html
