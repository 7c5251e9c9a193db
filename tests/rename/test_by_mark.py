"""`make rename KEEP=` removes by ownership marks, never because something mentions a word: the
rules of scripts/rename on small inputs (the copies in test_rename.py show them on the whole
repository)."""

import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from local_gateway.template import read_template
from scripts.rename.file_moves import owned_paths, remove_emptied_test_folders
from scripts.rename.keep import cut_template
from scripts.rename.ownership import Owners, write_owners
from scripts.rename.template_surgery import drop_from_template
from scripts.rename.tests_by_mark import prune_module
from tests.support.ownership import ownership_problems

pytestmark = pytest.mark.domain("core")

OWNERS = Owners(
    sample=("users", "products", "telemetry"),
    shared={"jwt-authorizer": frozenset({"products", "telemetry"})},
)


def dropped_keeping(*keep: str) -> frozenset[str]:
    return OWNERS.dropped(set(keep))


def test_a_shared_piece_stays_while_one_domain_it_serves_stays():
    # Given the JWT authorizer serving products and telemetry
    # When only telemetry is kept, then when only users is
    # Then the piece stays in the first case and goes in the second
    assert dropped_keeping("telemetry") == {"users", "products"}
    assert dropped_keeping("users") == {"products", "telemetry", "jwt-authorizer"}


def test_keeping_a_domain_there_is_not_is_refused_naming_those_there_are():
    with pytest.raises(ValueError, match=r"\(users, products, telemetry\), not \['invoices'\]"):
        OWNERS.validated_keep(["users", "invoices"])


MODULE = """import pytest

from sample_api.products.logic import price

pytestmark = pytest.mark.domain("core")

PRODUCTS_ROUTE = "/v1/products"


@pytest.fixture
def catalog():
    return [PRODUCTS_ROUTE]


def test_settings_name_the_products_table():
    assert "ProductsTable"


@pytest.mark.domain("products")
def test_the_catalog_lists_products(catalog):
    assert catalog


@pytest.mark.domain("users", "telemetry")
def test_users_and_devices_together():
    assert True


def test_prices_are_rounded():
    assert price
"""


def test_a_test_that_only_mentions_a_dropped_domain_stays():
    # Given a core module whose first test spells "ProductsTable" without a products mark
    # When products goes
    pruned = prune_module(MODULE, dropped_keeping("users", "telemetry"), (), is_test=True)
    # Then that test stays, and the marked one leaves with the fixture and constant only it used
    assert pruned is not None
    assert "def test_settings_name_the_products_table" in pruned
    assert "test_the_catalog_lists_products" not in pruned
    assert "def catalog" not in pruned
    assert "PRODUCTS_ROUTE" not in pruned


def test_a_test_marked_with_two_domains_goes_when_either_goes():
    pruned = prune_module(MODULE, dropped_keeping("users", "products"), (), is_test=True)
    assert pruned is not None
    assert "test_users_and_devices_together" not in pruned
    assert "test_the_catalog_lists_products" in pruned


def test_what_imports_a_removed_module_goes_with_it():
    # Given sample_api.products removed
    pruned = prune_module(MODULE, frozenset(), ("sample_api.products",), is_test=True)
    # Then the import and the test that used its name go; the others stay
    assert pruned is not None
    assert "sample_api.products" not in pruned
    assert "test_prices_are_rounded" not in pruned
    assert "test_the_catalog_lists_products" in pruned


def test_a_module_marked_with_a_dropped_domain_goes_whole():
    source = 'import pytest\n\npytestmark = [pytest.mark.e2e, pytest.mark.domain("users")]\n'
    source += "\n\ndef test_anything():\n    pass\n"
    assert prune_module(source, dropped_keeping("products"), (), is_test=True) is None
    assert prune_module(source, dropped_keeping("users"), (), is_test=True) == source


TEMPLATE = """Resources:
  ProductsTable:
    Type: AWS::DynamoDB::Table
    Metadata:
      Domain: products
    Properties:
      BillingMode: PAY_PER_REQUEST
  # The table's backup, which names it.
  ProductsBackupPlan:
    Type: AWS::Backup::BackupSelection
    Properties:
      Resources: [!GetAtt ProductsTable.Arn]
  UsersTable:
    Type: AWS::DynamoDB::Table
    Metadata:
      Domain: users
    Properties:
      # Holds products the user liked: a mention, not a dependency.
      BillingMode: PAY_PER_REQUEST
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      DefinitionBody:
        openapi: "3.0.1"
        tags:
          - {name: users}
          - {name: products}
        paths:
          /v1/products:
            get:
              tags: [products]
              security:
                - api_key: []
              responses: {}
          /v1/users:
            get:
              tags: [users]
              responses: {}
            post:
              tags: [products]
              responses: {}
        securityDefinitions:
          api_key: {type: apiKey, name: x-api-key, in: header}
Outputs:
  ProductsTableName:
    Value: !Ref ProductsTable
"""


def test_a_resource_goes_by_its_mark_with_what_refers_to_it_and_its_operations_by_tag():
    # Given a template with a products table, something referring to it, a users table whose
    # comment mentions products, and operations tagged users or products
    # When products goes
    cut = drop_from_template(TEMPLATE, OWNERS.known, dropped_keeping("users"))
    # Then the table, its backup, its output, its path and operation, its tag and the API key
    # scheme only its operation used go; users and its comment stay
    assert cut.resources == {"ProductsTable", "ProductsBackupPlan"}
    assert cut.routes == {"GET /v1/products", "POST /v1/users"}
    for gone in ("ProductsTable:", "ProductsBackupPlan", "/v1/products", "post:", "api_key"):
        assert gone not in cut.text
    assert "{name: products}" not in cut.text
    assert "ProductsTableName" not in cut.text
    assert "Holds products the user liked" in cut.text
    assert "/v1/users:" in cut.text


def test_the_owners_table_is_rewritten_with_what_stays(tmp_path: Path):
    # Given a pyproject declaring three domains and a piece, with a table after them
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\n\n[tool.rename.domains]\nsample = ["users", "products"]\n\n'
        '[tool.rename.domains.shared]\njwt-authorizer = ["products"]\n\n[tool.other]\na = 1\n'
    )
    # When users alone stays
    write_owners(tmp_path, Owners.of(tmp_path).kept({"users"}))
    # Then the table names users only, and what followed it is untouched
    assert Owners.of(tmp_path) == Owners(sample=("users",), shared={})
    assert pyproject.read_text().endswith("\n[tool.other]\na = 1\n")


def fake_item(root: Path, relative: str, module_marks: object, item_marks: list) -> object:
    return SimpleNamespace(
        path=root / relative,
        module=SimpleNamespace(pytestmark=module_marks) if module_marks is not None else object(),
        iter_markers=lambda name: [m for m in item_marks if m.name == name],
    )


def test_the_suite_refuses_a_test_module_without_a_known_owner():
    # Given a module with no domain mark and a test naming an owner nobody declared
    root = Path(__file__).resolve().parents[2]
    unmarked = fake_item(root, "tests/unit/test_x.py", pytest.mark.e2e.mark, [])
    unknown_mark = pytest.mark.domain("invoices").mark
    unknown = fake_item(root, "tests/unit/test_y.py", [unknown_mark], [unknown_mark])
    marked = fake_item(root, "tests/unit/test_z.py", pytest.mark.domain("users").mark, [])
    # When the suite's collection check runs
    problems = ownership_problems([unmarked, unknown, marked], OWNERS)
    # Then both are named, with what to do; the marked one passes
    assert len(problems) == 2
    assert problems[0].startswith("tests/unit/test_x.py: no domain mark")
    assert "unknown owners ['invoices']" in problems[1]


INCLUDING_TEMPLATE = """Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]
Resources:
  Api:
    Type: AWS::Serverless::Api
    Metadata:
      Examples: api/examples.yaml
    Properties:
      StageName: v1
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: api/openapi.yaml
  ListUsersFunction:
    Type: AWS::Serverless::Function
    Metadata:
      Domain: users
  CreateProductFunction:
    Type: AWS::Serverless::Function
    Metadata:
      Domain: products
  Fn::ForEach::FunctionLogs:
    - Name
    - [ListUsers, CreateProduct]
    - ${Name}LogGroup:
        Type: AWS::Logs::LogGroup
"""

INCLUDED_DOCUMENT = """openapi: "3.0.1"
paths:
  /v1/products:
    post:
      tags: [products]
      requestBody:
        content:
          application/json:
            schema:
              $ref: "#/components/schemas/newproduct"
  /v1/users:
    get:
      tags: [users]
components:
  schemas:
    newproduct: {type: object}
    health: {type: object}
"""


EXAMPLES = """# Examples by model title and by operation.

NewProduct: {name: Espresso cup}
Health: {status: ok}
"POST /v1/products 201": {id: "1"}
"""


def test_an_included_api_document_and_the_function_loops_lose_what_the_dropped_domain_owned():
    # Given a template whose API is included from api/openapi.yaml, with its examples in
    # api/examples.yaml, and whose per-function log groups come from a loop over the functions
    documents = {"api/openapi.yaml": INCLUDED_DOCUMENT, "api/examples.yaml": EXAMPLES}
    # When products goes
    cut = drop_from_template(INCLUDING_TEMPLATE, OWNERS.known, dropped_keeping("users"), documents)
    # Then its path and the schema only it used leave the document, its function the loop
    document = cut.documents["api/openapi.yaml"]
    assert "/v1/products" not in document
    assert "newproduct" not in document
    assert "/v1/users:" in document
    assert "health: {type: object}" in document
    assert "- [ListUsers]" in cut.text
    assert "CreateProductFunction" not in cut.text
    # and the examples file keeps only the examples of what stays
    assert cut.documents["api/examples.yaml"] == (
        "# Examples by model title and by operation.\n\nHealth: {status: ok}\n"
    )


PARAMETRIZED = """import pytest

pytestmark = pytest.mark.domain("core")

PATHS = [
    "/v1/health",
    pytest.param("/v1/products", marks=pytest.mark.domain("products")),
    pytest.param("/v1/users", marks=[pytest.mark.domain("users")]),
]


@pytest.mark.parametrize("path", PATHS)
def test_each_path_answers(path):
    assert path


@pytest.mark.parametrize(
    "kind", ["a", pytest.param("b", marks=pytest.mark.domain("telemetry")), "c"]
)
def test_each_kind(kind):
    assert kind
"""


def test_a_parameter_set_marked_with_a_dropped_domain_leaves_its_list():
    # Given parameter sets marked with products, users and telemetry, in lists on many lines
    # and on one
    # When products and telemetry go
    pruned = prune_module(PARAMETRIZED, dropped_keeping("users"), (), is_test=True)
    # Then their sets leave; the others, and the tests, stay
    assert pruned is not None
    assert "/v1/products" not in pruned
    assert '"b"' not in pruned
    assert '    "/v1/health",\n    pytest.param("/v1/users"' in pruned
    assert '"kind", ["a", "c"]' in pruned
    compile(pruned, "pruned", "exec")


RESOURCES_INCLUDING_TEMPLATE = """Parameters:
  ProductsLatencyMs:
    Type: Number
Resources:
  ProductsQueue:
    Type: AWS::SQS::Queue
    Metadata: {Domain: products}
  UsersQueue:
    Type: AWS::SQS::Queue
    Metadata: {Domain: users}
  Fn::Transform:
    Name: AWS::Include
    Parameters:
      Location: ops/resources.yaml
"""

OPERATIONS = """# The stack's operations.

ProductsLatencyAlarm:
  Type: AWS::CloudWatch::Alarm
  Metadata: {Domain: products}
  Properties:
    Threshold: {Ref: ProductsLatencyMs}

# Messages waiting in the products queue.
ProductsQueueAlarm:
  Type: AWS::CloudWatch::Alarm
  Properties:
    Dimensions:
      - Name: QueueName
        Value: {Fn::GetAtt: [ProductsQueue, QueueName]}

UsersQueueAlarm:
  Type: AWS::CloudWatch::Alarm
  Properties:
    Dimensions:
      - Name: QueueName
        Value: {Fn::GetAtt: [UsersQueue, QueueName]}

Dashboard:
  Type: AWS::CloudWatch::Dashboard
  Properties:
    DashboardBody:
      Fn::Sub: |
        {"widgets": [
          {"type": "metric",
            "metrics": [
              ["AWS/SQS", "Visible", "QueueName", "${UsersQueue.QueueName}"],
              ["AWS/SQS", "Visible", "QueueName", "${ProductsQueue.QueueName}"]
            ]}}
        ]}
"""


def test_a_file_of_included_resources_loses_what_the_dropped_domain_owned_or_named():
    # Given resources included whole into Resources from ops/resources.yaml: a products alarm,
    # alarms on each domain's queue, and a dashboard row per queue
    documents = {"ops/resources.yaml": OPERATIONS}
    # When products goes
    cut = drop_from_template(
        RESOURCES_INCLUDING_TEMPLATE, OWNERS.known, dropped_keeping("users"), documents
    )
    # Then the file loses the marked alarm, the alarm on the products queue and its dashboard
    # row; the users' alarm and row stay, and the include itself stays in the template
    operations = cut.documents["ops/resources.yaml"]
    assert "ProductsLatencyAlarm" not in operations
    assert "ProductsQueueAlarm" not in operations
    assert "Messages waiting in the products queue" not in operations
    assert "UsersQueueAlarm:" in operations
    assert '"${UsersQueue.QueueName}"]\n' in operations
    assert "ProductsQueue.QueueName" not in operations
    assert cut.resources == {"ProductsQueue", "ProductsLatencyAlarm", "ProductsQueueAlarm"}
    assert "Location: ops/resources.yaml" in cut.text
    # and the parameter only the removed alarm read leaves the template
    assert "ProductsLatencyMs" not in cut.text


def test_a_loop_over_functions_in_the_included_file_loses_the_dropped_domains_functions():
    # Given a function of each domain, and their log groups declared by a loop over their names
    # in the file template.yaml includes among its resources
    template = """Resources:
  ListUsersFunction:
    Type: AWS::Serverless::Function
    Metadata: {Domain: users}
  CreateProductFunction:
    Type: AWS::Serverless::Function
    Metadata: {Domain: products}
  Fn::Transform: {Name: AWS::Include, Parameters: {Location: ops/resources.yaml}}
"""
    operations = """Fn::ForEach::FunctionLogs:
  - Function
  - [ListUsers, CreateProduct]
  - ${Function}LogGroup:
      Type: AWS::Logs::LogGroup
      Properties:
        LogGroupName: {Fn::Sub: "/aws/lambda/${${Function}Function}"}
"""
    # When products goes
    cut = drop_from_template(
        template, OWNERS.known, dropped_keeping("users"), {"ops/resources.yaml": operations}
    )
    # Then the loop in the included file lists the users' function only
    assert "  - [ListUsers]\n" in cut.documents["ops/resources.yaml"]
    assert "CreateProduct" not in cut.text


REPOSITORY = Path(__file__).resolve().parents[2]
SAMPLE = Owners.of(REPOSITORY)


def write_cut(kept: str, folder: Path) -> Path:
    """This repository's template and the files it includes, cut to one sample domain (as
    `make rename KEEP=<kept>` cuts them), written into `folder`; the template's path."""
    cut = cut_template(REPOSITORY, SAMPLE.known, SAMPLE.dropped({kept}))
    (folder / "template.yaml").write_text(cut.text)
    for location, document in cut.documents.items():
        (folder / location).parent.mkdir(parents=True, exist_ok=True)
        (folder / location).write_text(document)
    return folder / "template.yaml"


@pytest.mark.parametrize("kept", SAMPLE.sample)
def test_keeping_any_one_domain_leaves_a_template_that_reads_whole(kept: str, tmp_path: Path):
    # Given this repository's template cut to one sample domain (a shared anchor such as
    # `&function_checkov` may sit in a resource that goes)
    template = write_cut(kept, tmp_path)
    # When it is read as the gateway and CloudFormation read it, includes inlined
    resources = read_template(template)["Resources"]
    # Then it reads, every function keeps its checkov reasons, and no dropped owner's resource
    # is left
    functions = [v for v in resources.values() if v["Type"] == "AWS::Serverless::Function"]
    assert all(function["Metadata"]["checkov"]["skip"] for function in functions)
    owners = {(v.get("Metadata") or {}).get("Domain") for v in resources.values()}
    assert not owners & SAMPLE.dropped({kept})


def test_cfn_lint_finds_nothing_in_the_template_cut_to_any_one_domain(tmp_path: Path):
    # Given the template cut to each sample domain in turn, its includes inlined
    inlined = []
    for kept in SAMPLE.sample:
        (tmp_path / kept).mkdir()
        template = write_cut(kept, tmp_path / kept)
        inlined.append(tmp_path / kept / "inlined.json")
        inlined[-1].write_text(json.dumps(read_template(template)))
    # When cfn-lint reads them as `make lint` reads the inlined template (one run for all)
    result = subprocess.run(
        [str(Path(sys.executable).parent / "cfn-lint"), "--append-rules",
         "cfn_lint_serverless.rules", "--mandatory-checks", "W8001", "WS1004", "--",
         *map(str, inlined)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    # Then it finds nothing: no dangling condition or reference, no function without its log
    # group, no unused condition or parameter
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_condition_a_kept_condition_reads_stays():
    # Given IsProd, read by a resource that goes and by WafEnabled, which a kept resource reads
    template = """Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  WafEnabled: !Or [!Condition IsProd, !Equals [!Ref EnableWaf, "true"]]
Resources:
  ProductsTable:
    Type: AWS::DynamoDB::Table
    Metadata: {Domain: products}
    DeletionPolicy: !If [IsProd, Retain, Delete]
  WebAcl:
    Type: AWS::WAFv2::WebACL
    Condition: WafEnabled
"""
    # When products goes
    cut = drop_from_template(template, OWNERS.known, dropped_keeping("users"))
    # Then IsProd stays for WafEnabled
    assert "  IsProd: !Equals [!Ref Stage, prod]\n" in cut.text


def test_a_one_line_section_header_stays_while_its_section_keeps_a_resource():
    # Given a section whose first resource goes and whose second stays
    template = """Resources:
  # --- Service integrations: one role per family.
  ProductsRole:
    Type: AWS::IAM::Role
    Metadata: {Domain: products}
  UsersRole:
    Type: AWS::IAM::Role
    Metadata: {Domain: users}

  # --- Products: the catalog.
  ProductsTable:
    Type: AWS::DynamoDB::Table
    Metadata: {Domain: products}
"""
    # When products goes
    cut = drop_from_template(template, OWNERS.known, dropped_keeping("users"))
    # Then the first section's header stays above what is left of it, the emptied one goes
    assert "  # --- Service integrations: one role per family.\n  UsersRole:" in cut.text
    assert "# --- Products" not in cut.text


def test_a_test_helper_module_marked_with_a_dropped_domain_goes(tmp_path: Path):
    # Given tests/support with a helper only the telemetry tests use (marked) and a shared one
    helpers = tmp_path / "tests" / "support"
    helpers.mkdir(parents=True)
    (helpers / "__init__.py").write_text("")
    (helpers / "telemetry.py").write_text('"""Readings."""\n\nDOMAIN = "telemetry"\n')
    (helpers / "events.py").write_text('"""Events of every domain."""\n')
    tracked = sorted(tmp_path.rglob("*.py"))
    # When telemetry goes, Then the marked helper goes and the shared one stays
    assert owned_paths(tmp_path, tracked, dropped_keeping("users")) == [helpers / "telemetry.py"]


def test_a_test_folder_emptied_of_its_tests_goes_but_the_helpers_folder_stays(tmp_path: Path):
    # Given a domain's test folder and tests/support, each losing a module to the cut
    unit = tmp_path / "tests" / "unit" / "telemetry"
    helpers = tmp_path / "tests" / "support"
    users = tmp_path / "tests" / "unit" / "users" / "test_users.py"
    for module in (unit / "conftest.py", unit / "test_readings.py", helpers / "__init__.py", users):
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text("")
    removed = [unit / "test_readings.py", helpers / "telemetry.py"]
    (unit / "test_readings.py").unlink()
    # When the emptied folders are removed
    emptied = remove_emptied_test_folders(tmp_path, removed)
    # Then the test folder goes with its conftest; tests/support, which held no tests, stays
    assert emptied == [unit]
    assert not unit.exists()
    assert (helpers / "__init__.py").is_file()
