"""The site's addresses: each app brings its own, in the order of the apps."""

from django.contrib import admin
from django.urls import include, path

from challenge import auth_views, health

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
        auth_views.RateLimitedPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]
