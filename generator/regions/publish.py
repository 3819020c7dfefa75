"""What may be published of supporters' whereabouts: no group of fewer than SMALLEST_GROUP
signers is ever given as a number (a region with three supporters could point at them).

The store keeps exact totals; every output applies this rule. The count answer, the count
file and the page leave such groups out (a page says "fewer than 5"); the export for
delivery lists them with COUNT_HIDDEN in place of the number.
"""

from __future__ import annotations

from collections.abc import Mapping

SMALLEST_GROUP = 5  # groups of fewer signers are never shown as a number
COUNT_HIDDEN = f"<{SMALLEST_GROUP}"  # how the export marks a group it does not number


def shown(totals: Mapping[str, int]) -> dict[str, int]:
    """The groups that may be published (at least SMALLEST_GROUP signers), by code in order."""
    return {code: n for code, n in sorted(totals.items()) if code and n >= SMALLEST_GROUP}


def hidden(totals: Mapping[str, int]) -> list[str]:
    """The groups with some signers but too few to publish, by code in order."""
    return [code for code, n in sorted(totals.items()) if code and 0 < n < SMALLEST_GROUP]
