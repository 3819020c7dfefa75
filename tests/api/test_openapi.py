"""functions/openapi.yaml is a valid description of the routes the app really has and answers."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator, ValidationError
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .support import FUNCTIONS, Api, signing_app

ON_SQLITE = pytest.mark.parametrize("store", ["sqlite"], indirect=True)
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    """The OpenAPI document."""
    return yaml.safe_load((FUNCTIONS / "openapi.yaml").read_text(encoding="utf-8"))


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def assert_documented(
    spec: dict[str, Any], path: str, method: str, response: Any, body: Any = None
) -> None:
    """The response's status is documented for the route, and its JSON body fits the schema."""
    documented = spec["paths"][path][method]["responses"]
    assert str(response.status_code) in documented, f"{response.status_code} not documented"
    answer = _resolve(spec, documented[str(response.status_code)])
    media = response.headers["Content-Type"].split(";")[0]
    schema = answer["content"][media]["schema"]
    registry = Registry().with_resource(
        "urn:openapi", Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    reference = {"$ref": "urn:openapi" + schema["$ref"]} if "$ref" in schema else schema
    validator = Draft202012Validator(reference, registry=registry)
    validator.validate(response.json_body if body is None else body)
    for name in answer.get("headers", {}):
        assert name in response.headers, f"{name} header documented but not sent"


def test_the_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)


def test_the_documented_routes_are_the_apps_routes(spec: dict[str, Any]) -> None:
    documented = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in METHODS
    }
    real = {
        (path, method) for path, methods in signing_app().app.routes.items() for method in methods
    }

    assert documented == real


@ON_SQLITE
def test_real_responses_match_the_documented_schemas(spec: dict[str, Any], api: Api) -> None:
    sign_path, read_path = "/petitions/{slug}/signatures", "/petitions/{slug}"
    cases = [
        (sign_path, api.sign("open"), 201),
        (sign_path, api.sign("open", email="bad"), 400),
        (sign_path, api.sign("nowhere"), 404),
        (sign_path, api.sign("won"), 409),
        (sign_path, api.post_raw("open", b"x" * 16385, {"Content-Type": "application/json"}), 413),
        (sign_path, api.post_raw("open", b"hi", {"Content-Type": "text/plain"}), 415),
        (read_path, api.get("open"), 200),
        (read_path, api.get("nowhere"), 404),
    ]
    for path, response, status in cases:
        assert response.status_code == status
        method = "post" if path == sign_path else "get"
        assert_documented(spec, path, method, response)
    assert api.get("open").json_body["milestones"], "the GET case includes a milestone"


@ON_SQLITE
def test_a_documented_schema_rejects_a_wrong_body(spec: dict[str, Any], api: Api) -> None:
    response = api.get("open")
    body = {**response.json_body, "count": "ten"}

    with pytest.raises(ValidationError, match="is not of type 'integer'"):
        assert_documented(spec, "/petitions/{slug}", "get", response, body)
