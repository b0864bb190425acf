"""Project-wide middleware."""

from django.utils.cache import patch_cache_control


class PrivateCacheMiddleware:
    """Keep what a signed-in person sees out of every cache: pages, fragments and downloads
    (PDF, CSV, calendar files) alike. Shared proxies must not keep them, and the browser must
    not either (no-store), so nothing can be read back from the disk or the back button after
    signing out on a shared computer.

    Static files are served by WhiteNoise, above this in MIDDLEWARE, and keep their own
    long-lived caching headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Merged into any Cache-Control a view set (never_cache's, say); `private`
            # replaces a `public`.
            patch_cache_control(response, private=True, no_store=True)
        return response
