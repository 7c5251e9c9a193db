"""GET /v1/directory/{id}: VTL -> DynamoDB GetItem (moto) -> VTL that masks the email."""

import json

import boto3
import pytest

from tests.support.vtl import HOSTILE, integration, render_template, request

pytestmark = pytest.mark.domain("users")


@pytest.fixture
def users_table(table_from_template):
    return table_from_template("UsersTable")


def put_user(table, user_id, name="Ada Lovelace", email="ada@example.com"):
    boto3.client("dynamodb").put_item(
        TableName=table,
        Item={
            "pk": {"S": f"USER#{user_id}"},
            "kind": {"S": "USER"},
            "id": {"S": user_id},
            "name": {"S": name},
            "email": {"S": email},
            "createdAt": {"S": "2024-01-01T00:00:00.000000Z"},
            "updatedAt": {"S": "2024-01-01T00:00:00.000000Z"},
        },
    )


def read(api_body, user_id, groups=None):
    spec = integration(api_body, "/v1/directory/{id}", "get")
    claims = {"sub": "caller-sub"}
    if groups is not None:
        claims["cognito:groups"] = groups
    context = {"authorizer": {"claims": claims}}
    sent = json.loads(
        render_template(
            spec["requestTemplates"]["application/json"],
            request(path={"id": user_id}, context=context),
        ).body
    )
    answer = boto3.client("dynamodb").get_item(**sent)
    wire = json.dumps({k: v for k, v in answer.items() if k != "ResponseMetadata"}).encode()
    out = render_template(
        spec["responses"]["default"]["responseTemplates"]["application/json"],
        request(body=wire, context=context),
    )
    return sent, out


@pytest.mark.parametrize("groups", ["admins", "editors,admins", "[admins editors]", '["admins"]'])
def test_an_admin_reads_the_email(api_body, users_table, groups):
    put_user(users_table, "u-1")

    _, out = read(api_body, "u-1", groups)

    assert json.loads(out.body) == {"id": "u-1", "name": "Ada Lovelace", "email": "ada@example.com"}


@pytest.mark.parametrize("groups", [None, "", "editors", "superadmins", "admins-readonly"])
def test_anyone_else_gets_no_email_key(api_body, users_table, groups):
    put_user(users_table, "u-2")

    _, out = read(api_body, "u-2", groups)

    assert json.loads(out.body) == {"id": "u-2", "name": "Ada Lovelace"}


def test_an_absent_user_is_404_in_the_envelope(api_body, users_table):
    _, out = read(api_body, "nobody", "admins")

    assert out.status_override == 404
    error = json.loads(out.body)["error"]
    assert error["code"] == "USER_NOT_FOUND"
    assert error["requestId"] == "req-1"


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_ids_and_names_stay_inside_their_strings(api_body, users_table, value):
    # Given a user whose id, name and email are hostile text
    put_user(users_table, value, name=value, email=value)

    # When an admin reads it
    sent, out = read(api_body, value, "admins")

    # Then the request named exactly that user, and the answer holds exactly its values
    assert sent["Key"] == {"pk": {"S": f"USER#{value}"}}
    assert json.loads(out.body) == {"id": value, "name": value, "email": value}


def test_only_the_directory_fields_are_read(api_body, users_table):
    sent, _ = read(api_body, "u-3")

    assert sent["ProjectionExpression"] == "id, #name, email"
    assert sent["ExpressionAttributeNames"] == {"#name": "name"}


def test_a_failing_or_throttling_table_is_503_with_retry_after(api_body):
    responses = integration(api_body, "/v1/directory/{id}", "get")["responses"]
    failing = render_template(
        responses["5\\d{2}"]["responseTemplates"]["application/json"],
        request(body=b'{"__type": "x#InternalServerError", "message": "secret"}'),
    )
    throttled = render_template(
        responses["4\\d{2}"]["responseTemplates"]["application/json"],
        request(body=b'{"__type": "x#ProvisionedThroughputExceededException"}'),
    )

    assert responses["5\\d{2}"]["statusCode"] == "503"
    assert json.loads(failing.body)["error"]["code"] == "SERVICE_UNAVAILABLE"
    assert "secret" not in failing.body
    assert throttled.status_override == 503
    assert throttled.header_overrides == {"Retry-After": "5"}
