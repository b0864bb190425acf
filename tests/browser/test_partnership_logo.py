"""A facilitator uploads the partnership's logo in the browser, sees it previewed (a data:
image the Content-Security-Policy lets show: the `page` fixture fails on any violation), is
refused beside the field for a file that is not a PNG or JPEG, and removes it; axe-core on
each state of the page.

Run with:  DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/pytest tests/browser/test_partnership_logo.py -q
"""

import pytest
from playwright.sync_api import Page, expect

from programmes.models import PartnershipLogo
from programmes.services import create_partnership
from tests import factories as f
from tests.browser_support import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAME = "Wessex Community Safety Partnership"


def test_a_facilitator_uploads_previews_and_removes_the_logo(page: Page, live_server):
    partnership = create_partnership(name=NAME)
    f.person(f.partner("Wessex County Council", partnership), "sam", is_facilitator=True)
    base = live_server.url
    sign_in(page, base, "sam")
    page.goto(f"{base}/partnerships/{partnership.slug}/")
    page.get_by_role("link", name="The partnership's logo").click()
    expect(page.get_by_role("heading", name="The partnership's logo", level=1)).to_be_visible()
    assert_accessible(page, "the logo page with no logo")

    page.get_by_label("Choose a logo").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": b"<svg xmlns='http://www.w3.org/2000/svg'/>"}]
    )
    page.get_by_role("button", name="Upload the logo").click()
    expect(page.get_by_text("The logo must be a PNG or JPEG image.")).to_be_visible()
    assert_accessible(page, "the logo page refusing a file")

    page.get_by_label("Choose a logo").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": f.logo_image(width=120, height=60)}]
    )
    page.get_by_role("button", name="Upload the logo").click()
    preview = page.get_by_role("img", name=f"The logo of {NAME}")
    expect(preview).to_be_visible()
    assert preview.evaluate("image => image.naturalWidth") == 120  # shown, not blocked
    assert_accessible(page, "the logo page with a logo")

    page.get_by_role("button", name="Remove the logo").click()
    expect(page.get_by_text("Removed the logo.")).to_be_visible()
    expect(page.get_by_role("img")).to_have_count(0)
    assert not PartnershipLogo.objects.exists()
