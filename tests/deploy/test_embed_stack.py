"""Framing at the edge: other sites may put a petition's embed page in an iframe, and no other
page; every response keeps the rest of the security headers."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from generator.render.embed import badge_path, embed_path
from generator.writeback.publish import PAGE_CACHE, cache_control, content_type

from .conftest import Package

# CloudFront's managed SecurityHeadersPolicy: X-Frame-Options SAMEORIGIN, HSTS, nosniff,
# X-XSS-Protection and Referrer-Policy.
SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03"


def distribution(packaged: Package) -> dict[str, Any]:
    config: dict[str, Any] = packaged.template["Resources"]["Distribution"]["Properties"][
        "DistributionConfig"
    ]
    return config


def behaviour_for(config: dict[str, Any], path: str) -> dict[str, Any]:
    """The cache behaviour CloudFront picks for a path: the first whose pattern matches."""
    for behaviour in config["CacheBehaviors"]:
        if fnmatchcase(path, behaviour["PathPattern"]):
            found: dict[str, Any] = behaviour
            return found
    default: dict[str, Any] = config["DefaultCacheBehavior"]
    return default


def test_only_the_embed_pages_may_be_framed(packaged: Package) -> None:
    config = distribution(packaged)
    resources = packaged.template["Resources"]
    embed = behaviour_for(config, "/" + embed_path("save-the-park").removesuffix("index.html"))
    policy = resources[embed["ResponseHeadersPolicyId"]["Ref"]]["Properties"]
    headers = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]

    assert "FrameOptions" not in headers  # no X-Frame-Options: DENY or SAMEORIGIN
    assert "ContentSecurityPolicy" not in headers  # nor a frame-ancestors that would refuse it
    assert headers["ContentTypeOptions"] == {"Override": True}  # the rest stays as elsewhere
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    assert behaviour_for(config, "/" + embed_path("save-the-park")) is embed
    # /x/ is served from x/index.html here too.
    assert embed["FunctionAssociations"] == config["DefaultCacheBehavior"]["FunctionAssociations"]
    assert embed["TargetOriginId"] == "site" and embed["AllowedMethods"] == ["GET", "HEAD"]

    petition = "/petitions/save-the-park/"
    others = ["thanks/", "embed", badge_path("save-the-park").rsplit("/", 1)[1], "count.json"]
    for path in ["/", "/open/", "/tags/roads/", petition, *(petition + o for o in others)]:
        kept = behaviour_for(config, path)
        assert kept is not embed, path
        assert kept.get("ResponseHeadersPolicyId", SECURITY_HEADERS) == SECURITY_HEADERS, path


def test_the_badge_is_published_as_an_svg_image_cached_like_a_page() -> None:
    assert content_type(badge_path("save-the-park")) == "image/svg+xml"
    assert cache_control(badge_path("save-the-park")) == PAGE_CACHE
