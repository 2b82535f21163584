"""The client's address, as the reverse proxies in front of the site report it."""

import ipaddress

from django.conf import settings


def client_address(request):
    """REMOTE_ADDR, or behind TRUSTED_PROXIES proxies the address the outermost of them
    saw: each proxy appends the address it was reached from to X-Forwarded-For, so
    that address is the TRUSTED_PROXIES-th from the right. Entries further left are
    whatever the client sent and are never believed. A header shorter than the proxy
    chain, or an entry that is no IP address, leaves REMOTE_ADDR (the nearest proxy)."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXIES
    if count <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(hops) < count:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
