"""Who is asking: the client address, as far as we can trust it."""

from django.conf import settings


def client_ip(request):
    """REMOTE_ADDR, or the address our own proxies recorded in X-Forwarded-For.

    Only the last TRUSTED_PROXY_COUNT hops are ours; anything further left was written by the
    client and could be forged, so it is never used.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def axes_client_ip(request, *args, **kwargs):
    return client_ip(request)
