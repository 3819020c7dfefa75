"""The client's address, for the rate limit: API Gateway's view unless CloudFront proves itself.

`X-Forwarded-For` is never read: anyone can send it. CloudFront's `cloudfront-viewer-address`
is trusted only on requests that carry the shared origin secret in `x-origin-verify`.
"""

from __future__ import annotations

import hmac
import ipaddress

from chalice.app import Request

UNKNOWN = "unknown"


def viewer_ip(value: str) -> str | None:
    """The IP in a `cloudfront-viewer-address` value (`ip:port`, IPv6 with or without brackets)."""
    value = value.strip()
    if value.startswith("["):
        host, sep, _ = value[1:].partition("]")
        candidate = host if sep else ""
    else:
        candidate, sep, port = value.rpartition(":")
        if not sep or not port.isdigit():
            candidate = value
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


def client_address(request: Request, origin_secret: str | None) -> str:
    """The address the rate limit counts this request against."""
    if origin_secret:
        proof = request.headers.get("x-origin-verify") or ""
        viewer = request.headers.get("cloudfront-viewer-address")
        if viewer and hmac.compare_digest(proof.encode(), origin_secret.encode()):
            ip = viewer_ip(viewer)
            if ip is not None:
                return ip
    identity = (request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or UNKNOWN)
