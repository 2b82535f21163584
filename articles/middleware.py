from django.conf import settings

from .views import healthz


class PermissionsPolicyMiddleware:
    """Switch off browser features the site never uses (Django sets no such header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class HealthCheckMiddleware:
    """Answer /healthz before host validation and the HTTPS redirect.

    Load balancers probe each server by its address, over plain HTTP, with whatever
    Host header they like; the check must still say whether this server works.
    """

    path = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == self.path:
            return healthz(request)
        return self.get_response(request)
