"""The petition page and its thank-you page, read as a supporter (and a browser) would."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

from generator.model import Location, Tally
from generator.render.pages import Renderer
from tests.pages.factories import SEED_TITLE, make_entry, make_petition, render_petition
from tests.pages.html_tree import Node, parse

PAGE = "petitions/chechnya/index.html"
THANKS = "petitions/chechnya/thanks/index.html"
FOCUSABLE = ("a", "button", "input", "select", "textarea")


def page(renderer: Renderer, **petition: object) -> Node:
    entry = make_entry(make_petition(**petition) if petition else None)
    return parse(render_petition(renderer, entry)[PAGE])


def test_writes_the_page_and_the_pages_signers_land_on(renderer: Renderer) -> None:
    assert sorted(render_petition(renderer, make_entry())) == [
        "data/petitions/chechnya/daily.csv",  # its count day by day (test_open_data.py)
        "petitions/chechnya/badge.svg",  # the count badge for READMEs (test_embed.py)
        "petitions/chechnya/card.png",  # the share card (tests/pictures/test_cards.py)
        "petitions/chechnya/check-email/index.html",
        "petitions/chechnya/confirmed/index.html",
        "petitions/chechnya/count.json",  # the live count the page's script polls
        "petitions/chechnya/embed/index.html",  # for other sites' iframes (test_embed.py)
        "petitions/chechnya/feed.xml",  # its updates (none yet), to subscribe to (test_updates.py)
        "petitions/chechnya/history/index.html",  # the text's versions (test_versions.py)
        PAGE,
        THANKS,
        "petitions/chechnya/withdrawn/index.html",
    ]


def test_skip_link_is_the_first_focusable_element_and_targets_main(renderer: Renderer) -> None:
    doc = page(renderer)
    first = next(n for n in doc.find("body").iter() if n.tag in FOCUSABLE)
    assert first.tag == "a" and first.attrs["href"] == "#main"
    assert first.text == "Skip to main content"
    assert doc.find("main").attrs["id"] == "main"
    assert doc.find("header").find("a").attrs["href"] == "/"


def test_target_title_ask_and_body_in_order(renderer: Renderer) -> None:
    main = page(renderer).find("main")
    texts = [n.text for n in main.iter() if n.tag in ("p", "h1", "h2")]
    to = texts.index("To: The Ministry of Foreign Affairs and Trade")
    title = texts.index(SEED_TITLE)
    ask = next(i for i, t in enumerate(texts) if t.startswith("We call on you"))
    why = texts.index("Why is this important?")
    body = texts.index("Gay men are being kidnapped and killed in Chechnya, Russia.")
    assert to < title < ask < why < body
    assert [h.text for h in main.find_all("h1")] == [SEED_TITLE]


def test_sign_form_posts_to_the_api_with_labelled_fields(renderer: Renderer) -> None:
    doc = page(renderer)
    form = doc.find("form")
    assert form.attrs["method"] == "post"
    assert form.attrs["action"] == "/api/petitions/chechnya/signatures"
    labels = {n.attrs["for"]: n.text for n in form.find_all("label")}
    fields = {n.attrs["name"]: n for n in form.iter() if n.tag in ("input", "textarea")}
    assert list(fields) == [
        *("name", "email", "postcode", "country", "comment", "consent", "website", "version")
    ]
    assert fields.pop("version").attrs["type"] == "hidden"  # the text signed (test_versions.py)
    for name, field in fields.items():
        assert labels[field.attrs["id"]], f"{name} has no label"
    assert fields["name"].attrs.items() >= {"autocomplete": "name", "maxlength": "100"}.items()
    assert "required" in fields["name"].attrs and "required" in fields["email"].attrs
    assert (
        fields["email"].attrs["type"] == "email"
        and fields["email"].attrs["autocomplete"] == "email"
    )
    assert fields["postcode"].attrs["autocomplete"] == "postal-code"
    assert fields["country"].attrs["autocomplete"] == "country-name"
    assert (
        fields["consent"].attrs["type"] == "checkbox" and "checked" not in fields["consent"].attrs
    )
    assert labels["sign-consent"] == "Keep me updated about this campaign"
    assert fields["comment"].tag == "textarea"
    assert form.find("button", type="submit").text == "Sign this petition"
    privacy = form.find("p", class_="privacy").find("a")
    assert privacy.attrs["href"] == "https://example.org/privacy"


def test_honeypot_is_hidden_from_people_and_assistive_tech(renderer: Renderer) -> None:
    trap = page(renderer).find("input", name="website")
    assert trap.attrs["tabindex"] == "-1" and trap.attrs["autocomplete"] == "off"
    wrapper = trap.parent
    assert wrapper is not None
    assert wrapper.attrs["aria-hidden"] == "true" and wrapper.attrs["class"] == "visually-hidden"


def test_only_the_configured_signer_fields_are_asked(site, renderer: Renderer) -> None:
    bare = Renderer(replace(site, signer_fields=()), renderer.templates_dir)
    form = page(bare).find("form")
    names = [n.attrs["name"] for n in form.iter() if n.tag in ("input", "textarea")]
    assert names == ["name", "email", "website", "version"]


def test_count_and_progress_toward_the_next_goal(renderer: Renderer) -> None:
    doc = page(renderer)
    assert doc.by_id("count").text == "731"
    assert doc.find("p", class_="count").text == "731 signatures"
    bar = doc.by_id("progress")
    assert bar.tag == "progress" and (bar.attrs["value"], bar.attrs["max"]) == ("731", "1000")
    assert doc.find("label", for_="progress").text == "Next goal: 1,000"
    tally = doc.by_id("tally")
    assert tally.attrs["data-slug"] == "chechnya" and tally.attrs["data-api"] == "/api"


def test_big_numbers_have_thousands_separators_and_a_set_goal_counts(renderer: Renderer) -> None:
    entry = make_entry(make_petition(goal=100000), Tally(12345))
    doc = parse(render_petition(renderer, entry)[PAGE])
    assert doc.by_id("count").text == "12,345"
    assert doc.by_id("goal").text == "100,000"


def test_timeline_is_newest_first_in_the_site_time_zone(renderer: Renderer) -> None:
    items = page(renderer).by_id("timeline").find_all("li")
    assert [li.text for li in items] == [
        "2017-04-20 18:05:41 +1200 500 signatures reached",
        "2017-04-14 18:08:00 +1200 100 signatures reached",
        "2017-04-14 15:47:59 +1200 50 signatures reached",
        "2017-04-14 15:12:51 +1200 25 signatures reached",
        "2017-04-14 14:35:51 +1200 10 signatures reached",
    ]
    assert items[0].find("time").attrs["datetime"] == "2017-04-20T18:05:41+12:00"


def test_no_timeline_before_the_first_milestone(renderer: Renderer) -> None:
    doc = parse(render_petition(renderer, make_entry(tally=Tally(3)))[PAGE])
    assert not doc.find_all(id="timeline")
    assert doc.by_id("count").text == "3" and doc.by_id("goal").text == "10"


def test_call_to_action_box(renderer: Renderer) -> None:
    aside = page(renderer).find("aside")
    assert "make a donation" in aside.text
    assert aside.find("a").attrs["href"] == "https://allout.org/en/chechnya/"


def test_closed_and_won_petitions_show_a_notice_and_no_form(renderer: Renderer) -> None:
    for status, notice in (
        ("closed", "This petition is closed"),
        ("won", "Victory! This petition won"),
    ):
        doc = page(renderer, status=status)
        assert doc.find("p", class_=f"notice notice-{status}").text == notice
        assert not doc.find_all("form") and not doc.find_all("input", name="website")
        assert doc.by_id("count").text == "731"
    assert not page(renderer).find_all("p", class_="notice notice-closed")


def test_map_with_coordinates(renderer: Renderer) -> None:
    place = page(renderer).find("section", class_="place")
    assert "Ministry of Foreign Affairs & Trade" in place.find("address").text
    tiles = place.find_all("img")
    assert len(tiles) == 4
    for tile in tiles:
        assert tile.attrs["src"].startswith("https://tile.openstreetmap.org/15/")
        assert tile.attrs["alt"] == "" and tile.attrs["loading"] == "lazy"
    links = {a.text: a.attrs["href"] for a in place.find_all("a")}
    assert links["© OpenStreetMap contributors"] == "https://www.openstreetmap.org/copyright"
    assert links["View larger map"].startswith("https://www.openstreetmap.org/?mlat=-41.27890")


def test_no_map_without_coordinates(renderer: Renderer) -> None:
    doc = page(renderer, location=Location("Parliament", "Molesworth Street, Wellington"))
    place = doc.find("section", class_="place")
    assert place.find("address").text == "Parliament Molesworth Street, Wellington"
    assert not place.find_all("img") and "OpenStreetMap" not in place.text
    assert not page(renderer, location=None).find_all("section", class_="place")


def test_share_links_carry_the_page_url(renderer: Renderer) -> None:
    doc = page(renderer)
    url = "https://petitions.example.org/petitions/chechnya/"
    share = doc.find("section", class_="share")
    links = {a.text: a.attrs["href"] for a in share.find_all("a")}
    assert parse_qs(urlsplit(links["Facebook"]).query)["u"] == [url]
    assert parse_qs(urlsplit(links["X"]).query)["url"] == [url]
    assert links["X"].startswith("https://x.com/intent/post?")
    assert url in parse_qs(urlsplit(links["WhatsApp"]).query)["text"][0]
    email = urlsplit(links["Email"])
    assert email.scheme == "mailto" and url in parse_qs(email.query)["body"][0]
    assert parse_qs(email.query)["subject"] == [SEED_TITLE]
    assert "hidden" in share.find("button").attrs  # the script shows it
    copy = share.find("input", id="share-url").attrs
    assert copy["value"] == url and "readonly" in copy


def test_head_has_canonical_open_graph_and_twitter_card(renderer: Renderer) -> None:
    doc = page(renderer)
    assert doc.find("html").attrs["lang"] == "en-NZ"
    assert doc.find("title").text == f"{SEED_TITLE} — Action Station"
    url = "https://petitions.example.org/petitions/chechnya/"
    assert doc.find("link", rel="canonical").attrs["href"] == url
    og = {
        m.attrs["property"]: m.attrs["content"]
        for m in doc.find_all("meta")
        if "property" in m.attrs
    }
    assert og["og:type"] == "article" and og["og:url"] == url and og["og:title"] == SEED_TITLE
    assert og["og:site_name"] == "Action Station"
    card = "https://petitions.example.org/petitions/chechnya/card.png"  # the share card
    assert og["og:image"] == card
    description = doc.find("meta", name="description").attrs["content"]
    assert description.startswith("We call on you") and len(description) <= 160
    assert og["og:description"] == description
    assert doc.find("meta", name="twitter:card").attrs["content"] == "summary_large_image"
    feeds = doc.find_all("link", rel="alternate")  # the petition's updates, then the site's
    assert [f.attrs["type"] for f in feeds] == ["application/atom+xml"] * 2
    assert [f.attrs["href"] for f in feeds] == ["/petitions/chechnya/feed.xml", "/feed.xml"]


def test_no_inline_script_and_no_event_handlers(renderer: Renderer) -> None:
    doc = page(renderer)
    scripts = doc.find_all("script")
    assert len(scripts) == 1
    assert scripts[0].attrs["src"].startswith("/assets/sign.") and "defer" in scripts[0].attrs
    assert not scripts[0].children
    assert not [(n.tag, a) for n in doc.iter() for a in n.attrs if a.startswith("on")]


def test_hostile_content_is_escaped_or_removed(renderer: Renderer) -> None:
    evil = make_petition(
        title="Stop <script>alert('t')</script> now",
        target="<b>Mayor</b>",
        ask='Ask <img src=x onerror="alert(1)"> [go](javascript:alert(2))',
        body='<script>alert(3)</script>\n\n<a href="javascript:alert(4)" onclick="x()">x</a>',
    )
    html = render_petition(renderer, make_entry(evil))[PAGE].decode()
    assert html.count("<script") == 1  # only the site's own script
    assert "Stop &lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt; now" in html
    assert "To: &lt;b&gt;Mayor&lt;/b&gt;" in html
    assert "onerror" not in html and "onclick" not in html and "javascript:" not in html
    doc = parse(html)
    assert doc.find("h1").text == "Stop <script>alert('t')</script> now"


def test_thank_you_page(renderer: Renderer) -> None:
    doc = parse(render_petition(renderer, make_entry())[THANKS])
    assert doc.find("h1").text == "Thank you for signing"
    assert doc.find("meta", name="robots").attrs["content"] == "noindex"
    assert doc.find("a", href="/petitions/chechnya/").text == SEED_TITLE
    share = doc.find("section", class_="share")
    assert {a.text for a in share.find_all("a")} == {"Email", "WhatsApp", "Facebook", "X"}


def test_rendering_is_deterministic(site, renderer: Renderer) -> None:
    again = Renderer(site, renderer.templates_dir)
    assert render_petition(renderer, make_entry()) == render_petition(again, make_entry())
    assert renderer.fingerprint == again.fingerprint
