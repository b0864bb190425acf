"""Response headers that protect every page: the Content-Security-Policy, and no caching of
anything a signed-in person sees; and the markup those rely on (valid `data-hx-*` attributes,
no inline scripts or styles)."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from evaluations import services as evaluation_services
from tests.evaluations.drafts import download_draft_pdf

ROOT = Path(__file__).resolve().parents[2]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- Content-Security-Policy ---------------------------------------------------------------


def test_signed_in_page_has_a_strict_content_security_policy(client, world):
    client.force_login(world.facilitator)
    response = client.get(reverse("programme_dashboard", args=[world.programme.slug]))
    assert response.status_code == 200
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    # Bootstrap draws checkboxes and select arrows with data: SVGs; nothing else is allowed.
    assert csp["img-src"] == ["'self'", "data:"]
    assert "report-uri" not in csp


def test_no_directive_allows_inline_code_or_eval(client, world):
    anonymous = client.get(reverse("login"))
    client.force_login(world.reviewer)
    signed_in = client.get(reverse("session_detail", args=[world.session.pk]))
    for response in [anonymous, signed_in]:
        assert response.status_code == 200
        header = response["Content-Security-Policy"]
        assert "unsafe-inline" not in header
        assert "unsafe-eval" not in header
        assert "unsafe-hashes" not in header
        assert csp_directives(response)["script-src"] == ["'self'"]


def test_csp_report_uri_comes_from_the_environment():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["CSP_REPORT_URI"] = "https://reports.example.org/csp"
    code = (
        "import django; django.setup();"
        "from django.test import RequestFactory;"
        "from django.http import HttpResponse;"
        "from csp.middleware import CSPMiddleware;"
        "r = RequestFactory().get('/');"
        "print(CSPMiddleware(lambda req: HttpResponse())(r)['Content-Security-Policy'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "challenge.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "report-uri https://reports.example.org/csp" in result.stdout
    assert "default-src 'self'" in result.stdout


# --- Cache-Control -------------------------------------------------------------------------


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_signed_in_pages_and_downloads_are_never_stored(client, world):
    se = evaluation_services.current_self_evaluation(programme=world.programme, area=world.safeguarding)
    client.force_login(world.facilitator)
    # The draft's PDF rendered by the worker, so that the download below is the file itself.
    download_draft_pdf(client, reverse("self_evaluation_pdf", args=[se.pk]))
    for url, content_type in [
        (reverse("home"), "text/html"),
        (reverse("programme_dashboard", args=[world.programme.slug]), "text/html"),
        (reverse("self_evaluation_pdf", args=[se.pk]), "application/pdf"),
        (reverse("session_ics", args=[world.session.pk]), "text/calendar"),
        (reverse("programme_calendar", args=[world.programme.slug]), "text/calendar"),
        (reverse("indicator_export"), "text/csv"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith(content_type), url
        assert {"private", "no-store"} <= cache_control(response), (url, response["Cache-Control"])
        assert "public" not in cache_control(response)


def test_htmx_fragments_for_a_signed_in_person_are_never_stored(client, world):
    client.force_login(world.facilitator)
    response = client.get(reverse("session_list", args=[world.programme.slug]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert cache_control(response) == {"private", "no-store"}


def test_static_files_keep_their_own_caching_for_a_signed_in_person(client, world, settings):
    # WhiteNoise answers before the middleware that marks responses private (it serves from
    # the finders here, as the tests collect no static files).
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    client.force_login(world.facilitator)
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"/* Challenge")
    assert "public" in cache_control(response)
    assert not {"private", "no-store"} & cache_control(response)


def test_anonymous_pages_are_not_marked_private(client, world):
    # The sign-in redirect for an anonymous visitor says nothing about caching.
    response = client.get(reverse("programme_dashboard", args=[world.programme.slug]))
    assert response.status_code == 302
    assert "private" not in cache_control(response)


# --- Markup the policy relies on -----------------------------------------------------------

TEMPLATES = ROOT / "templates"
PYTHON_PACKAGES = [
    ROOT / app
    for app in (
        "challenge",
        "programmes",
        "indicators",
        "sessions",
        "workspace",
        "findings",
        "evaluations",
        "dashboard",
        "demo",
    )
]
# An attribute named hx-… (not data-hx-…): in markup, or as a key in Python (widget attrs).
BARE_HX_ATTRIBUTE = re.compile(r"(?<![\w-])hx-[a-z-]+\s*=")
BARE_HX_KEY = re.compile(r"""["']hx-[a-z-]+["']\s*:""")


def test_no_template_uses_invalid_hx_attributes():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*")):
        if path.is_file():
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if BARE_HX_ATTRIBUTE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_no_python_code_adds_invalid_hx_attributes():
    offenders = []
    for package in PYTHON_PACKAGES:
        for path in sorted(package.rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if BARE_HX_KEY.search(line) or BARE_HX_ATTRIBUTE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_no_template_has_inline_scripts_or_styles():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for pattern in [r"<style", r"\sstyle=", r"<script(?![^>]*\ssrc=)", r"\son[a-z]+="]:
            for match in re.finditer(pattern, text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)!r}")
    assert offenders == []


class AttributeCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attributes = []  # (tag, name, value)
        self.metas = {}

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.attributes.append((tag, name, value))
        if tag == "meta":
            attrs = dict(attrs)
            if "name" in attrs:
                self.metas[attrs["name"]] = attrs.get("content")


@pytest.fixture
def rendered_pages(client, world):
    """The main pages as the facilitator sees them, every htmx form on them included."""
    client.force_login(world.facilitator)
    slug = world.programme.slug
    urls = [
        reverse("home"),
        reverse("programme_dashboard", args=[slug]),
        reverse("session_list", args=[slug]),
        reverse("session_detail", args=[world.session.pk]),
        reverse("workspace", args=[world.session.pk, world.safeguarding.pk]),
        reverse("session_findings", args=[world.session.pk, world.safeguarding.pk]),
        reverse("emerging_findings", args=[slug]),
        reverse("documents", args=[slug]),
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        parser = AttributeCollector()
        parser.feed(response.content.decode())
        pages[url] = parser
    return pages


def test_rendered_pages_use_only_data_hx_attributes(rendered_pages, world):
    for url, parser in rendered_pages.items():
        bare = [(tag, name) for tag, name, _ in parser.attributes if name.startswith("hx-")]
        assert bare == [], url
    # htmx still has its instructions, in the valid form: the CSRF header on <body> and the
    # in-place participant form.
    session_page = rendered_pages[reverse("session_detail", args=[world.session.pk])]
    names = {(tag, name) for tag, name, _ in session_page.attributes}
    assert ("body", "data-hx-headers") in names
    assert ("form", "data-hx-post") in names
    assert ("form", "data-hx-target") in names


def test_htmx_is_told_not_to_inject_styles_or_eval(rendered_pages):
    import json

    for url, parser in rendered_pages.items():
        config = json.loads(parser.metas["htmx-config"])
        assert config["includeIndicatorStyles"] is False, url
        assert config["allowEval"] is False, url
