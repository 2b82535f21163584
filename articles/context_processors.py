from django.conf import settings


def site(request):
    """The page's canonical address (path plus ?page= beyond the first) and site name."""
    url = request.build_absolute_uri(request.path)
    page = request.GET.get("page", "")
    if page.isdigit() and int(page) > 1:
        url += f"?page={int(page)}"
    return {"canonical_url": url, "site_name": settings.SITE_NAME}
