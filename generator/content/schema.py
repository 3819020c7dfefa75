"""The content schema, declared once: every field of site.yaml, of a petition's front matter
and of an update's.

README.md's field tables are generated from these declarations; regenerate them with
`python -m generator.content.schema README.md` (without an argument the tables are printed).
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

from generator.content.fields import Field, Ladder, Mapping, MilestoneDates, Words
from generator.content.kinds import (
    INVALID,
    Bool,
    Choice,
    Email,
    Int,
    Language,
    LogKey,
    Number,
    Text,
    Url,
)
from generator.content.pictures import PictureKind
from generator.content.report import Report, Values
from generator.content.times import Date, DateTime, TimeZone
from generator.model import (
    CONFIRMATION,
    OPTIONAL_SIGNER_FIELDS,
    STATUSES,
    UPDATE_KINDS,
    CallToAction,
    Location,
    Milestone,
    Petition,
    Site,
    Tally,
    Update,
)

HTTP = ("http", "https")


def _location(values: Values, report: Report, field: str) -> Any:
    """A Location, once its latitude and longitude come as a pair."""
    given = [name for name in ("lat", "lon") if name in values]
    if len(given) == 1:
        other = "lon" if given[0] == "lat" else "lat"
        report.add(values.lines[given[0]], f"{field}.{given[0]}", f"give {other} too, or neither")
        return INVALID
    return Location(**values)


def _call_to_action(values: Values, report: Report, field: str) -> Any:
    """A CallToAction, once its button says what it does rather than where it goes."""
    label = values.get("button", "")
    if re.search(r"(?i)://|^www\.|^mailto:", label.strip()):
        message = "say what pressing it does (e.g. Donate to the emergency fund), not the address"
        report.add(values.lines["button"], f"{field}.button", message)
        return INVALID
    return CallToAction(**values)


def _imported(values: Values, report: Report, field: str) -> Any:
    """The imported Tally, once every milestone is within the count and in time order."""
    count, reached = values["count"], values.get("milestones", {})
    ok = True
    for milestone in reached:
        if milestone > count:
            message = f"milestone {milestone} is above the imported count ({count})"
            report.add(reached.lines[milestone], f"{field}.milestones.{milestone}", message)
            ok = False
    for (low, low_at), (high, high_at) in pairwise(sorted(reached.items())):
        if high_at < low_at:
            message = (
                f"reached at {high_at.isoformat()}, before milestone {low} ({low_at.isoformat()})"
            )
            report.add(reached.lines[high], f"{field}.milestones.{high}", message)
            ok = False
    milestones = sorted((Milestone(n, at) for n, at in reached.items()), key=lambda m: m.reached_at)
    return Tally(count, tuple(milestones)) if ok else INVALID


SITE = Mapping(
    model=Site,
    fields=(
        Field("name", Text(100), "the site's name, in every page's title and header", True),
        Field("base_url", Url(HTTP), "the absolute address the site is published at", True),
        Field("api_url", Url(HTTP, paths=True), "where the signing API answers"),
        Field("time_zone", TimeZone(), "the zone milestone times are shown in", True),
        Field("language", Language(), "the language of the pages", True),
        Field("milestones", Ladder(), "the milestone ladder petitions use by default", True),
        Field("organisation", Text(200), "who runs the site, named in the footer", True),
        Field("privacy_url", Url(HTTP, paths=True), "the privacy policy signers see", True),
        Field(
            "signer_fields",
            Words(options=OPTIONAL_SIGNER_FIELDS, never=("name", "email")),
            "optional fields the sign form asks for (name and email are always asked)",
        ),
        Field("rate_limit", Int(0), "signatures per client per minute; 0 turns the limit off"),
        Field(
            "tile_url",
            Url(HTTP, placeholders=("{z}", "{x}", "{y}"), off="none"),
            "map tile URL template (the map loads lazily; its host sees each visitor's address);"
            " `none` shows no tiles",
        ),
        Field("per_page", Int(1), "petitions per page of the index"),
        Field("description", Text(300), "a sentence about the site for the index and feed"),
        Field(
            "merge_email_aliases",
            Bool(),
            "one signature per mailbox: `+tag` sub-addresses and dots in Gmail addresses"
            " do not count as another signer",
        ),
        Field(
            "confirmation",
            Choice(CONFIRMATION),
            "`required`: a signature counts once its email is confirmed (double opt-in);"
            " `off`: at once. `PETITION_CONFIRMATION` overrides it",
        ),
        Field(
            "mail_from",
            Email(),
            "the address confirmation mail comes from (default: no-reply at the site's host)",
        ),
        Field(
            "retention_days",
            Int(0),
            "days after a petition closes that signers' names and addresses are kept"
            " (then `build.py anonymise` removes them; counts stay)",
        ),
        Field(
            "data_licence",
            Text(100),
            "the licence the open data under /data/ is published under, e.g. CC-BY-4.0"
            " (an SPDX identifier or a URL; stated in petitions.json)",
        ),
        Field(
            "log_key",
            LogKey(),
            "the public key that signs each petition's log checkpoint (the verifier half of"
            " PETITION_LOG_KEY, printed by `build.py log-key`); published at /log/key.txt",
        ),
    ),
)

PETITION = Mapping(
    model=Petition,
    fields=(
        Field("title", Text(200, bidi=False), "the petition's headline", True),
        Field("target", Text(bidi=False), 'who the petition is addressed to ("To: …")', True),
        Field("ask", Text(label="Markdown"), "what we call on the target to do", True),
        Field("created", DateTime(), "when the petition started", True),
        Field("status", Choice(STATUSES), "open takes signatures; closed and won do not"),
        Field("closes", Date(), "the last day signatures are taken"),
        Field("goal", Int(1), "the count to aim for; afterwards the next milestone is shown"),
        Field("milestones", Ladder(), "this petition's ladder", default="site's `milestones`"),
        Field(
            "location",
            Mapping(
                model=Location,
                build=_location,
                fields=(
                    Field("name", Text(200), "the target's place", True),
                    Field("address", Text(300), "its street address"),
                    Field("lat", Number(-90, 90), "latitude, for the map (with lon)"),
                    Field("lon", Number(-180, 180), "longitude, for the map (with lat)"),
                ),
            ),
            "where the target is; shown with a map when lat and lon are given",
        ),
        Field(
            "call_to_action",
            Mapping(
                model=CallToAction,
                build=_call_to_action,
                fields=(
                    Field("text", Text(300), "what the box says", True),
                    Field("url", Url((*HTTP, "mailto")), "where its link goes", True),
                    Field("button", Text(60), "the button's label: what it does"),
                ),
            ),
            "a box pointing elsewhere, e.g. a donation",
        ),
        Field(
            "image",
            PictureKind(),
            "a picture shown at the top of the page and on its share card",
        ),
        Field("tags", Words(max_len=40), "short topic words"),
        Field(
            "imported",
            Mapping(
                model=Tally,
                build=_imported,
                fields=(
                    Field("count", Int(0), "signatures gathered elsewhere", True),
                    Field("milestones", MilestoneDates(), "milestones reached elsewhere"),
                ),
            ),
            "signatures and milestones brought over from another platform",
        ),
    ),
)


UPDATE = Mapping(
    model=Update,
    fields=(
        Field("title", Text(200, bidi=False), "the update's headline", True),
        Field(
            "date",
            DateTime(),
            "when it happened; the file name starts with this day in the site's `time_zone`",
            True,
        ),
        Field(
            "kind",
            Choice(UPDATE_KINDS),
            "update: news; response: the target's answer; delivery: the petition was handed"
            " over; victory: it was won (the petition's `status` must be `won`)",
            True,
        ),
        Field("from", Text(200), "who it is from, when not the organisers (the target's office)"),
    ),
)


def _default(schema: Mapping, field: Field) -> str:
    """The documented default of an optional field: declared, or the model's."""
    if field.default or field.required or schema.model is None:
        return field.default
    declared = {f.name: f.default for f in dataclasses.fields(schema.model)}
    value = declared.get(field.name, dataclasses.MISSING)
    if value in (dataclasses.MISSING, None, "", ()):
        return ""
    if isinstance(value, bool):  # as YAML writes it
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def _rows(schema: Mapping, prefix: str = "") -> list[str]:
    """Table rows for a mapping's fields, nested mappings' fields after their own row."""
    rows = []
    for field in schema.fields:
        kind = field.kind
        cells = (
            f"`{prefix}{field.name}`",
            kind.label,
            "yes" if field.required else "",
            kind.limit.replace("|", "\\|"),
            _default(schema, field),
            field.doc,
        )
        rows.append("| " + " | ".join(cells) + " |")
        if isinstance(kind, Mapping):
            rows += _rows(kind, f"{prefix}{field.name}.")
    return rows


def markdown_table(schema: Mapping) -> str:
    """The README table documenting every field of a schema."""
    head = "| field | type | required | limits | default | meaning |\n|---|---|---|---|---|---|"
    return "\n".join([head, *_rows(schema)]) + "\n"


TABLES = {"site": SITE, "petition": PETITION, "update": UPDATE}


def _block(name: str) -> re.Pattern[str]:
    """The README block holding one generated table, between marker comments."""
    return re.compile(rf"(<!-- schema:{name} -->\n)(.*?)(<!-- /schema:{name} -->)", re.S)


def readme_tables(readme: str) -> dict[str, str | None]:
    """The tables as README.md has them (None where its markers are missing)."""
    found = {name: _block(name).search(readme) for name in TABLES}
    return {name: m.group(2) if m else None for name, m in found.items()}


def update_readme(readme: str) -> str:
    """README.md's text with every generated table replaced by the schema's current one."""
    for name, schema in TABLES.items():
        table = markdown_table(schema)
        readme = _block(name).sub(_between_markers(table), readme)
    return readme


def _between_markers(table: str) -> Callable[[re.Match[str]], str]:
    """The replacement for a README block: its marker comments around `table`."""
    return lambda m: m.group(1) + table + m.group(3)


def main(argv: list[str]) -> int:
    """Print the tables, or rewrite them in place in the README file given."""
    if not argv:
        for name, schema in TABLES.items():
            print(f"<!-- schema:{name} -->\n{markdown_table(schema)}<!-- /schema:{name} -->\n")
        return 0
    path = Path(argv[0])
    path.write_text(update_readme(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
