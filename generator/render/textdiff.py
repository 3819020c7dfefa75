"""A word-level diff of two texts, for the history of a petition's text. Pure."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Literal, NamedTuple

_WORD = re.compile(r"\S+\s*")  # a word with the space after it: the text comes back whole


class Piece(NamedTuple):
    """A run of words the newer text kept (`same`), added (`ins`) or dropped (`del`)."""

    op: Literal["same", "ins", "del"]
    text: str


def words(text: str) -> list[str]:
    """The text's words, each with the spaces after it (leading spaces dropped)."""
    return _WORD.findall(text)


def word_diff(old: str, new: str) -> list[Piece]:
    """How `new` differs from `old`, word by word (spacing alone is no change): what was
    dropped comes before what replaced it."""
    a, b = words(old), words(new)
    matcher = SequenceMatcher(None, [w.rstrip() for w in a], [w.rstrip() for w in b], False)
    pieces: list[Piece] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(Piece("same", "".join(b[j1:j2])))
            continue
        if i2 > i1:
            pieces.append(Piece("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("ins", "".join(b[j1:j2])))
    return pieces
