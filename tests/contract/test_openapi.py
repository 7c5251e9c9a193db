"""The committed contract (docs/openapi.json) is the template's, and does not break clients.

Drift: the file must equal what `make openapi` exports from template.yaml now.
Breaking changes: compared with docs/openapi.previous.json, the contract clients were last
given. A stored file rather than `git show HEAD~N:docs/openapi.json`: CI checks out one commit
(no history in a shallow clone or a fresh fork), and moving the baseline is a reviewed act in
its own diff, not a side effect of whichever commit touched the file last. After a release,
accept the contract with `cp docs/openapi.json docs/openapi.previous.json`.
"""

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from local_gateway.openapi import openapi_document, render
from local_gateway.openapi_examples import missing_examples
from local_gateway.samconfig import load_settings
from local_gateway.template import load_template
from tests.contract.compatibility import breaking_changes, new_version_prefixes

pytestmark = pytest.mark.domain("core")

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "openapi.json"
BASELINE = ROOT / "docs" / "openapi.previous.json"


@pytest.fixture(scope="module")
def exported() -> str:
    settings = load_settings(ROOT / "samconfig.toml", "default", "http://127.0.0.1:3000")
    template = load_template(
        ROOT / "template.yaml",
        settings.parameter_overrides,
        region=settings.region,
        stack_name=settings.stack_name,
    )
    return render(openapi_document(template))


def committed() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(CONTRACT.read_text())
    return document


def test_the_committed_contract_is_what_the_template_exports(exported):
    # Given the template as it is now
    # When its contract is exported
    # Then it is byte for byte the committed docs/openapi.json
    assert CONTRACT.read_text() == exported, (
        "docs/openapi.json is out of date with template.yaml: run `make openapi` and commit it"
    )


def test_the_contract_breaks_no_client_of_the_previous_one():
    # Given the contract clients were last given, and the committed one
    previous = json.loads(BASELINE.read_text())
    # When they are compared operation by operation
    problems = breaking_changes(previous, committed())
    # Then nothing a client of the previous one relies on is gone or narrowed
    assert not problems, (
        "breaking changes to the API contract (serve them under a new version prefix such as "
        "/v2 instead; after a release, accept with "
        "`cp docs/openapi.json docs/openapi.previous.json`):\n  " + "\n  ".join(problems)
    )


def test_every_operation_documents_a_success_body_and_enveloped_errors():
    # Given the committed contract
    document = committed()
    # When each operation's responses are read
    missing = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation["responses"].items():
                has_body = "content" in response
                if status.startswith(("4", "5")) and not has_body:
                    missing.append(f"{method.upper()} {path} {status}: no error schema")
                if status.startswith("2") and status != "204" and not has_body:
                    missing.append(f"{method.upper()} {path} {status}: no body schema")
    # Then every success has a body schema and every error the envelope
    assert not missing, "\n".join(missing)


def test_every_body_of_the_contract_shows_an_example():
    # Given the committed contract
    # When its request and response bodies are read
    missing = missing_examples(committed())
    # Then each has an example (clients, Postman and Newman send and expect them)
    assert not missing, (
        "bodies without an example: add one to api/examples.yaml (RestApi's Metadata.Examples) "
        "(by model title, or by '<METHOD> <path> <status>' for a body without a model), then "
        "`make openapi`:\n  " + "\n  ".join(missing)
    )


def test_every_example_is_valid_against_its_schema():
    # Given the committed contract
    document = committed()
    invalid = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            bodies = [("request", operation.get("requestBody") or {})]
            bodies += list(operation["responses"].items())
            for status, body in bodies:
                for media_type, media in (body.get("content") or {}).items():
                    if "example" not in media:
                        continue
                    # When the example is checked against the body's schema (OpenAPI 3.0 rules)
                    # (the components beside the schema, so its `#/components/...` resolve)
                    schema = {**media["schema"], "components": document["components"]}
                    validator = OAS30Validator(schema)
                    for error in validator.iter_errors(media["example"]):
                        invalid.append(f"{method.upper()} {path} {status} {media_type}: {error}")
    # Then none breaks it
    assert not invalid, "\n".join(invalid)


def test_the_contract_carries_no_api_gateway_extension():
    # Given the committed contract
    text = CONTRACT.read_text()
    # Then nothing of the deployment (integrations, validators, authorizer ARNs) is in it
    assert "x-amazon-apigateway" not in text
    assert "arn:" not in text


def unused_path(document: dict[str, Any]) -> str:
    """A route the contract does not have (so a fork adding any real route keeps this test)."""
    return next(
        path
        for path in (f"/v1/imaginary-route-{n}" for n in itertools.count())
        if path not in document["paths"]
    )


def _with(document: dict[str, Any], change: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    change(changed)
    return changed


@pytest.mark.domain("users")
def test_a_removed_method_is_breaking():
    # Given the contract without GET /v1/users/{id}
    old = committed()
    new = _with(old, lambda d: d["paths"]["/v1/users/{id}"].pop("get"))
    # Then the comparison names it
    assert "GET /v1/users/{id}: removed" in breaking_changes(old, new)


@pytest.mark.domain("users")
def test_a_removed_response_field_is_breaking():
    # Given the User schema without `email`
    old = committed()
    new = _with(old, lambda d: d["components"]["schemas"]["User"]["properties"].pop("email"))
    # Then every operation answering a User reports it
    assert "GET /v1/users/{id} 200.email: response field removed" in breaking_changes(old, new)


@pytest.mark.domain("users")
def test_a_new_required_request_field_is_breaking():
    # Given CreateUser requiring a new `phone`
    old = committed()

    def require_phone(d: dict[str, Any]) -> None:
        d["components"]["schemas"]["CreateUser"]["properties"]["phone"] = {"type": "string"}
        d["components"]["schemas"]["CreateUser"]["required"].append("phone")

    new = _with(old, require_phone)
    # Then the comparison names it
    assert "POST /v1/users body.phone: new required request field" in breaking_changes(old, new)


@pytest.mark.domain("users", "products")
def test_a_narrowed_type_is_breaking():
    # Given a price that became an integer, and a name that became shorter
    old = committed()

    def narrow(d: dict[str, Any]) -> None:
        d["components"]["schemas"]["NewProduct"]["properties"]["price"]["type"] = "integer"
        d["components"]["schemas"]["CreateUser"]["properties"]["name"]["maxLength"] = 50

    problems = breaking_changes(old, _with(old, narrow))
    # Then both are named
    assert "POST /v1/products body.price: type number became integer" in problems
    assert "POST /v1/users body.name: maxLength lowered to 50" in problems


def test_an_added_optional_field_and_route_are_not_breaking():
    # Given a new optional request field, a new response field and a new route
    old = committed()

    def grow(d: dict[str, Any]) -> None:
        d["components"]["schemas"]["UpdateUser"]["properties"]["bio"] = {"type": "string"}
        d["components"]["schemas"]["User"]["properties"]["bio"] = {"type": "string"}
        d["paths"][unused_path(d)] = {"get": {"responses": {}}}

    # Then nothing is reported
    assert breaking_changes(old, _with(old, grow)) == []


@pytest.mark.domain("users")
def test_a_breaking_change_under_a_new_version_prefix_is_not_reported():
    # Given a /v3 route added beside /v1, with a field /v1 does not have required
    old = committed()

    def add_v3(d: dict[str, Any]) -> None:
        d["paths"]["/v3/users/{id}"] = copy.deepcopy(d["paths"]["/v1/users/{id}"])
        d["paths"]["/v3/users/{id}"]["put"]["requestBody"]["content"]["application/json"][
            "schema"
        ] = {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}}

    new = _with(old, add_v3)
    # Then only the new prefix is new, and nothing breaks
    assert new_version_prefixes(old, new) == {"v3"}
    assert breaking_changes(old, new) == []
