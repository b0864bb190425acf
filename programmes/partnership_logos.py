"""A partnership's logo, on the cover and the running header of its self-evaluations: read,
uploaded (a new one or in place of the old) and removed, by its facilitators on the
partnership's logo page or by an administrator in the admin. Whatever the form checked, the
write checks the bytes again (challenge.logos.logo_format): only a PNG or JPEG within the
limits is ever stored."""

import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from challenge.editing import StaleEdit
from challenge.logos import LOGO_FORMATS, logo_format
from programmes.models import Partnership, PartnershipLogo


def logo_of(partnership) -> PartnershipLogo | None:
    """The partnership's logo, or None."""
    return PartnershipLogo.objects.filter(partnership=partnership).first()


def set_logo(partnership, *, data: bytes, seen: str | None = None) -> PartnershipLogo:
    """Store `data` as the partnership's logo, in place of any it had. ValidationError
    ({"logo": ...}) if it is not a PNG or JPEG within the limits. With `seen` (`seen_as` of the
    logo the person was shown, "" for none), StaleEdit if the logo has changed since (another
    uploaded, or it was removed): nothing is stored."""
    try:
        content_type = LOGO_FORMATS[logo_format(io.BytesIO(data))]
    except ValidationError as error:
        raise ValidationError({"logo": error.messages}) from error
    with transaction.atomic():
        # The partnership's row, locked: two uploads of a first logo wait for each other too.
        Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
        current = logo_of(partnership)
        if seen is not None and seen != (seen_as(current) if current else ""):
            raise StaleEdit(current, CHANGED_MESSAGE)
        logo, _ = PartnershipLogo.objects.update_or_create(
            partnership=partnership,
            defaults={"data": data, "content_type": content_type, "uploaded_at": timezone.now()},
        )
    return logo


CHANGED_MESSAGE = (
    "The logo changed while you were choosing yours (another was uploaded, or it was removed): "
    "the page shows the logo now. Yours has not been saved: choose it again to put it in its place."
)
REPLACED_MESSAGE = "The logo was replaced while you were looking at it: this is the logo now. It has not been removed."


def seen_as(logo: PartnershipLogo) -> str:
    """What the remove button carries of the logo it was shown beside: when it was uploaded."""
    return logo.uploaded_at.isoformat()


@transaction.atomic
def remove_logo(partnership, *, seen: str | None = None) -> bool:
    """Remove the partnership's logo; whether it had one. With `seen` (`seen_as` of the logo
    the person was shown), StaleEdit if another has been uploaded since: it is not removed."""
    logo = PartnershipLogo.objects.select_for_update().filter(partnership=partnership).first()
    if logo is None:
        return False
    if seen is not None and seen != seen_as(logo):
        raise StaleEdit(logo, REPLACED_MESSAGE)
    logo.delete()
    return True
