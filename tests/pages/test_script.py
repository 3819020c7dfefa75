"""The page hooks sign.js relies on: the live and pending counts, JSON signing, and the panels
that take the form's place (thank you; check your email).

The script finds everything by id and a few selectors; when a template renames one, signing
with JavaScript silently degrades. These tests read the rendered pages the way the script does.
"""

from __future__ import annotations

import re

import pytest

from generator.model import Tally
from generator.render.pages import Renderer
from generator.signing.signer import validate_signer
from tests.pages.factories import TEMPLATES, make_entry, make_petition, render_petition
from tests.pages.html_tree import Node, parse

SCRIPT = TEMPLATES / "static" / "sign.js"
PAGE = "petitions/chechnya/index.html"
BUDGET = 8000  # bytes of sign.js as served (no minifier); it must stay under 8 KB


def rendered(renderer: Renderer, tally: Tally | None = None, **petition: object) -> Node:
    """The parsed petition page for the seed petition with these overrides and tally."""
    entry = make_entry(make_petition(**petition), tally)
    return parse(render_petition(renderer, entry)[PAGE])


def script_ids() -> set[str]:
    """The element ids sign.js looks up by name."""
    return set(re.findall(r'\$\("([\w-]+)"\)', SCRIPT.read_text(encoding="utf-8")))


def in_template(node: Node) -> bool:
    """Whether the element is inert markup inside a <template> (not yet on the page)."""
    return any(a.tag == "template" for a in node.ancestors())


def test_every_id_the_script_looks_up_is_on_an_open_petition_page(renderer: Renderer) -> None:
    ids = script_ids()
    assert {"tally", "count", "count-noun", "goal", "progress", "sign-form"} <= ids
    with_timeline = {n.attrs.get("id") for n in rendered(renderer).iter()}
    before_first = {n.attrs.get("id") for n in rendered(renderer, Tally(3)).iter()}
    assert ids - with_timeline == {"milestones-template"}  # none needed once there is a timeline
    assert ids - before_first == {"timeline"}  # the template brings it with the first milestone


def test_tally_carries_what_the_live_count_fetches_and_shows(renderer: Renderer) -> None:
    doc = rendered(renderer, Tally(1))
    tally = doc.by_id("tally")
    assert (tally.attrs["data-api"], tally.attrs["data-slug"]) == ("/api", "chechnya")
    # the live count comes from the count file beside the page (the CDN), never the API
    assert tally.attrs["data-counts"] == "/petitions/chechnya/count.json"
    assert tally.attrs["data-live"] == "true"  # open: polled while the page is shown
    assert (tally.attrs["data-count"], tally.attrs["data-goal"]) == ("1", "10")
    assert doc.by_id("count-noun").text == "signature"  # the script switches it with the count
    assert doc.find("p", class_="count").text == "1 signature"


def test_the_json_the_script_builds_from_the_form_is_accepted(site, renderer: Renderer) -> None:
    form = rendered(renderer).by_id("sign-form")
    filled = {"name": "Ann Example", "email": "ann@example.org", "postcode": "6011"}
    body: dict[str, object] = {}  # as sign.js builds it: named fields but hidden ones, checkboxes
    for field in form.iter():  # as booleans
        if "name" in field.attrs and field.attrs.get("type") != "hidden":
            name = field.attrs["name"]
            checkbox = field.attrs.get("type") == "checkbox"
            body[name] = True if checkbox else filled.get(name, "")
    assert body["consent"] is True and body["website"] == ""
    signer = validate_signer(body, site)  # an unknown or mistyped field would be a 400
    assert (signer.email, signer.consent, signer.postcode) == ("ann@example.org", True, "6011")
    buttons = form.find_all("button")
    assert buttons[0].attrs["type"] == "submit"  # the one the script disables while sending


def test_status_messages_go_to_a_polite_live_region_in_the_form(renderer: Renderer) -> None:
    form = rendered(renderer).by_id("sign-form")
    status = form.find(id="sign-status")
    assert (status.attrs["role"], status.attrs["aria-live"]) == ("status", "polite")
    assert status.text == ""


@pytest.mark.parametrize(
    ("panel_id", "heading_text"),
    [("sign-thanks", "Thank you for signing"), ("sign-check", "Now check your email")],
    ids=["201-thanks", "202-check-email"],
)
def test_answer_panel_is_a_focusable_labelled_template(
    renderer: Renderer, panel_id: str, heading_text: str
) -> None:
    doc = rendered(renderer)
    template = doc.by_id(f"{panel_id}-template")
    assert template.tag == "template"
    (panel,) = [n for n in template.children if isinstance(n, Node)]
    assert panel.attrs["id"] == panel_id and panel.attrs["tabindex"] == "-1"
    heading = panel.by_id(panel.attrs["aria-labelledby"])
    assert heading.text == heading_text
    # it points at the page's own share links rather than copying them; the thanks panel
    # also holds the receipt's link, hidden until an answer brings a receipt
    links = [a.attrs["href"] for a in panel.find_all("a")]
    assert links in ([], ["#share-heading", "/receipt/"])
    if links:
        assert doc.by_id("share-heading").text == "Share this petition"
        receipt = panel.find_all("a")[1].parent
        assert "hidden" in receipt.attrs and receipt.attrs["class"] == "receipt-link"


def test_pending_count_waits_hidden_until_there_is_one(renderer: Renderer) -> None:
    none = rendered(renderer, Tally(3)).by_id("pending")
    some = rendered(renderer, Tally(3, pending=1234)).by_id("pending")
    assert "hidden" in none.attrs and "hidden" not in some.attrs  # the script toggles it
    assert none.by_id("pending-count").text == "0"
    assert some.by_id("pending-count").text == "1,234"  # as the script formats it
    assert some.text == "+1,234 waiting for email confirmation"


def test_share_block_the_panel_points_at_is_the_pages_own(renderer: Renderer) -> None:
    doc = rendered(renderer)
    (share,) = [n for n in doc.find("article").find_all("section", class_="share")]
    assert not in_template(share)
    assert {a.text for a in share.find_all("a")} == {"Email", "WhatsApp", "Facebook", "X"}
    copy = share.find("button", class_="copy-button")
    siblings = [n for n in copy.parent.children if isinstance(n, Node)]
    status = siblings[siblings.index(copy) + 1]  # the script writes "Copied" there
    assert status.attrs["class"] == "copy-status" and status.attrs["role"] == "status"


def test_timeline_items_say_which_milestone_they_are(renderer: Renderer) -> None:
    items = rendered(renderer).by_id("timeline").find_all("li")
    assert [li.attrs["data-count"] for li in items] == ["500", "100", "50", "25", "10"]
    assert not rendered(renderer).find_all(id="milestones-template")


def test_before_the_first_milestone_an_empty_timeline_waits_in_a_template(
    renderer: Renderer,
) -> None:
    doc = rendered(renderer, Tally(3))
    template = doc.by_id("milestones-template")
    section = template.find("section", class_="milestones")
    assert section.find("h2").text == "Timeline"
    ol = section.find("ol", class_="timeline")
    assert not ol.find_all("li") and "id" not in ol.attrs  # the script names it on use
    assert not [n for n in doc.iter() if n.attrs.get("id") == "timeline"]


def test_closed_petitions_have_no_form_and_nothing_for_signing(renderer: Renderer) -> None:
    doc = rendered(renderer, Tally(3), status="closed")
    ids = {n.attrs.get("id") for n in doc.iter()}
    assert not ids & {"sign-form", "sign-thanks-template", "milestones-template"}
    assert "tally" in ids  # the count is still read once from the count file
    assert doc.by_id("tally").attrs["data-live"] == "false"  # but not polled: it cannot move


def test_ids_the_script_creates_are_free(renderer: Renderer) -> None:
    for doc in (rendered(renderer), rendered(renderer, Tally(3))):
        ids = [n.attrs.get("id") for n in doc.iter() if not in_template(n)]
        assert not {"sign-error", "sign-suggestion", "sign-thanks", "sign-check"} & set(ids)


def test_script_stays_within_its_budget_and_uses_no_inline_handlers() -> None:
    source = SCRIPT.read_bytes()
    assert len(source) < BUDGET, f"sign.js is {len(source)} bytes; the budget is {BUDGET}"
    text = source.decode("utf-8")
    assert "innerHTML" not in text and "eval(" not in text  # server text only via textContent
