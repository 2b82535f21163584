from django.conf import settings
from django.middleware.http import ConditionalGetMiddleware
from django.utils.cache import patch_cache_control

from .health import healthz, livez


class PermissionsPolicyMiddleware:
    """Switch off browser features the site never uses (Django sets no such header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class HealthCheckMiddleware:
    """Answer /healthz and /livez before host validation and the HTTPS redirect.

    Load balancers and process supervisors probe each server by its address, over
    plain HTTP, with whatever Host header they like; the checks must still say
    whether this server works.
    """

    probes = {"/healthz": healthz, "/livez": livez}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = self.probes.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)


class ApiCacheMiddleware(ConditionalGetMiddleware):
    """ETag (a hash of the body) on every API response, and 304 Not Modified when a
    client's If-None-Match or If-Modified-Since (against the Last-Modified an endpoint
    sets) shows it already has it. Clients revalidate each time: cheap, never stale.

    HEAD is answered as GET without the body, as on the HTML pages (the API's
    operations are declared for GET alone, so the schema lists only GET)."""

    def __call__(self, request):
        head = request.method == "HEAD" and request.path_info.startswith(settings.API_PREFIX)
        if head:
            request.method = "GET"
        response = super().__call__(request)
        if head:
            request.method = "HEAD"
            if not response.streaming:
                length = len(response.content)
                response.content = b""
                response["Content-Length"] = str(length)
        return response

    def process_response(self, request, response):
        if not request.path_info.startswith(settings.API_PREFIX):
            return response
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            patch_cache_control(response, no_cache=True, public=True)
        return super().process_response(request, response)
