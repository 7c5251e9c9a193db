"""The API reference at /docs: which credentials it fills in, that it stays offline, and that
the API's own routes under /docs win over it.

The page in a real browser, against the repository's template, is tests/e2e/test_api_reference.py.
"""

import logging
import re
import textwrap

import pytest
import requests

from local_gateway.api import Authorizer, Integration, Method
from local_gateway.api_reference import (
    STATIC_FILES,
    Credentials,
    preauthorization,
    render_page,
    routes_claiming_docs,
    swagger_ui_static_dir,
)
from local_gateway.routing import Router
from local_gateway.testing import start_gateway

COGNITO = Authorizer("Users", "COGNITO_USER_POOLS", ("method.request.header.Authorization",))
BEARER_TOKEN = Authorizer(
    "Partners",
    "TOKEN",
    ("method.request.header.Authorization",),
    validation_expression=r"^Bearer [-0-9a-zA-Z._]+$",
)
RAW_TOKEN = Authorizer("Devices", "TOKEN", ("method.request.header.Authorization",))
CREDENTIALS = Credentials(
    cognito_id_token=lambda authorizer: f"id-token-for-{authorizer.name}",
    issuer_token="issuer-token",
    api_key="the-key",
)


def _header_scheme(name: str = "Authorization") -> dict[str, str]:
    return {"type": "apiKey", "in": "header", "name": name}


def _method(verb: str, path: str) -> Method:
    return Method(verb, path, Integration("mock", None, {}), None, (), False, {})


def test_a_cognito_scheme_gets_a_demo_users_bare_id_token():
    # Given a header scheme for a Cognito authorizer
    schemes = {"Users": _header_scheme()}
    # When the page's credentials are chosen
    values = preauthorization(schemes, {"Users": COGNITO}, CREDENTIALS)
    # Then it carries the ID token as Cognito wants it, without `Bearer `
    assert values == {"Users": "id-token-for-Users"}


def test_a_bearer_scheme_gets_the_bare_issuer_token_for_swagger_ui_to_prefix():
    # Given an http bearer scheme for a Lambda TOKEN authorizer
    schemes = {"Partners": {"type": "http", "scheme": "bearer"}}
    # When the page's credentials are chosen
    values = preauthorization(schemes, {"Partners": BEARER_TOKEN}, CREDENTIALS)
    # Then Swagger UI gets the token alone (it sends `Authorization: Bearer <token>` itself)
    assert values == {"Partners": "issuer-token"}


def test_a_header_scheme_gets_bearer_where_the_authorizer_expects_it():
    # Given header schemes for Lambda authorizers, one validating `^Bearer `, one not
    schemes = {"Partners": _header_scheme(), "Devices": _header_scheme()}
    authorizers = {"Partners": BEARER_TOKEN, "Devices": RAW_TOKEN}
    # When the page's credentials are chosen
    values = preauthorization(schemes, authorizers, CREDENTIALS)
    # Then the header holds what each authorizer's identity validation accepts
    assert values == {"Partners": "Bearer issuer-token", "Devices": "issuer-token"}


def test_the_api_key_scheme_gets_a_key_and_unknown_schemes_get_nothing():
    # Given the x-api-key scheme and a header scheme no authorizer of the API stands behind
    schemes = {"api_key": _header_scheme("x-api-key"), "Other": _header_scheme("X-Other")}
    # When the page's credentials are chosen
    values = preauthorization(schemes, {}, CREDENTIALS)
    # Then only the API key is filled in
    assert values == {"api_key": "the-key"}


def test_the_page_loads_nothing_from_outside_the_gateway():
    # Given the page, with a credential that tries to close its script
    page = render_page("Demo <API>", {"api_key": "</script><script>alert(1)</script>"})
    # When its sources and links are read
    targets = re.findall(r'(?:src|href)="([^"]*)"', page)
    # Then each is one of the gateway's own /docs/static files, and the script stays closed
    assert targets
    assert all(target.startswith("/docs/static/") for target in targets)
    assert {target.removeprefix("/docs/static/") for target in targets} <= STATIC_FILES
    assert page.count("</script>") == 2
    assert "Demo &lt;API&gt;" in page


def test_swagger_ui_files_come_from_the_installed_package():
    # Given swagger-ui-py installed (a pinned dev dependency)
    # When its dist folder is looked up
    static_dir = swagger_ui_static_dir()
    # Then every file the page loads is there
    assert static_dir is not None
    assert all((static_dir / name).stat().st_size > 0 for name in STATIC_FILES)


@pytest.mark.parametrize(
    ("verb", "path"),
    [("GET", "/docs"), ("POST", "/docs"), ("GET", "/docs/{name}"), ("GET", "/{proxy+}")],
)
def test_an_api_route_under_docs_claims_it(verb, path):
    # Given an API with a route that answers a path of the reference
    router = Router([_method("GET", "/v1/health"), _method(verb, path)])
    # When the reference's paths are checked against the API
    claimed = routes_claiming_docs([router])
    # Then that route claims them
    assert claimed == [f"{verb} {path}"]


def test_routes_elsewhere_leave_docs_to_the_reference():
    # Given an API whose routes are all under /v1, one of them greedy
    router = Router([_method("GET", "/v1/health"), _method("ANY", "/v1/{proxy+}")])
    # When the reference's paths are checked against the API
    # Then none claims them
    assert routes_claiming_docs([router]) == []


TEMPLATE_WITH_DOCS_ROUTE = textwrap.dedent(
    """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Api:
        Type: AWS::Serverless::Api
        Properties:
          StageName: dev
          DefinitionBody:
            openapi: "3.0.1"
            info: {title: docs-owner, version: "1"}
            paths:
              /docs:
                get:
                  responses:
                    "200": {description: The API's own docs.}
                  x-amazon-apigateway-integration:
                    type: mock
                    requestTemplates: {application/json: '{"statusCode": 200}'}
                    responses:
                      default:
                        statusCode: "200"
                        responseTemplates: {application/json: '{"docs": "the API''s own"}'}
    """
)


def test_an_api_route_at_docs_wins_and_the_gateway_says_so(tmp_path, caplog):
    # Given a template whose API has its own GET /docs
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE_WITH_DOCS_ROUTE)
    # When the gateway starts and /docs is called
    with (
        caplog.at_level(logging.WARNING, logger="local_gateway"),
        start_gateway(template) as local,
    ):
        response = requests.get(local.api_url + "/docs", timeout=10)
        reference = local.gateway.api_reference
    # Then the API answered, no reference is served, and the log names the route that won
    assert response.status_code == 200
    assert response.json() == {"docs": "the API's own"}
    assert reference is None
    assert "GET /docs" in caplog.text
    assert "no API reference is served" in caplog.text
