from django.conf import settings


def site(request):
    """The page's canonical address (path plus ?page= beyond the first) and site name."""
    url = request.build_absolute_uri(request.path)
    try:
        page = int(request.GET.get("page", ""))
    except ValueError:  # absent, or not a number (e.g. "²", which isdigit() accepts)
        page = 1
    if page > 1:
        url += f"?page={page}"
    return {"canonical_url": url, "site_name": settings.SITE_NAME}
