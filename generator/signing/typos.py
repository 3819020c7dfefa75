"""Catching a mistyped address before it bounces: the likely domain for common typos.

A bounce rate above SES's review threshold (5 %) can pause a whole account mid-spike, so
the form asks "Did you mean …?" before a mail goes to gmial.com. The same list and rule are
in templates/static/sign.js for the form with JavaScript on.
"""

from __future__ import annotations

from difflib import get_close_matches

COMMON_DOMAINS = (
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.nz", "yahoo.co.uk", "hotmail.com",
    "hotmail.co.nz", "hotmail.co.uk", "outlook.com", "outlook.co.nz", "live.com", "live.co.uk",
    "msn.com", "icloud.com", "me.com", "mac.com", "aol.com", "protonmail.com", "proton.me",
    "xtra.co.nz", "slingshot.co.nz", "orcon.net.nz", "vodafone.co.nz", "gmx.com", "gmx.de",
    "web.de", "mail.com", "zoho.com", "fastmail.com", "btinternet.com", "sky.com",
)  # fmt: skip
CUTOFF = 0.8  # how alike a domain must be to a common one to be taken for a typo of it


def suggestion(address: str) -> str | None:
    """The address with its domain corrected, when the domain looks like a typo of a common
    one (gmial.com → gmail.com); None when it is one, or like none of them."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        return None
    lowered = domain.lower().rstrip(".")
    if lowered in COMMON_DOMAINS:
        return None
    close = get_close_matches(lowered, COMMON_DOMAINS, n=1, cutoff=CUTOFF)
    return f"{local}@{close[0]}" if close else None
