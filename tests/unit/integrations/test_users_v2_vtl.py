"""POST /v2/users: the request template's v1 -> v2 mapping, and the integration responses."""

import json
import re

import pytest

from sample_api.integration_errors import RefusedRequest
from tests.support.vtl import HOSTILE, integration, render_template, request

pytestmark = pytest.mark.domain("users")

CLAIMS = {"authorizer": {"claims": {"sub": "sub-1"}}}


def mapped(api_body, body, headers=None):
    spec = integration(api_body, "/v2/users", "post")
    vtl_request = request(body=json.dumps(body).encode(), context=CLAIMS)
    vtl_request.headers.update(headers or {})
    rendered = render_template(spec["requestTemplates"]["application/json"], vtl_request)
    return json.loads(rendered.body)


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("John Doe", "John", "Doe"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        (
            "Cher",
            "Cher",
            "",
        ),  # one word: the first name, an empty last name (docs/contract.md's split)
        ("Zoë 山田", "Zoë", "山田"),
        ("Two  spaces", "Two", " spaces"),  # split at the first space, the rest kept as sent
    ],
)
def test_the_name_is_split_at_its_first_space_without_quotes(api_body, name, first, last):
    event = mapped(api_body, {"name": name, "email": "j@example.com"})

    assert event["user"] == {"firstName": first, "lastName": last, "email": "j@example.com"}


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_names_and_emails_stay_inside_their_strings(api_body, value):
    event = mapped(api_body, {"name": f"A {value}", "email": value})

    assert event["user"] == {"firstName": "A", "lastName": value, "email": value}


def test_the_event_carries_the_caller_the_key_and_the_request_id(api_body):
    event = mapped(api_body, {"name": "A B", "email": "a@b.co"}, headers={"Idempotency-Key": "k-1"})

    assert event["caller"] == "sub-1"
    assert event["idempotencyKey"] == "k-1"
    assert event["requestId"] == "req-1"


def test_without_an_idempotency_key_the_event_has_an_empty_one(api_body):
    assert mapped(api_body, {"name": "A B", "email": "a@b.co"})["idempotencyKey"] == ""


def responses(api_body):
    return integration(api_body, "/v2/users", "post")["responses"]


def chosen(api_body, error_message):
    """The statuses of the integration responses whose pattern matches the whole message."""
    return [
        spec["statusCode"]
        for pattern, spec in responses(api_body).items()
        if pattern != "default" and re.fullmatch(pattern, error_message, re.DOTALL)
    ]


@pytest.mark.parametrize("status", [400, 409, 422])
def test_a_refused_request_selects_its_status_and_returns_the_functions_envelope(api_body, status):
    envelope = {"error": {"code": "X", "message": "m", "requestId": "req-1"}}
    message = str(RefusedRequest(status, envelope))

    (selected,) = chosen(api_body, message)
    spec = responses(api_body)[next(p for p in responses(api_body) if p.startswith(str(status)))]
    out = render_template(
        spec["responseTemplates"]["application/json"],
        request(body=json.dumps({"errorMessage": message, "errorType": "RefusedRequest"}).encode()),
    )

    assert selected == str(status)
    assert json.loads(out.body) == envelope


@pytest.mark.parametrize(
    "message",
    [
        "'NoneType' object is not subscriptable",
        "RequestId: 1 Error: Task timed out after 10.00 seconds",
        "500 {}",
        "409 but not json",
        "multi\nline\nmessage",
    ],
)
def test_any_other_error_is_a_500_envelope_without_its_text(api_body, message):
    (selected,) = chosen(api_body, message)
    spec = next(s for s in responses(api_body).values() if s["statusCode"] == "500")
    out = render_template(
        spec["responseTemplates"]["application/json"],
        request(body=json.dumps({"errorMessage": message, "stackTrace": ["x"]}).encode()),
    )

    assert selected == "500"
    error = json.loads(out.body)["error"]
    assert error == {
        "code": "INTERNAL_ERROR",
        "message": "Something went wrong on our side.",
        "requestId": "req-1",
    }


def test_a_successful_result_selects_no_pattern_and_is_201(api_body):
    assert chosen(api_body, "") == []
    assert responses(api_body)["default"]["statusCode"] == "201"
