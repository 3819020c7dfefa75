"""What each signer signed, through the API: the form and the page's script post the text
version the page showed and the signature keeps it, on both stores; none sent means the
current text; a version from a page cached before an edit is kept as sent; a malformed one is
a 400 naming `version` (and a form's answer page neither repeats it nor loses what was typed).
"""

from __future__ import annotations

import pytest

from generator.content.versions import petition_version, text_version
from generator.model import Content
from generator.store.base import Store

from .support import Api

EARLIER = text_version("Petition fresh", "The Council", "Do the thing sooner.")


def current(content: Content) -> str:
    petition = content.petition("fresh")
    assert petition is not None
    return petition_version(petition)


@pytest.mark.parametrize("form", [False, True])
def test_the_version_the_page_showed_is_stored_with_the_signature(
    api: Api, store: Store, content: Content, form: bool
) -> None:
    response = api.sign("fresh", version=current(content), form=form)

    assert response.status_code == (303 if form else 201)
    [stored] = store.signatures("fresh")
    assert stored.version == current(content)


@pytest.mark.parametrize("sent", [None, ""])
def test_a_signature_without_a_version_signed_the_current_text(
    api: Api, store: Store, content: Content, sent: str | None
) -> None:
    assert api.sign("fresh", version=sent, form=sent == "").status_code in (201, 303)

    [stored] = store.signatures("fresh")
    assert stored.version == current(content)


def test_an_earlier_version_from_a_cached_page_is_kept_as_sent(
    api: Api, store: Store, content: Content
) -> None:
    assert current(content) != EARLIER

    assert api.sign("fresh", version=EARLIER).status_code == 201

    [stored] = store.signatures("fresh")
    assert stored.version == EARLIER


@pytest.mark.parametrize("sent", ["v2", "0123456789AB", "0123456789abc", 12, ["0123456789ab"]])
def test_a_malformed_version_is_a_400_naming_the_field(
    api: Api, store: Store, sent: object
) -> None:
    response = api.sign("fresh", version=sent)

    assert response.status_code == 400
    error = response.json_body["error"]
    assert (error["code"], error["field"]) == ("invalid_field", "version")
    assert "12 hexadecimal digits" in error["message"]
    assert list(store.signatures("fresh")) == []


def test_a_forms_answer_to_a_malformed_version_keeps_the_typed_fields_not_the_version(
    api: Api, content: Content
) -> None:
    response = api.sign("fresh", version="<b>v2</b>", form=True)

    assert response.status_code == 400
    page = response.body.decode()
    assert "<b>v2</b>" not in page and "&lt;b&gt;v2" not in page  # never repeated
    assert f'name="version" value="{current(content)}"' in page  # the form signs anew
    assert 'value="Ada Lovelace"' in page


def test_a_forms_answer_keeps_the_version_the_page_showed(api: Api) -> None:
    response = api.sign("fresh", version=EARLIER, email="not an address", form=True)

    assert response.status_code == 400
    assert f'name="version" value="{EARLIER}"' in response.body.decode()
