"""Probes for load balancers and process supervisors (answered by HealthCheckMiddleware
before host checks and the HTTPS redirect, and routed in urls.py too)."""

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def livez(request):
    """200 "ok" while this process can answer at all (no database access): liveness
    for a process supervisor, and the baseline view of the benchmarks."""
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
@never_cache
def healthz(request):
    """200 "ok" when the app and its database answer; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
