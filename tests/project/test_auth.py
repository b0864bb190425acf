"""Signing in and out, and changing or resetting a password, in the app's own pages."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories as f


@pytest.mark.django_db
def test_sign_in_and_out(client):
    user = f.person(username="ruth")
    page = client.get(reverse("login")).content.decode()
    assert 'for="id_username"' in page and "<main" in page
    response = client.post(reverse("login"), {"username": "ruth", "password": "wrong"})
    assert "Please enter a correct username and password" in response.content.decode()
    assert 'value="ruth"' in response.content.decode()
    response = client.post(reverse("login"), {"username": "ruth", "password": "a-long-test-password"})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == user
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_change_password(client):
    user = f.person(username="ruth")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "a-long-test-password", "new_password1": "short", "new_password2": "short"},
    )
    assert "This password is too short" in response.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "a-long-test-password",
            "new_password1": "Greater-Manchester-2009",
            "new_password2": "Greater-Manchester-2009",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Greater-Manchester-2009")


@pytest.mark.django_db
def test_reset_password_by_email(client):
    user = f.person(username="ruth", email="ruth@example.org")
    response = client.post(reverse("password_reset"), {"email": "ruth@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Reset your Challenge password"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()
    url = response.redirect_chain[-1][0]
    response = client.post(
        url, {"new_password1": "Salford-Partnership-2009", "new_password2": "Salford-Partnership-2009"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Salford-Partnership-2009")
