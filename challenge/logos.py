"""A partnership's logo: a small PNG or JPEG raster image (no SVG: a vector file can carry
scripts and links to fetch), checked by opening it with Pillow rather than trusting its name.
Documents carry it as a data: address (`data_url`); the PDF renderer takes back only such an
address that holds a logo (`read_data_url`). Uploaded through `LogoField`, the one form field
of both the admin's partnership form and the partnership's own logo page."""

import base64
import binascii
import io
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

LOGO_MAX_BYTES = 256 * 1024
LOGO_MAX_PIXELS = 2000
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def logo_format(handle) -> str:
    """The logo's format ("PNG" or "JPEG"); ValidationError if it is anything else, too large
    or unreadable."""
    from PIL import Image, UnidentifiedImageError

    size = getattr(handle, "size", None)
    if size is None and isinstance(handle, io.BytesIO):
        size = handle.getbuffer().nbytes
    if size is not None and size > LOGO_MAX_BYTES:
        raise ValidationError(f"The logo must be at most {LOGO_MAX_BYTES // 1024} KB.")
    too_large = ValidationError(f"The logo must be at most {LOGO_MAX_PIXELS} pixels wide and high.")
    try:
        handle.seek(0)
        with Image.open(handle) as image:
            image.verify()
            kind, (width, height) = image.format, image.size
    except Image.DecompressionBombError as error:
        # A few bytes can claim a vast image (a decompression bomb): Pillow refuses to open
        # one past twice its limit (below that it warns, and the size check refuses it).
        raise too_large from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError("The logo must be a PNG or JPEG image.") from error
    finally:
        handle.seek(0)
    if kind not in LOGO_FORMATS:
        raise ValidationError("The logo must be a PNG or JPEG image.")
    if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
        raise too_large
    return kind


def data_url(data: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{base64.b64encode(data).decode()}"


def read_data_url(url: str):
    """The logo in the data: address `url`, as (bytes, content type), if it holds a PNG or
    JPEG logo that passes `logo_format`; else None."""
    for kind, content_type in LOGO_FORMATS.items():
        prefix = f"data:{content_type};base64,"
        if url.startswith(prefix):
            try:
                data = base64.b64decode(url[len(prefix) :], validate=True)
            except (binascii.Error, ValueError):
                return None
            if len(data) > LOGO_MAX_BYTES:
                return None
            try:
                found = logo_format(io.BytesIO(data))
            except ValidationError:
                return None
            return (data, content_type) if found == kind else None
    return None


@dataclass(frozen=True)
class Logo:
    """An uploaded logo that passed `logo_format`: its bytes and content type."""

    data: bytes
    content_type: str


LOGO_HELP = (
    f"A PNG or JPEG of at most {LOGO_MAX_BYTES // 1024} KB and {LOGO_MAX_PIXELS} pixels wide and high, for the "
    "cover and the running header of the partnership's self-evaluations."
)


class LogoField(forms.FileField):
    """A logo to upload: cleaned to a `Logo` (or None when none was chosen), refused beside the
    field when it is not a PNG or JPEG within the limits (`logo_format`). The browser's file
    picker offers only PNG and JPEG files (`accept`); the check does not trust that."""

    widget = forms.FileInput(attrs={"accept": ",".join(LOGO_FORMATS.values())})

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Logo")
        kwargs.setdefault("help_text", LOGO_HELP)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        content_type = LOGO_FORMATS[logo_format(upload)]
        upload.seek(0)
        return Logo(data=upload.read(), content_type=content_type)
