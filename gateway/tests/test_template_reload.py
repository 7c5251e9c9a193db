"""`make dev` reloads template.yaml and samconfig.toml: new routes answer, the data stays.

The watcher's pass is driven by the test (`watcher.check()`); under `make dev` a background
thread runs the same pass four times a second (`make bench` prints the time from saving the
template to the new route's first answer).
"""

import logging
import os
import shutil
from pathlib import Path

import pytest
import requests

from local_gateway.local_aws import client
from local_gateway.testing import start_gateway

FIXTURE = Path(__file__).parent / "fixtures" / "basic"
ADDED_ROUTE = """\
        Added:
          Type: Api
          Properties: {RestApiId: !Ref Api, Path: /added, Method: get}
"""
ADDED_TABLE = """\
  NotesTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]

"""


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("reload") / "basic"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", ".local"))
    return root


@pytest.fixture(scope="module")
def local(project):
    with start_gateway(project / "template.yaml") as running:
        yield running


def _save(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text)
    # A later mtime than before, whatever the file system's timestamp granularity.
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))


def _items(local):
    table = local.session.resources["ItemsTable"]
    dynamodb = client("dynamodb", local.session.aws_endpoint_url, local.session.region)
    return dynamodb, table


def test_a_route_and_a_table_added_to_the_template_are_served_and_the_data_stays(
    local, project, caplog
):
    # Given an item in a table, a signed-in demo user, and no /added route yet
    dynamodb, table = _items(local)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "kept"}, "sk": {"S": "1"}})
    token = next(iter(local.session.users.values()))["id_token"]
    assert requests.get(local.api_url + "/added", timeout=10).status_code == 404
    # When the template gains a route on a function and a new table, and the watcher looks
    template = project / "template.yaml"
    text = template.read_text()
    text = text.replace(
        "      Events:\n        Get:\n          Type: Api\n          Properties: "
        "{RestApiId: !Ref Api, Path: /other",
        "      Events:\n"
        + ADDED_ROUTE
        + "        Get:\n          Type: Api\n          Properties: "
        "{RestApiId: !Ref Api, Path: /other",
        1,
    )
    text = text.replace("  ItemsTable:\n", ADDED_TABLE + "  ItemsTable:\n", 1)
    _save(template, text)
    with caplog.at_level(logging.INFO, logger="local_gateway"):
        local.gateway.watcher.check()
    # Then the new route answers from its function, the new table exists,
    answer = requests.get(local.api_url + "/added", timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"who": "other"}
    assert "NotesTable" in local.gateway.resources.physical_ids
    notes = local.gateway.resources.physical_ids["NotesTable"]
    assert dynamodb.describe_table(TableName=notes)["Table"]["TableStatus"] == "ACTIVE"
    # the data and the users are kept,
    kept = dynamodb.get_item(TableName=table, Key={"pk": {"S": "kept"}, "sk": {"S": "1"}})
    assert "Item" in kept
    private = requests.get(local.api_url + "/private", headers={"Authorization": token}, timeout=30)
    assert private.status_code == 200, private.text
    # and the log says what changed
    messages = [record.getMessage() for record in caplog.records]
    reloaded = next(m for m in messages if m.startswith("template reloaded"))
    assert "+GET /added" in reloaded
    assert "+NotesTable" in reloaded


def test_a_template_that_no_longer_loads_keeps_the_last_good_api(local, project, caplog):
    # Given the API serving /added
    assert requests.get(local.api_url + "/added", timeout=30).status_code == 200
    template = project / "template.yaml"
    good = template.read_text()
    # When the template is saved with a YAML error (a tab where indentation goes)
    _save(template, good.replace("  NotesTable:\n", "  NotesTable:\n\t", 1))
    with caplog.at_level(logging.INFO, logger="local_gateway"):
        local.gateway.watcher.check()
    # Then the error is logged in one line naming the file, line and column,
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "template.yaml:" in errors[0]
    assert "\n" not in errors[0]
    assert "YAML syntax error" in errors[0]
    # and the last good API still answers
    assert requests.get(local.api_url + "/added", timeout=30).status_code == 200
    # And once fixed, the next save reloads again
    _save(template, good)
    assert local.gateway.watcher.check_sources() is True
    assert requests.get(local.api_url + "/added", timeout=30).status_code == 200


def test_a_handler_typo_in_a_saved_template_is_refused_and_the_api_keeps_serving(
    local, project, caplog
):
    template = project / "template.yaml"
    good = template.read_text()
    # When a function's handler is misspelt in the saved template
    _save(
        template,
        good.replace(
            "CodeUri: functions/other/\n      Handler: app.handler",
            "CodeUri: functions/other/\n      Handler: app.handlr",
            1,
        ),
    )
    with caplog.at_level(logging.INFO, logger="local_gateway"):
        local.gateway.watcher.check()
    _save(template, good)
    # Then the error names the function, the file and the attribute
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(
        "OtherFunction" in e and "functions/other/app.py" in e and "'handlr'" in e for e in errors
    ), errors
    # And the function still answers with its last good handler
    assert requests.get(local.api_url + "/other", timeout=30).json() == {"who": "other"}


def test_a_reload_that_failed_after_creating_a_table_succeeds_once_fixed(local, project):
    template = project / "template.yaml"
    good = template.read_text()
    table = ADDED_TABLE.replace("NotesTable", "DraftsTable")
    with_table = good.replace("  ItemsTable:\n", table + "  ItemsTable:\n", 1)
    # Given a save that adds a table but misspells a handler (the table is made, then refused)
    _save(
        template,
        with_table.replace(
            "CodeUri: functions/other/\n      Handler: app.handler",
            "CodeUri: functions/other/\n      Handler: app.handlr",
            1,
        ),
    )
    local.gateway.watcher.check()
    assert "DraftsTable" not in local.gateway.resources.physical_ids
    # When the handler is fixed and saved again
    _save(template, with_table)
    local.gateway.watcher.check()
    # Then the reload goes through, with the table the failed one had made
    assert "DraftsTable" in local.gateway.resources.physical_ids
    assert requests.get(local.api_url + "/other", timeout=30).json() == {"who": "other"}
