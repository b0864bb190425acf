"""The site's addresses: each app brings its own, in the order of the apps."""

from django.contrib import admin
from django.urls import include, path

from challenge import auth_views, health
from programmes import sign_on, sign_on_forms, sign_on_views

urlpatterns = [
    # For load balancers and monitoring: no sign-in, exempt from the HTTPS redirect.
    path("healthz", health.healthz, name="healthz"),
    path("healthz/web", health.healthz_web, name="healthz_web"),
    path("", include("dashboard.urls")),
    path("", include("programmes.urls")),
    path("", include("indicators.urls")),
    path("", include("sessions.urls")),
    path("", include("workspace.urls")),
    path("", include("findings.urls")),
    path("", include("evaluations.urls")),
    # Before Django's own: the same page, with a limit on the e-mails it sends.
    path(
        "accounts/password_reset/",
        auth_views.RateLimitedPasswordResetView.as_view(form_class=sign_on_forms.SignOnAwarePasswordResetForm),
        name="password_reset",
    ),
    # Before Django's own: signing in with a password or the organisation's account (single
    # sign-on, programmes/sign_on.py), and signing out with the provider's sign-out offered.
    path("accounts/login/", sign_on_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", sign_on_views.SignOutView.as_view(), name="logout"),
    path("accounts/sign-on/", sign_on_views.sign_on_discover, name="sign_on_discover"),
    # allauth's names for an OpenID Connect provider's two addresses (it reverses them).
    path("accounts/sign-on/<str:provider_id>/login/", sign_on.sign_on_login, name="openid_connect_login"),
    path("accounts/sign-on/<str:provider_id>/callback/", sign_on.sign_on_callback, name="openid_connect_callback"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
