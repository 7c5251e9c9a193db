"""docs/contract.md stays true: its tables are read and compared with what is deployed.

Each route of its Routes table is a method of the template's REST API with the guard and the
integration the row names, and its success status is one docs/openapi.json gives; no method
of the API is missing from the table. (`make rename` drops the rows of a dropped domain's
routes: scripts/rename.py, prune_contract_page.)
"""

import json
import re
from typing import Any

import pytest

from tests.template.conftest import ROOT, methods, transformed

pytestmark = pytest.mark.domain("core")

PAGE = ROOT / "docs" / "contract.md"
OPENAPI = ROOT / "docs" / "openapi.json"
# API Gateway's ANY: every method but OPTIONS (which CORS preflight answers).
ANY = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")
GUARDS = {  # the words a row's Guard starts with -> the template's security scheme
    "Cognito": "CognitoAuthorizer",
    "custom authorizer": "JwtAuthorizer",
    "API key": "api_key",
    "IAM": "sigv4",
}


def table(section: str, first_column: str) -> list[dict[str, str]]:
    """The rows of the table under ``## section`` whose header starts with ``first_column``."""
    text = PAGE.read_text()
    body = text.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in body.splitlines() if line.startswith("|")]
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_column} |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2 :]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) != len(header):
            break
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def routes() -> list[dict[str, str]]:
    return table("Routes", "Method")


def expanded(route: dict[str, str]) -> list[str]:
    return list(ANY) if route["Method"] == "ANY" else [route["Method"]]


@pytest.fixture(scope="module")
def deployed() -> dict[tuple[str, str], dict[str, Any]]:
    """(METHOD, path) -> operation, as the dev stage's REST API has them."""
    found = {}
    for path, verb, operation in methods(transformed("dev")):
        if verb == "OPTIONS":
            continue
        for method in ANY if verb == "X-AMAZON-APIGATEWAY-ANY-METHOD" else (verb,):
            found[(method, path)] = operation
    return found


def guards(text: str) -> set[str]:
    if text == "none":
        return set()
    return {scheme for words, scheme in GUARDS.items() if re.search(rf"\b{words}\b", text)}


def integration_matches(text: str, integration: dict[str, Any]) -> bool:
    kind = integration.get("type")
    uri = json.dumps(integration.get("uri"))
    if text.startswith("Lambda"):
        wanted = "aws" if "custom (non-proxy)" in text else "aws_proxy"
        return kind == wanted and ":lambda:path/" in uri
    if text.startswith(("DynamoDB", "S3", "SQS")):
        service, action = text.split()[:2]
        action = action.rstrip(";")
        return (
            kind == "aws"
            and f":{service.lower()}:" in uri
            and (service != "DynamoDB" or f"action/{action}" in uri)
        )
    return kind == text.split()[0].lower()  # MOCK, HTTP_PROXY


def test_the_page_lists_every_route_of_the_api_once(deployed):
    # Given the routes of the page, When they are expanded to methods
    listed = [(method, route["Path"]) for route in routes() for method in expanded(route)]

    # Then they are the API's methods, each once
    assert sorted(listed) == sorted(set(listed))
    assert set(listed) == set(deployed)


@pytest.mark.parametrize("route", routes(), ids=lambda r: f"{r['Method']} {r['Path']}")
def test_each_route_has_the_guard_the_page_names(route, deployed):
    for method in expanded(route):
        security = deployed[(method, route["Path"])].get("security") or [{}]
        schemes = {name for requirement in security for name in requirement}
        assert schemes == guards(route["Guard"]), method


@pytest.mark.parametrize("route", routes(), ids=lambda r: f"{r['Method']} {r['Path']}")
def test_each_route_has_the_integration_the_page_names(route, deployed):
    for method in expanded(route):
        integration = deployed[(method, route["Path"])]["x-amazon-apigateway-integration"]
        assert integration_matches(route["Integration"], integration), integration


@pytest.mark.parametrize("route", routes(), ids=lambda r: f"{r['Method']} {r['Path']}")
def test_each_success_status_is_one_the_openapi_contract_documents(route):
    status = re.match(r"(\d{3})\b", route["Success"])
    if status is None:
        assert route["Path"] == "/v1/orders/{proxy+}"  # the backend's answer, whatever it is
        return
    paths = json.loads(OPENAPI.read_text())["paths"]
    path = route["Path"].replace("+}", "}")
    for method in expanded(route):
        assert status.group(1) in paths[path][method.lower()]["responses"], method


def test_code_and_docs_cite_this_page_not_a_spec_beside_the_repository():
    # Given the repository's code, template and docs
    sources = [
        path
        for pattern in ("*.py", "*.md", "*.yaml")
        for folder in ("layers", "functions", "authorizers", "gateway", "docs", "tests")
        for path in (ROOT / folder).rglob(pattern)
    ]
    sources += [ROOT / "template.yaml", ROOT / "README.md"]

    # When / Then none cites the spec the template was built from, which a fork does not have
    spec = re.compile(r"\bapi" + r"\.md\b")
    assert [str(p.relative_to(ROOT)) for p in sources if spec.search(p.read_text())] == []
