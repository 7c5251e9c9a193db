import json
from typing import Annotated

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel, Field

from sample_api.api import build_resolver
from sample_api.errors import Conflict
from tests.support.events import api_event

pytestmark = pytest.mark.domain("core")


class Widget(BaseModel):
    name: str = Field(min_length=1, max_length=5)


@pytest.fixture
def app(monkeypatch):
    from sample_api.settings import get_settings

    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "http://localhost:3000")
    get_settings.cache_clear()
    resolver = build_resolver()

    @resolver.post("/widgets")
    def create(widget: Annotated[Widget, Body()]) -> dict:
        if widget.name == "taken":
            raise Conflict("That name is taken.")
        if widget.name == "boom":
            raise RuntimeError("secret internal detail")
        return {"name": widget.name}

    yield resolver
    get_settings.cache_clear()


def call(app, method: str, path: str, body: object = None) -> tuple[int, dict, dict]:
    response = app.resolve(api_event(method, path, body, request_id="req-123"), None)
    return (
        response["statusCode"],
        json.loads(response["body"]),
        response.get("multiValueHeaders", {}),
    )


def test_valid_body_reaches_the_route(app):
    status, body, _ = call(app, "POST", "/widgets", {"name": "ok"})

    assert (status, body) == (200, {"name": "ok"})


def test_invalid_body_is_400_envelope_with_field_details(app):
    status, body, _ = call(app, "POST", "/widgets", {"name": "far too long"})

    assert status == 400
    assert body["error"]["code"] == "VALIDATION_FAILED"
    assert body["error"]["requestId"] == "req-123"
    assert body["error"]["details"][0]["field"] == "name"


def test_malformed_json_is_400_envelope(app):
    status, body, _ = call(app, "POST", "/widgets", "{not json")

    assert status == 400
    assert body["error"]["code"] == "VALIDATION_FAILED"


def test_domain_error_maps_to_its_status(app):
    status, body, _ = call(app, "POST", "/widgets", {"name": "taken"})

    assert status == 409
    assert body == {
        "error": {"code": "CONFLICT", "message": "That name is taken.", "requestId": "req-123"}
    }


def test_unhandled_error_is_500_without_internals(app):
    status, body, _ = call(app, "POST", "/widgets", {"name": "boom"})

    assert status == 500
    assert body["error"]["code"] == "INTERNAL_ERROR"
    assert "secret" not in json.dumps(body)


def test_unknown_route_is_404_envelope(app):
    status, body, _ = call(app, "GET", "/nothing-here")

    assert status == 404
    assert body["error"]["code"] == "NOT_FOUND"


def test_error_responses_carry_cors_headers(app):
    _, _, headers = call(app, "POST", "/widgets", {"name": "taken"})

    assert headers["Access-Control-Allow-Origin"] == ["http://localhost:3000"]


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data", "application/x-www-form-urlencoded", "text/plain"]
)
def test_a_body_of_another_media_type_is_415_envelope(app, content_type):
    # Given a body declared as a form or multipart (a malformed multipart one used to be a 500)
    sent = api_event("POST", "/widgets", {"name": "ok"}, request_id="req-123")
    sent["headers"]["Content-Type"] = content_type
    # When the route would read it
    response = app.resolve(sent, None)
    # Then it is refused as an unsupported media type, in the envelope
    assert response["statusCode"] == 415
    assert json.loads(response["body"])["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"


def test_a_json_media_type_with_parameters_reaches_the_route(app):
    # Given JSON declared with a charset
    sent = api_event("POST", "/widgets", {"name": "ok"}, request_id="req-123")
    sent["headers"]["Content-Type"] = "application/json; charset=utf-8"
    # When it is sent
    response = app.resolve(sent, None)
    # Then the route reads it
    assert response["statusCode"] == 200


def test_a_path_parameter_of_any_characters_reaches_its_route(app):
    # Given a route with a path parameter, and a value Powertools' own pattern did not match
    # (found by the schemathesis fuzz test: it was a 404 "no route")
    @app.get("/things/<thing_id>")
    def read(thing_id: str) -> dict:
        return {"id": thing_id}

    # When it is called with that value
    status, body, _ = call(app, "GET", "/things/\U000f5e5e\x86")
    # Then the route answers with the value as sent
    assert (status, body) == (200, {"id": "\U000f5e5e\x86"})
