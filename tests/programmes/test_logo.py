"""A partnership's logo (issue 16), uploaded, replaced and removed by its facilitators on the
partnership's own logo page (the admin offers the same field: tests/evaluations/test_documents.py):
a PNG or JPEG within the limits, checked by opening it; refused beside the field otherwise."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from challenge.editing import StaleEdit
from challenge.logos import LOGO_MAX_BYTES, LOGO_MAX_PIXELS
from programmes import partnership_logos
from programmes.models import PartnershipLogo
from programmes.services import create_partnership
from tests import factories as f

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def bomb(side=30_000) -> bytes:
    """A PNG of a few hundred bytes that claims to be `side` pixels square (900 million pixels:
    past twice Pillow's decompression-bomb limit, which it refuses to open at all)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://example.org/x.png"/></svg>'


@pytest.fixture
def setup(world):
    """The world, with a facilitator of its partnership (`boss`) and one of another (`stranger`)."""
    world.partnership = world.programme.partnership
    world.boss = f.person(world.council, "boss", first_name="Bea", last_name="Boss", is_facilitator=True)
    elsewhere = create_partnership(name="Elsewhere")
    world.stranger = f.person(f.partner("Elsewhere Council", elsewhere), "stranger", is_facilitator=True)
    return world


@pytest.fixture
def boss_client(client, setup):
    client.force_login(setup.boss)
    return client


def page_url(setup):
    return reverse("partnership_logo", args=[setup.partnership.slug])


def remove_url(setup):
    return reverse("partnership_logo_remove", args=[setup.partnership.slug])


def upload(name, content, content_type="image/png"):
    return {"logo": SimpleUploadedFile(name, content, content_type=content_type)}


def stored(setup):
    return PartnershipLogo.objects.filter(partnership=setup.partnership).values_list("data", "content_type").first()


def test_the_home_page_links_to_the_logo_page(boss_client, setup):
    page = boss_client.get(reverse("partnership_home", args=[setup.partnership.slug])).content.decode()
    assert f'href="{page_url(setup)}"' in page


def test_a_facilitator_uploads_a_png_and_sees_it(boss_client, setup):
    page = boss_client.get(page_url(setup)).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'accept="image/png,image/jpeg"' in page
    assert "None yet" in page and "Remove the logo" not in page
    png = f.logo_image()
    response = boss_client.post(page_url(setup), upload("salford.png", png))
    assert response.status_code == 302 and response.url == page_url(setup)
    data, content_type = stored(setup)
    assert (bytes(data), content_type) == (png, "image/png")
    page = boss_client.get(page_url(setup)).content.decode()
    assert "Saved the logo." in page
    logo = PartnershipLogo.objects.get(partnership=setup.partnership)
    assert f'<img src="{logo.data_url}" alt="The logo of {setup.partnership.name}"' in page
    assert f'action="{remove_url(setup)}"' in page and "Upload another in its place" in page


def test_the_content_security_policy_lets_the_preview_show(boss_client, setup):
    partnership_logos.set_logo(setup.partnership, data=f.logo_image())
    response = boss_client.get(page_url(setup))
    policy = response.headers["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src")).split()
    assert "data:" in img_src and 'src="data:image/png;base64,' in response.content.decode()


def test_a_facilitator_replaces_the_logo_with_a_jpeg(boss_client, setup):
    partnership_logos.set_logo(setup.partnership, data=f.logo_image())
    first = PartnershipLogo.objects.get(partnership=setup.partnership)
    jpeg = f.logo_image(image_format="JPEG", colour=(0, 80, 160))
    seen = seen_on(boss_client.get(page_url(setup)).content.decode())
    response = boss_client.post(page_url(setup), {**upload("whatever-the-name.png", jpeg), "seen": seen})
    assert response.status_code == 302
    data, content_type = stored(setup)
    assert (bytes(data), content_type) == (jpeg, "image/jpeg")  # the format read, not the name or type sent
    assert PartnershipLogo.objects.count() == 1
    assert PartnershipLogo.objects.get().uploaded_at > first.uploaded_at


def seen_on(page) -> str:
    return re.search(r'name="seen" value="([^"]+)"', page).group(1)


def test_a_facilitator_removes_the_logo(boss_client, setup):
    partnership_logos.set_logo(setup.partnership, data=f.logo_image())
    seen = seen_on(boss_client.get(page_url(setup)).content.decode())
    response = boss_client.post(remove_url(setup), {"seen": seen})
    assert response.status_code == 302 and response.url == page_url(setup)
    assert not PartnershipLogo.objects.exists()
    page = boss_client.get(page_url(setup)).content.decode()
    assert "Removed the logo." in page and "None yet" in page and "<img" not in page
    # Removing none again changes nothing and says nothing.
    assert boss_client.post(remove_url(setup)).status_code == 302
    assert "Removed the logo." not in boss_client.get(page_url(setup)).content.decode()
    assert boss_client.get(remove_url(setup)).status_code == 405


def test_a_logo_replaced_meanwhile_is_not_removed(boss_client, setup):
    """The remove button was shown beside one logo; another was uploaded since (in another tab,
    or by another facilitator): the new one stays, and the page says so and shows it."""
    partnership_logos.set_logo(setup.partnership, data=f.logo_image())
    seen = seen_on(boss_client.get(page_url(setup)).content.decode())
    newer = f.logo_image(colour=(0, 120, 0))
    partnership_logos.set_logo(setup.partnership, data=newer)
    response = boss_client.post(remove_url(setup), {"seen": seen}, follow=True)
    assert bytes(stored(setup)[0]) == newer
    page = response.content.decode()
    assert "The logo was replaced while you were looking at it" in page
    assert PartnershipLogo.objects.get().data_url in page and seen_on(page) != seen
    for stale in ("", "not a time"):
        boss_client.post(remove_url(setup), {"seen": stale})
        assert bytes(stored(setup)[0]) == newer


def test_a_logo_changed_meanwhile_is_not_replaced(boss_client, setup):
    """The upload form was shown beside one logo (or none); another facilitator uploaded
    another, or removed it, since: the upload is refused, saying so, and the logo now stays
    and is shown. Uploading again from that page replaces it."""
    partnership_logos.set_logo(setup.partnership, data=f.logo_image())
    seen = seen_on(boss_client.get(page_url(setup)).content.decode())
    theirs = f.logo_image(colour=(0, 120, 0))
    partnership_logos.set_logo(setup.partnership, data=theirs)
    mine = f.logo_image(colour=(200, 0, 0))
    response = boss_client.post(page_url(setup), {**upload("mine.png", mine), "seen": seen})
    assert response.status_code == 200 and bytes(stored(setup)[0]) == theirs
    page = response.content.decode()
    assert "The logo changed while you were choosing yours" in page
    assert PartnershipLogo.objects.get().data_url in page
    now = seen_on(page)
    assert now != seen and page.count(f'name="seen" value="{now}"') == 2  # both forms: as shown now
    # A form shown with no logo, after which one was uploaded: refused too; as is a form
    # that says nothing of what it was shown beside.
    for stale in ("", None):
        data = upload("mine.png", mine) | ({} if stale is None else {"seen": stale})
        assert boss_client.post(page_url(setup), data).status_code == 200
        assert bytes(stored(setup)[0]) == theirs
    # Removed meanwhile: refused, and there is still none.
    PartnershipLogo.objects.all().delete()
    boss_client.post(page_url(setup), {**upload("mine.png", mine), "seen": now})
    assert not PartnershipLogo.objects.exists()
    page = boss_client.get(page_url(setup)).content.decode()
    assert 'name="seen" value=""' in page
    response = boss_client.post(page_url(setup), {**upload("mine.png", mine), "seen": ""})
    assert response.status_code == 302 and bytes(stored(setup)[0]) == mine


def test_the_write_refuses_a_stale_upload_itself(setup):
    first = partnership_logos.set_logo(setup.partnership, data=f.logo_image(), seen="")
    with pytest.raises(StaleEdit) as refused:
        partnership_logos.set_logo(setup.partnership, data=f.logo_image(colour=(1, 2, 3)), seen="")
    assert refused.value.current == first
    second = partnership_logos.set_logo(
        setup.partnership, data=f.logo_image(colour=(1, 2, 3)), seen=partnership_logos.seen_as(first)
    )
    assert PartnershipLogo.objects.get() == second and second.uploaded_at > first.uploaded_at


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", SVG, "The logo must be a PNG or JPEG image."),
        ("logo.png", SVG, "The logo must be a PNG or JPEG image."),
        ("notes.txt", b"Not an image at all", "The logo must be a PNG or JPEG image."),
        ("page.png", HTML, "The logo must be a PNG or JPEG image."),
        ("../../../etc/bomb.png", "bomb", f"The logo must be at most {LOGO_MAX_PIXELS} pixels wide and high."),
        pytest.param(
            "less-of-a-bomb.png",
            "small bomb",
            f"The logo must be at most {LOGO_MAX_PIXELS} pixels wide and high.",
            marks=pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning"),
        ),
        ("logo.gif", b"GIF89a" + b"\x00" * 40, "The logo must be a PNG or JPEG image."),
        ("big.png", None, f"The logo must be at most {LOGO_MAX_BYTES // 1024} KB."),
        ("wide.png", "wide", f"The logo must be at most {LOGO_MAX_PIXELS} pixels wide and high."),
        ("empty.png", b"", "The submitted file is empty."),
    ],
)
def test_a_bad_file_is_refused_beside_the_field_and_the_logo_kept(boss_client, setup, name, content, message):
    kept = f.logo_image()
    partnership_logos.set_logo(setup.partnership, data=kept)
    if content is None:
        content = f.logo_image() + b"0" * LOGO_MAX_BYTES
    elif content == "wide":
        content = f.logo_image(width=LOGO_MAX_PIXELS + 1, height=2)
    elif content == "bomb":
        content = bomb()
    elif content == "small bomb":
        content = bomb(side=10_000)  # past Pillow's limit, under twice it: it only warns
    response = boss_client.post(page_url(setup), upload(name, content))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'class="form-control is-invalid"' in page and 'aria-describedby="id_logo_helptext id_logo_error"' in page
    assert (
        f'<div id="id_logo_error" class="invalid-feedback"> <p id="error_1_id_logo"><strong>{message}</strong>' in page
    )
    assert bytes(stored(setup)[0]) == kept


def test_choosing_no_file_is_refused_beside_the_field(boss_client, setup):
    response = boss_client.post(page_url(setup), {})
    assert response.status_code == 200
    assert '<p id="error_1_id_logo"><strong>This field is required.</strong></p>' in response.content.decode()
    assert not PartnershipLogo.objects.exists()


def test_the_write_checks_the_bytes_itself(setup):
    for data in (SVG, HTML, bomb(), f.logo_image() + b"0" * LOGO_MAX_BYTES, f.logo_image(width=LOGO_MAX_PIXELS + 1)):
        with pytest.raises(ValidationError) as refused:
            partnership_logos.set_logo(setup.partnership, data=data)
        assert list(refused.value.error_dict) == ["logo"]
    assert not PartnershipLogo.objects.exists()
    logo = partnership_logos.set_logo(setup.partnership, data=f.logo_image(image_format="JPEG"))
    assert logo.content_type == "image/jpeg" and partnership_logos.logo_of(setup.partnership) == logo
    assert partnership_logos.remove_logo(setup.partnership) and not partnership_logos.remove_logo(setup.partnership)


def test_who_may_change_the_logo(client, setup):
    """Signed out: to sign in. Another partnership's facilitator: not found. The partnership's
    officer, a reviewer, a presenter and a programme's facilitator: refused. Nothing changes."""
    kept = f.logo_image()
    partnership_logos.set_logo(setup.partnership, data=kept)
    other = f.logo_image(colour=(0, 0, 0))

    def attempts():
        return [
            client.get(page_url(setup)),
            client.post(page_url(setup), upload("other.png", other)),
            client.post(remove_url(setup)),
        ]

    for response in attempts():
        assert response.status_code == 302 and response.url.startswith(reverse("login") + "?next=")
    client.force_login(setup.stranger)
    assert [response.status_code for response in attempts()] == [404, 404, 404]
    for person in (setup.officer, setup.reviewer, setup.lead, setup.facilitator):
        client.force_login(person)
        responses = attempts()
        assert [response.status_code for response in responses] == [403, 403, 403], person.username
        assert "Only the partnership&#x27;s facilitators change its logo." in responses[0].content.decode()
    assert bytes(stored(setup)[0]) == kept and PartnershipLogo.objects.count() == 1


def test_query_counts(boss_client, setup, django_assert_num_queries):
    with django_assert_num_queries(5):
        assert boss_client.get(page_url(setup)).status_code == 200
    partnership_logos.set_logo(setup.partnership, data=f.logo_image())
    with django_assert_num_queries(5):
        assert "<img" in boss_client.get(page_url(setup)).content.decode()
