"""The Lambda proxy integration over HTTP: the event, the response, workers and their failures.

One gateway serves the fixture template for the whole module (starting it takes seconds).
"""

import base64
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from local_gateway.local_aws import client
from local_gateway.testing import start_gateway

FIXTURE = Path(__file__).parent / "fixtures" / "basic" / "template.yaml"


@pytest.fixture(scope="module")
def local():
    with start_gateway(FIXTURE) as running:
        yield running


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


def _echo(local, http, path="/echo/42", **kwargs):
    response = http.request(kwargs.pop("method", "GET"), local.api_url + path, **kwargs)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_event_carries_the_request_as_api_gateway_sends_it(local, http):
    # Given a GET with repeated query parameters and a custom header
    # When it reaches the echo function
    body = _echo(local, http, "/echo/42?tag=a&tag=b&single=1", headers={"X-Custom": "yes"})
    event = body["event"]
    # Then the top-level fields follow the REST (v1) proxy input format
    assert event["resource"] == "/echo/{id}"
    assert event["path"] == "/echo/42"
    assert event["httpMethod"] == "GET"
    assert event["headers"]["X-Custom"] == "yes"
    assert event["multiValueHeaders"]["X-Custom"] == ["yes"]
    assert event["queryStringParameters"] == {"tag": "b", "single": "1"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "single": ["1"]}
    assert event["pathParameters"] == {"id": "42"}
    assert event["stageVariables"] == {"flavour": "vanilla"}
    assert event["body"] is None
    assert event["isBase64Encoded"] is False


def test_the_request_context_names_the_request_stage_and_caller(local, http):
    # Given any routed request
    response = http.get(local.api_url + "/echo/7")
    context = response.json()["event"]["requestContext"]
    # Then requestContext carries the ids, stage, resource and caller as API Gateway does
    assert context["requestId"] == response.headers["x-amzn-RequestId"]
    assert context["stage"] == "dev"
    assert context["resourcePath"] == "/echo/{id}"
    assert context["httpMethod"] == "GET"
    assert context["path"] == "/dev/echo/7"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert "apiKey" not in context["identity"]  # only a request admitted with a key has one
    assert context["accountId"] == "123456789012"
    assert isinstance(context["requestTimeEpoch"], int)
    assert context["protocol"] == "HTTP/1.1"
    assert "authorizer" not in context  # no authorizer on this route, none in the context


def test_a_text_body_arrives_as_a_string(local, http):
    body = _echo(local, http, "/echo/a/b", method="POST", json={"name": "Ada"})
    assert json.loads(body["event"]["body"]) == {"name": "Ada"}
    assert body["event"]["resource"] == "/echo/{proxy+}"
    assert body["event"]["pathParameters"] == {"proxy": "a/b"}


def test_headers_and_multi_value_headers_merge(local, http):
    # Given the echo function answers X-Single in headers and in multiValueHeaders
    response = http.get(local.api_url + "/echo/1")
    # Then both are sent, the multi-value one first (as recorded: corpus test_proxy_results)
    assert response.headers["X-Single"] == "from-multi, one"
    assert response.headers["X-Multi"] == "a, b"


def test_the_most_specific_route_serves_the_request(local, http):
    assert _echo(local, http, "/echo/special")["event"]["resource"] == "/echo/special"
    assert _echo(local, http, "/echo/other")["event"]["resource"] == "/echo/{id}"
    assert _echo(local, http, "/echo/x/y/z")["event"]["resource"] == "/echo/{proxy+}"


def test_an_unknown_route_is_missing_authentication_token_shaped_by_the_template(local, http):
    # Given the template reshapes MISSING_AUTHENTICATION_TOKEN as a 404 with its own body
    response = http.get(local.api_url + "/nowhere")
    # Then API Gateway's message reaches the template, which sets the status and header
    assert response.status_code == 404
    assert response.json() == {
        "missing": "Missing Authentication Token",
        "id": response.headers["x-amzn-RequestId"],
    }
    assert response.headers["X-Shaped-By"] == "fixture"
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_a_method_the_resource_lacks_is_missing_authentication_token(local, http):
    response = http.delete(local.api_url + "/other")
    assert response.status_code == 404
    assert response.json()["missing"] == "Missing Authentication Token"


def test_the_environment_is_globals_plus_the_functions_own_resolved_locally(local, http):
    # Given globals (STAGE, MODE, TABLE_NAME) and the function's own variables
    env = _echo(local, http)["env"]
    resources = local.session.resources
    # Then intrinsics point at the local resources and AWS_ENDPOINT_URL at the local moto
    assert env["WHO"] == "echo"
    assert env["STAGE"] == "dev"
    assert env["MODE"] == "relaxed"
    assert env["GREETING"] == "hello from us-east-1"
    assert env["TABLE_NAME"] == resources["ItemsTable"]
    assert env["QUEUE_URL"] == resources["JobsQueue"]
    assert env["BUCKET"] == resources["FilesBucket"]
    assert env["SECOND"] == "b"
    assert env["JOINED"] == f"dev-{resources['JobsQueue'].rsplit('/', 1)[-1]}"
    assert env["AWS_ENDPOINT_URL"] == local.session.aws_endpoint_url
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"


def test_each_function_has_its_own_environment(local, http):
    # Given two functions with different WHO values
    echo = _echo(local, http)["env"]["WHO"]
    other = http.get(local.api_url + "/other").json()["who"]
    # Then each sees its own
    assert (echo, other) == ("echo", "other")


def test_module_state_persists_between_warm_calls(local, http):
    # Given one call to the echo function
    first = _echo(local, http)
    # When it is called again (sequentially, so the same warm worker serves it)
    second = _echo(local, http)
    # Then the same process answered and its module counter went on
    assert second["pid"] == first["pid"]
    assert second["calls"] == first["calls"] + 1


def test_the_layer_is_importable_and_the_context_is_lambdas(local, http):
    body = _echo(local, http)
    assert body["layer"] == "1"
    assert body["function_name"] == local.session.resources["EchoFunction"]
    assert 0 < body["remaining_ms"] <= 5000


def test_concurrent_requests_to_one_function_run_in_separate_workers(local, tmp_path):
    # Given a handler that only returns in time if a second call runs alongside it
    url = f"{local.api_url}/faulty/rendezvous?folder={tmp_path}"
    # When two requests arrive at once
    with ThreadPoolExecutor(max_workers=2) as executor:
        answers = list(executor.map(lambda _: requests.get(url, timeout=10), range(2)))
    # Then both met, in two different worker processes
    bodies = [answer.json() for answer in answers]
    assert all(body["met"] for body in bodies)
    assert bodies[0]["pid"] != bodies[1]["pid"]


def test_a_function_past_its_timeout_is_504(local, http):
    # Given a function with a 1 s timeout that sleeps 30 s
    response = http.get(local.api_url + "/faulty/slow")
    # Then API Gateway's timeout answer comes back
    assert response.status_code == 504
    assert response.json() == {"message": "Endpoint request timed out"}


def test_a_function_works_again_after_a_timeout(local, http):
    http.get(local.api_url + "/faulty/slow")
    response = http.get(local.api_url + "/faulty/fine")
    assert (response.status_code, response.text) == (200, "fine")


def test_a_handler_exception_is_502_with_the_traceback_only_in_the_log(local, http, caplog):
    # Given a handler that raises
    with caplog.at_level(logging.INFO, logger="local_gateway"):
        response = http.get(local.api_url + "/faulty/raise")
    # Then the caller sees API Gateway's 502, without the traceback
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}
    assert "Traceback" not in response.text
    # And the gateway log has the traceback, labelled with the function
    function_lines = [
        r.getMessage() for r in caplog.records if "[FaultyFunction]" in r.getMessage()
    ]
    assert any("Traceback" in line for line in function_lines)
    assert any("failed on purpose" in line for line in function_lines)


@pytest.mark.parametrize("mode", ["malformed", "not-a-dict"])
def test_a_malformed_proxy_response_is_502(local, http, mode):
    response = http.get(f"{local.api_url}/faulty/{mode}")
    assert response.status_code == 502
    assert response.json() == {"message": "Internal server error"}


def test_the_tables_queues_and_buckets_exist_in_the_local_moto(local):
    # Given the fixture's table with a GSI, queue with a redrive policy, and bucket
    session = local.session
    dynamodb = client("dynamodb", session.aws_endpoint_url, session.region)
    sqs = client("sqs", session.aws_endpoint_url, session.region)
    s3 = client("s3", session.aws_endpoint_url, session.region)
    # When moto is asked about them
    table = dynamodb.describe_table(TableName=session.resources["ItemsTable"])["Table"]
    attributes = sqs.get_queue_attributes(
        QueueUrl=session.resources["JobsQueue"], AttributeNames=["All"]
    )["Attributes"]
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    # Then they match the template
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by-category"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"].endswith("-JobsDeadLetterQueue")
    assert int(redrive["maxReceiveCount"]) == 3
    assert session.resources["FilesBucket"] in buckets


def test_demo_users_are_seeded_with_one_admin(local):
    users = local.session.users
    assert users["admin@example.com"]["groups"] == ["admins"]
    assert users["user@example.com"]["groups"] == []
    assert all(user["id_token"] for user in users.values())


def test_a_binary_media_type_body_arrives_base64_encoded(local, http):
    # Given the API declares image/png binary
    body = _echo(
        local,
        http,
        "/echo/a/b",
        method="PUT",
        data=b"\x89PNG",
        headers={"Content-Type": "image/png"},
    )
    # Then the body is base64 and flagged so
    assert body["event"]["isBase64Encoded"] is True
    assert base64.b64decode(body["event"]["body"]) == b"\x89PNG"


def test_each_usage_plan_gets_a_key_that_opens_its_api_key_routes(local, http):
    # Given the fixture's one usage plan, declared without keys
    key = local.session.api_keys["basic"]
    # When a key-guarded route is called with and without it
    admitted = http.get(local.api_url + "/keyed", headers={"x-api-key": key})
    refused = http.get(local.api_url + "/keyed")
    # Then the plan's key is admitted; no key is API Gateway's 403
    assert admitted.status_code == 200
    assert refused.status_code == 403
    assert refused.json() == {"message": "Forbidden"}
