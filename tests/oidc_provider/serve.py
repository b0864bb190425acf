"""Run the test OpenID provider: `python -m tests.oidc_provider.serve PORT DATABASE_PATH`.

Generates a fresh RSA signing key, creates the database, the accounts and the clients of
accounts.py, and serves on 127.0.0.1:PORT until killed. Its issuer is http://127.0.0.1:PORT/o."""

import os
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def main(port: int, database: str) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    os.environ["OIDC_PROVIDER_KEY"] = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    os.environ["OIDC_PROVIDER_DB"] = database
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"

    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import Application

    from tests.oidc_provider.accounts import ACCOUNTS, CLIENTS, PASSWORD

    call_command("migrate", verbosity=0, interactive=False)
    for username, email in ACCOUNTS.items():
        User.objects.create_user(username, email, PASSWORD, first_name="Rhian", last_name="Provider")
    for client_id, (secret, organisation) in CLIENTS.items():
        Application.objects.create(
            name=f"Challenge ({organisation})",
            client_id=client_id,
            client_secret=secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris="http://127.0.0.1/",  # any loopback address: see validator.py
            # The app's sign-in page, on the test client's host or on any port of 127.0.0.1 (RFC 8252).
            post_logout_redirect_uris="http://127.0.0.1/accounts/login/ http://testserver/accounts/login/",
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    print("ready", flush=True)
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
