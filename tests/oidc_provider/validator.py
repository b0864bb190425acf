"""The test provider's OAuth2 validator: django-oauth-toolkit's, with the person's e-mail in the
ID token, any loopback redirect address allowed (the app's test server takes a free port), and
ID tokens of the `tamper-…` accounts spoiled after signing the way an attacker or a
misconfigured provider would spoil them."""

import json
import time
from urllib.parse import urlsplit

from jwcrypto import jwk, jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.oidc_provider.accounts import NO_VERIFIED_CLAIM, UNVERIFIED


class TestProviderValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, "email": "email", "email_verified": "email"}

    def get_additional_claims(self, request):
        user = request.user
        claims = {
            "email": user.email,
            "email_verified": user.username not in UNVERIFIED,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "preferred_username": user.username,
        }
        if user.username in NO_VERIFIED_CLAIM:
            del claims["email_verified"]
        return claims

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        parts = urlsplit(redirect_uri)
        return parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost", "testserver"}

    def finalize_id_token(self, id_token, token, token_handler, request):
        serialized = super().finalize_id_token(id_token, token, token_handler, request)
        mode = request.user.username.removeprefix("tamper-") if request.user.username.startswith("tamper-") else None
        if mode is None:
            return serialized
        header_part, claims_part, _ = serialized.split(".")
        header = json.loads(jwk.base64url_decode(header_part))
        claims = json.loads(jwk.base64url_decode(claims_part))
        key = request.client.jwk_key
        if mode == "audience":
            claims["aud"] = "some-other-application"
        elif mode == "expired":
            claims["iat"] = int(time.time()) - 7200
            claims["exp"] = int(time.time()) - 3600
        elif mode == "signature":
            key = jwk.JWK.generate(kty="RSA", size=2048)  # not the provider's key; same kid
        spoiled = jwt.JWT(header=json.dumps(header), claims=json.dumps(claims))
        spoiled.make_signed_token(key)
        return spoiled.serialize()
