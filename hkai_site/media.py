"""Uploaded images from MEDIA_ROOT, for a site that serves them itself (`make run`).

Every stored name is made from the file's content (articles/images.py), so a name
never shows other bytes: browsers and proxies may keep each file for a year without
asking again. A reverse proxy can serve MEDIA_ROOT the same way (docs/operations.md);
with DJANGO_SERVE_MEDIA=0, or media on an object store, this does nothing."""

import mimetypes

from django.conf import settings
from django.http import Http404, HttpResponseNotFound
from django.views.static import serve

IMMUTABLE = "public, max-age=31536000, immutable"
mimetypes.add_type("image/avif", ".avif")
mimetypes.add_type("image/webp", ".webp")


class MediaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        url = settings.MEDIA_URL
        self.prefix = url if settings.SERVE_MEDIA and url.startswith("/") else None

    def __call__(self, request):
        if self.prefix is None or not request.path_info.startswith(self.prefix):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        name = request.path_info.removeprefix(self.prefix)
        try:
            response = serve(request, name, document_root=settings.MEDIA_ROOT)
        except Http404:
            return HttpResponseNotFound(b"Not found.", content_type="text/plain")
        if response.status_code == 200:
            response["Cache-Control"] = IMMUTABLE
            response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
