from django.conf import settings


def site(request):
    return {
        "PARTNERSHIP_NAME": settings.PARTNERSHIP_NAME,
        "demo_clock": settings.CHALLENGE_TODAY,
    }
