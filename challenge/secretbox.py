"""Secrets the app keeps in its database (an identity provider's client secret), encrypted with
Fernet (AES in CBC mode with an HMAC, from the `cryptography` package) under a key derived from
SECRET_KEY. SECRET_KEY_FALLBACKS still open what an earlier key sealed, so the key can be
rotated as Django's own signing allows; save the secret again to seal it under the new key."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

_PURPOSE = b"challenge.secretbox:"


def _fernet_for(secret_key: str) -> Fernet:
    digest = hashlib.sha256(_PURPOSE + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _box() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet_for(key) for key in keys])


def seal(plain: str) -> str:
    return _box().encrypt(plain.encode()).decode()


def open_sealed(sealed: str) -> str | None:
    """The plain text, or None when no key of SECRET_KEY and its fallbacks sealed it."""
    try:
        return _box().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return None
