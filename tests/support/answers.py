"""Reading the API's answers as a privacy check must: a form post that needs fixing gets its
own fields back in the form (only in `value` attributes and textareas; never stored, never
cached); nothing else in an answer may name the signer."""

from __future__ import annotations

import re

_REFILL = re.compile(r'( value=")[^"]*(")|(<textarea[^>]*>)[^<]*(</textarea>)')


def without_refill(body: str) -> str:
    """An answer's text without what it refills the form with."""
    return _REFILL.sub(lambda m: "".join(g for g in m.groups() if g is not None), body)
