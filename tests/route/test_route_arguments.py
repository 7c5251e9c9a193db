"""`make route`'s arguments: what it scaffolds, how it names things, and what it refuses with a
clear message before writing anything (the repository is read, never changed, here)."""

import json
import re
import shutil
from pathlib import Path

import pytest

from scripts.route.__main__ import main
from scripts.route.scaffold import plan
from scripts.route.spec import RouteError, parse_route
from scripts.route.template_entries import (
    add_scope_route,
    included_resources,
    per_function_loops,
    resources_of,
)
from scripts.route.yaml_text import add_to_loop_collection, end_of_mapping

pytestmark = pytest.mark.domain("core")

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("route", "kind", "name", "logical", "domain", "model"),
    [
        ("GET /v1/invoices/{id}", "read", "get_invoice", "GetInvoice", "invoices", "Invoice"),
        ("POST /v1/invoices", "create", "create_invoice", "CreateInvoice", "invoices", "Invoice"),
        ("DELETE /v2/categories/{id}", "delete", "delete_category", "DeleteCategory",
         "categories", "Category"),
        ("get /v1/purchase-orders/{orderId}", "read", "get_purchase_order", "GetPurchaseOrder",
         "purchase_orders", "PurchaseOrder"),
    ],
)  # fmt: skip
def test_names_follow_the_route_as_the_repository_spells_them(
    route, kind, name, logical, domain, model
):
    # When a route is given alone
    parsed = parse_route(route)
    # Then its kind, function, logical id, domain and model are named as the sample routes are
    assert (parsed.kind, parsed.name, parsed.logical) == (kind, name, logical)
    assert (parsed.domain, parsed.model) == (domain, model)


def test_given_names_win_over_the_derived_ones():
    parsed = parse_route("GET /v1/invoices/{id}", name="read_invoice", domain="billing")
    assert (parsed.name, parsed.logical, parsed.domain) == (
        "read_invoice",
        "ReadInvoice",
        "billing",
    )
    assert parsed.handler_path == "/v1/invoices/<billing_id>"


@pytest.mark.parametrize(
    ("route", "options", "message"),
    [
        ("/v1/invoices", {}, 'ROUTE must be "METHOD /path"'),
        ("PUT /v1/invoices/{id}", {}, "PUT: make route scaffolds GET or DELETE"),
        ("GET /v1/invoices", {}, "GET /v1/invoices: make route scaffolds"),
        ("POST /v1/invoices/{id}", {}, "POST /v1/invoices/{id}: make route scaffolds"),
        ("GET /invoices/{id}", {}, "/invoices/{id}: make route scaffolds"),
        ("GET /v1/invoices/{id}/lines", {}, "make route scaffolds"),
        ("GET /v1/invoices/{id}", {"name": "Get-Invoice"}, "NAME=Get-Invoice: a function name"),
        ("GET /v1/invoices/{id}", {"domain": "class"}, "DOMAIN=class: a Python package name"),
        ("GET /v1/invoices/{id}", {"auth": "iam"}, "AUTH=iam: one of cognito, jwt"),
        ("GET /v1/invoices/{id}", {"auth": "jwt"}, "AUTH=jwt needs SCOPE="),
        ("GET /v1/invoices/{id}", {"scope": "invoices:read"}, "SCOPE= is for AUTH=jwt"),
    ],
)
def test_an_argument_that_makes_no_route_is_refused_with_what_to_give(route, options, message):
    # When the route cannot be scaffolded, Then the error says what to give instead
    with pytest.raises(RouteError, match=message.replace("{", r"\{").replace("}", r"\}")):
        parse_route(route, **options)


@pytest.mark.parametrize(
    ("route", "options", "message"),
    [
        ("GET /v1/users/{id}", {}, r"GET /v1/users/\{id\} exists already in "),
        ("DELETE /v1/users/{id}", {}, "exists already"),
        ("GET /v1/members/{id}", {"name": "get_user"}, "has a resource GetUserFunction already"),
        (
            "GET /v1/members/{id}",
            {"domain": "users", "name": "get_member"},
            "was not made by make route",
        ),
        pytest.param(
            "GET /v1/products/{id}",
            {"name": "read_product"},
            "exists already",
            marks=pytest.mark.domain("products"),
        ),
    ],
)
@pytest.mark.domain("users")
def test_a_route_function_or_domain_that_exists_is_refused(route, options, message):
    # Given this repository's routes, functions and hand-written domains
    # When a scaffold would add one again or write into one
    # Then it is refused, before anything is written
    with pytest.raises(RouteError, match=message):
        plan(ROOT, parse_route(route, **options))


def test_a_refused_route_exits_2_and_leaves_the_files_as_they_were(tmp_path, capsys):
    # Given a repository with the sample's template
    for name in ("pyproject.toml", "template.yaml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    # When a route it has already is asked for
    status = main(["--route", "GET /v1/users/{id}", "--root", str(tmp_path)])
    # Then the command fails with the reason and writes nothing
    assert status == 2
    assert "exists already" in capsys.readouterr().err
    after = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert after == before


def test_a_block_goes_at_the_end_of_the_mapping_its_key_path_names():
    # Given YAML with a comment before the next key, and a path with braces
    lines = ["a:", "  /v1/x/{id}:", "    get: 1", "  # about e", "  e:", "    f: 3", "g: 4"]
    # Then a./v1/x/{id} ends after `get`, and a after `f`
    assert end_of_mapping(lines, ["a", "/v1/x/{id}"]) == 3
    assert end_of_mapping(lines, ["a"]) == 6
    with pytest.raises(KeyError, match=re.escape("no `a.x`")):
        end_of_mapping(lines, ["a", "x"])


def test_a_jwt_route_is_added_under_its_scope_and_the_others_stay():
    # Given the authorizer's folded SCOPE_ROUTES with one scope
    text = 'x:\n  SCOPE_ROUTES: >-\n    {"a:read": ["GET /v1/a"]}\ny: 1'
    # When routes are added under a new scope and under the existing one
    text = add_scope_route(text, "b:write", "POST /v1/b")
    text = add_scope_route(text, "a:read", "GET /v1/a/{id}")
    # Then the folded value is the JSON with both, and the next key is untouched
    folded = " ".join(line.strip() for line in text.split("\n")[2:-1])
    assert json.loads(folded) == {
        "a:read": ["GET /v1/a", "GET /v1/a/{id}"],
        "b:write": ["POST /v1/b"],
    }
    assert text.endswith("\ny: 1")


def test_a_function_joins_a_loops_collection_wrapped_at_the_line_length():
    # Given a Fn::ForEach loop whose collection is a flow list over two lines
    text = "\n".join(
        [
            "  Fn::ForEach::Logs:",
            "    - Name",
            "    - [GetUser, CreateUser,",
            "       " + ", ".join(["ListUsers"] * 6) + "]",
            "    - ${Name}LogGroup: {}",
        ]
    )
    # When two names join it, the second past the line length
    text = add_to_loop_collection(text, "Fn::ForEach::Logs", "GetInvoice", 100)
    text = add_to_loop_collection(text, "Fn::ForEach::Logs", "CreatePurchaseOrder", 100)
    # Then both end the list, the second on a line of its own at the list's indentation
    lines = text.split("\n")
    assert lines[3].endswith("ListUsers, GetInvoice,")
    assert lines[4] == "       CreatePurchaseOrder]"
    assert lines[5] == "    - ${Name}LogGroup: {}"


def write_api_with(root: Path, resources: str) -> None:
    """A project in `root`: this pyproject.toml, and a template of an empty REST API and
    `resources` (written at the indentation of Resources' entries)."""
    shutil.copy2(ROOT / "pyproject.toml", root / "pyproject.toml")
    (root / "template.yaml").write_text(
        "Resources:\n"
        "  RestApi:\n"
        "    Type: AWS::Serverless::Api\n"
        "    Properties:\n"
        "      DefinitionBody: {paths: {}}\n" + resources
    )


def test_a_name_a_per_function_loop_has_already_is_refused(tmp_path):
    # Given a template whose log-group loop names GetInvoice already
    write_api_with(
        tmp_path,
        "  Fn::ForEach::FunctionLogs:\n"
        "    - Name\n"
        "    - [GetInvoice]\n"
        "    - ${Name}LogGroup: {Type: AWS::Logs::LogGroup}\n",
    )
    # When a route would make a function of that name, Then it is refused
    with pytest.raises(RouteError, match="Fn::ForEach::FunctionLogs has GetInvoice already"):
        plan(tmp_path, parse_route("GET /v1/invoices/{id}"))


def test_a_template_whose_loops_declare_no_errors_alarm_is_refused(tmp_path):
    # Given a template whose only loop over the functions declares their log groups
    write_api_with(
        tmp_path,
        "  GetUserFunction:\n"
        "    Type: AWS::Serverless::Function\n"
        "  Fn::ForEach::FunctionLogs:\n"
        "    - Name\n"
        "    - [GetUser]\n"
        "    - ${Name}LogGroup: {Type: AWS::Logs::LogGroup}\n",
    )
    # When a route is planned, Then it is refused naming what no loop declares (the new
    # function's DeploymentPreference would name an alarm nothing declares)
    with pytest.raises(RouteError, match=r"declares each one's ErrorsAlarm"):
        plan(tmp_path, parse_route("GET /v1/invoices/{id}"))


def test_the_new_function_joins_every_loop_over_the_functions_of_this_template():
    # Given this repository's Fn::ForEach loops over function names (log groups, alarms), in
    # template.yaml and in the file it includes among its resources
    files = ["template.yaml", *included_resources(ROOT)]
    texts = {file: (ROOT / file).read_text() for file in files}
    before = resources_of(texts)
    loops = per_function_loops(texts)
    # When a route is planned (nothing is written)
    scaffold = plan(ROOT, parse_route("GET /v1/invoices/{id}"))
    after = resources_of({**texts, **scaffold.edits})
    # Then each loop, in either file, lists the new function after the ones it had
    assert {file for file, _ in loops} == {"template.yaml", "ops/resources.yaml"}
    assert [after[file][loop][1] for file, loop in loops] == [
        [*before[file][loop][1], "GetInvoice"] for file, loop in loops
    ]
