"""Reading a content file: its bytes as UTF-8 text, its front matter split from its body, and
the front matter's YAML as a node tree (so problems keep YAML's own line numbers).

Shared by petitions (generator/content/loading.py) and their updates (updates.py); only the
standard library and PyYAML.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from generator.content.kinds import INVALID
from generator.content.report import Report
from generator.errors import ContentError

Loader: type[yaml.SafeLoader | yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FENCE = re.compile(r"^---[ \t]*\r?$", re.M)


def read_text(path: Path, shown: str) -> tuple[bytes, str] | ContentError:
    """The file's bytes and text, or the error saying why it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as e:
        return ContentError(shown, 1, "file", f"cannot be read: {e.strerror}")
    try:
        return data, data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return ContentError(shown, line, "file", f"not UTF-8 text (byte {e.start}): {e.reason}")


def compose(text: str, report: Report, field: str) -> Any:
    """The YAML node tree of a text, or INVALID after reporting its syntax error."""
    try:
        return yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + report.first_line if mark else report.first_line
        message = f"invalid YAML: {e.problem or e.context}"
        if e.problem and e.context and e.context_mark:
            message += f" ({e.context} on line {e.context_mark.line + report.first_line})"
        report.add(line, field, message)
    except yaml.YAMLError as e:
        report.add(report.first_line, field, f"invalid YAML: {e}")
    return INVALID


def split(text: str, report: Report) -> tuple[str, str, int] | None:
    """Front matter, body and the closing fence's line, or None after reporting why not."""
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        report.add(1, "front matter", "expected '---' on the first line, then the fields")
        return None
    fence = _FENCE.search(rest)
    if fence is None:
        report.add(1, "front matter", "no closing '---' line between the fields and the body")
        return None
    front = rest[: fence.start()]
    return front, rest[fence.end() :], 2 + front.count("\n")
