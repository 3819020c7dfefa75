"""Markdown rendering and sanitising: what organisers write, what reaches the page."""

from __future__ import annotations

import re

from generator.render.markup import plain_text, render_markdown


def test_renders_markdown_lists_tables_and_links() -> None:
    html = render_markdown(
        "Some *emphasis* and **strong**.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
        '[MFAT](https://www.mfat.govt.nz/ "Ministry")\n'
    )
    assert "<em>emphasis</em>" in html and "<strong>strong</strong>" in html
    assert "<ul>" in html and "<li>one</li>" in html
    assert "<table>" in html and "<td>2</td>" in html
    assert '<a href="https://www.mfat.govt.nz/" title="Ministry" rel="nofollow noopener">' in html


def test_script_tags_and_their_content_never_survive() -> None:
    html = render_markdown(
        "Hello <script>alert('x')</script> world\n\n<script>\nsteal()\n</script>\n"
    )
    assert "<script" not in html.lower()
    assert "alert" not in html and "steal" not in html
    assert "Hello" in html and "world" in html


def test_event_handlers_and_styles_are_stripped() -> None:
    html = render_markdown(
        '<img src="x.png" onerror="alert(1)"> <p onclick="go()" style="color:red">hi</p>'
    )
    assert "onerror" not in html and "onclick" not in html and "style" not in html
    assert "alert" not in html


def test_dangerous_url_schemes_are_removed() -> None:
    html = render_markdown(
        "[a](javascript:alert(1)) [b](data:text/html,hi) [c](vbscript:x) "
        '<a href="JaVaScRiPt:alert(2)">d</a> ![e](data:image/png;base64,AAAA)'
    )
    assert "javascript" not in html.lower()
    assert "data:" not in html and "vbscript" not in html
    assert ">a</a>" in html  # the link text stays, without its href


def test_safe_schemes_and_relative_links_stay() -> None:
    html = render_markdown("[m](mailto:team@example.org) [r](/petitions/other/) [h](http://x.org)")
    assert 'href="mailto:team@example.org"' in html
    assert 'href="/petitions/other/"' in html
    assert 'href="http://x.org"' in html


def test_unlisted_raw_html_is_dropped_but_its_text_kept() -> None:
    html = render_markdown('<iframe src="https://evil.example"></iframe><form><b>ok</b></form>')
    assert "<iframe" not in html and "<form" not in html and "evil" not in html
    assert "<b>ok</b>" in html


def test_headings_start_below_the_page_h2_and_never_skip_a_level() -> None:
    html = render_markdown("# Big\n\ntext\n\n#### Deep\n\ntext\n\n## Middle\n")
    levels = [int(n) for n in re.findall(r"<h([1-6])>", html)]
    assert levels == [3, 4, 4]


def test_author_ids_and_attributes_are_not_taken() -> None:
    html = render_markdown('Paragraph\n{: #main .x onclick="y"}\n')
    assert html.startswith("<p>Paragraph")
    assert not re.search(r"<[^>]*\s(id|class|onclick)=", html)


def test_images_are_lazy_and_always_have_alt_text() -> None:
    html = render_markdown('![A march](https://x.org/a.jpg) <img src="https://x.org/b.jpg">')
    assert '<img alt="A march" src="https://x.org/a.jpg" loading="lazy">' in html
    assert '<img alt="" src="https://x.org/b.jpg" loading="lazy">' in html


def test_documents_do_not_leak_into_each_other() -> None:
    render_markdown("[ref]: https://first.example/\n\n[x][ref]\n")
    html = render_markdown("[x][ref]\n")
    assert "first.example" not in html


def test_plain_text_is_one_line_and_cut_at_a_word() -> None:
    html = render_markdown("Fish &amp; chips\n\nare *good*. " + "word " * 60)
    text = plain_text(html, 160)
    assert text.startswith("Fish & chips are good. word")
    assert len(text) <= 160 and text.endswith("word…")
    assert plain_text("<p>short</p>", 160) == "short"
