"""AWS service integrations (DynamoDB, SQS, S3) and HTTP integrations, on `templates/integrations`.

The services are the gateway's local moto; each case reads the result back from the API, and
where AWS's recording was of the service's side (the queued message), from moto with boto3.
"""

import json
import uuid
import xml.etree.ElementTree as ElementTree

import boto3
import pytest
import requests

from .recorded import recorded

LOCALSTACK = "localstack tests/aws/services/apigateway/"
DYNAMODB = LOCALSTACK + "test_apigateway_dynamodb.py::test_rest_api_to_dynamodb_integration"
SQS = LOCALSTACK + "test_apigateway_sqs.py::"
S3_ANY = LOCALSTACK + "test_apigateway_s3.py::test_apigateway_s3_any"


def call(gateway, method: str, path: str, **kwargs) -> requests.Response:
    return requests.request(method, gateway.api_url + path, timeout=10, **kwargs)


@pytest.fixture(scope="module")
def jobs(integrations):
    """The fixture's queue, read with boto3 against the gateway's moto."""
    sqs = boto3.client(
        "sqs",
        endpoint_url=integrations.session.aws_endpoint_url,
        region_name=integrations.session.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    url = integrations.session.resources["JobsQueue"]

    def receive() -> list[dict]:
        reply = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
        )
        messages = reply.get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return messages

    receive()  # start from an empty queue
    return receive


# -- DynamoDB --------------------------------------------------------------------------------


@recorded(DYNAMODB + "[PutItem] (snapshot result-put-item: 200, content {}, application/json)")
def test_dynamodb_put_item_answers_its_empty_result(integrations):
    response = call(integrations, "PUT", "/items/put-1", json={"name": "first"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == {}


@recorded(DYNAMODB + "[Query] (snapshot result-test: Count, Items, ScannedCount)")
def test_dynamodb_query_answers_the_service_result_as_it_is(integrations):
    call(integrations, "PUT", "/items/query-1", json={"name": "queried"})
    response = call(integrations, "GET", "/items/query-1")
    assert response.status_code == 200
    assert response.json() == {
        "Count": 1,
        "Items": [{"id": {"S": "query-1"}, "name": {"S": "queried"}}],
        "ScannedCount": 1,
    }


@recorded(DYNAMODB + "[Query] (snapshot result-invalid: an empty result is 200)")
def test_dynamodb_query_matching_nothing_is_an_empty_result(integrations):
    response = call(integrations, "GET", "/items/never-put")
    assert (response.status_code, response.json()) == (
        200,
        {"Count": 0, "Items": [], "ScannedCount": 0},
    )


@recorded(
    "API Gateway developer guide, 'Variables for data transformations' ($util.escapeJavaScript "
    "keeps a value with quotes valid inside a JSON string); " + DYNAMODB + "[PutItem]"
)
def test_dynamodb_put_item_of_a_value_with_quotes_and_backslashes(integrations):
    name = 'say "hi" \\ bye'
    call(integrations, "PUT", "/items/quoted-1", json={"name": name})
    response = call(integrations, "GET", "/items/quoted-1")
    assert response.json()["Items"] == [{"id": {"S": "quoted-1"}, "name": {"S": name}}]


@recorded(
    "API Gateway developer guide, 'Override your API's request and response parameters and "
    "status codes' (Example 1: override the status from the integration response body); "
    + LOCALSTACK
    + "test_apigateway_common.py::TestApiGatewayCommon::test_input_path_template_formatting "
    "(a path matching nothing equals '')"
)
@pytest.mark.parametrize(
    ("put", "status", "body"),
    [(True, 200, {"found": True, "name": "got"}), (False, 404, {"found": False})],
    ids=["found", "missing"],
)
def test_dynamodb_get_item_missing_item_becomes_404_by_override(integrations, put, status, body):
    item = f"get-{uuid.uuid4().hex[:8]}"
    if put:
        call(integrations, "PUT", f"/items/{item}", json={"name": "got"})
    response = call(integrations, "GET", f"/items-named/{item}")
    assert (response.status_code, response.json()) == (status, body)


@recorded(
    "API Gateway developer guide, 'Integration responses for REST APIs in API Gateway' (an "
    "AWS service error's HTTP status selects the response by selectionPattern)"
)
def test_dynamodb_error_status_selects_the_4xx_response(integrations):
    response = call(integrations, "GET", "/items-bad")
    assert response.status_code == 400
    assert "ResourceNotFoundException" in response.json()["error"]


# -- SQS -------------------------------------------------------------------------------------


@recorded(
    SQS + "test_sqs_request_and_response_xml_templates_integration (snapshot sqs-json-response: "
    "without an Accept mapping the SendMessage reply is JSON the template walks)"
)
def test_sqs_reply_is_json_by_default_and_the_template_walks_it(integrations, jobs):
    response = call(integrations, "POST", "/jobs", data="<xml>Hello World</xml>")
    assert response.status_code == 200
    sent = response.json()
    assert sent["messageId"]
    assert sent["requestId"]
    assert [m["Body"] for m in jobs()] == ["<xml>Hello World</xml>"]


@recorded(
    SQS + "test_sqs_aws_integration_with_message_attribute[MessageAttribute] (snapshots "
    "sqs-message-body, sqs-message-attributes)"
)
def test_sqs_message_body_and_attribute_from_a_header(integrations, jobs):
    call(integrations, "POST", "/jobs", json={"foo": "bar"}, headers={"X-Caller": "BAR-Header"})
    (message,) = jobs()
    assert json.loads(message["Body"]) == {"foo": "bar"}
    assert message["MessageAttributes"] == {
        "caller": {"DataType": "String", "StringValue": "BAR-Header"}
    }


@recorded(
    SQS + "test_sqs_aws_integration (snapshot sqs-messages: the request without payload "
    "queues the body {}, MD5 99914b932bd37a50b983c5e7c90ae93b)"
)
def test_sqs_with_an_empty_body_queues_an_empty_json_object(integrations, jobs):
    response = call(integrations, "POST", "/jobs", headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    (message,) = jobs()
    assert (message["Body"], message["MD5OfBody"]) == ("{}", "99914b932bd37a50b983c5e7c90ae93b")


@recorded(
    SQS + "test_sqs_request_and_response_xml_templates_integration (Accept: application/xml "
    "mapped: the reply is SQS's XML with MessageId, MD5OfMessageBody and RequestId)"
)
def test_sqs_reply_is_xml_when_the_integration_asks_for_xml(integrations, jobs):
    response = call(integrations, "POST", "/jobs-xml", json={"a": 1})
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - the local moto's reply
    names = {element.tag.rpartition("}")[2] for element in root.iter()}
    assert {"MessageId", "MD5OfMessageBody", "RequestId"} <= names
    assert [json.loads(m["Body"]) for m in jobs()] == [{"a": 1}]


# -- S3 --------------------------------------------------------------------------------------


def _s3_error_code(response: requests.Response) -> str | None:
    root = ElementTree.fromstring(response.content)  # noqa: S314 - the local moto's reply
    return root.findtext("Code")


@recorded(
    S3_ANY + " (snapshot get-object-empty: only a default 200 response, so S3's NoSuchKey "
    "error comes back as 200 with its XML)"
)
def test_s3_missing_object_through_the_default_response_is_200_with_the_error(integrations):
    response = call(integrations, "GET", "/files/never-written.json")
    assert response.status_code == 200
    assert _s3_error_code(response) == "NoSuchKey"


@recorded(
    S3_ANY + " (snapshots get-object-1, get-object-2: integration httpMethod ANY passes "
    "the method through, PUT then GET; bucket named by a stage variable in the URI)"
)
def test_s3_any_method_puts_then_gets_the_object(integrations):
    key = f"obj-{uuid.uuid4().hex[:8]}.json"
    put = call(integrations, "PUT", f"/files/{key}", json={"put_id": 1})
    got = call(integrations, "GET", f"/files/{key}")
    assert (put.status_code, got.status_code, got.json()) == (200, 200, {"put_id": 1})
    assert got.headers["ETag"].strip('"')


@recorded(
    S3_ANY + " (integration.request.header.Content-Type from method.request.header.Content-Type:"
    " the object is stored with the caller's Content-Type)"
)
def test_s3_put_keeps_the_mapped_content_type(integrations):
    key = f"typed-{uuid.uuid4().hex[:8]}.txt"
    call(
        integrations, "PUT", f"/files/{key}", data=b"plain", headers={"Content-Type": "text/plain"}
    )
    s3 = boto3.client(
        "s3",
        endpoint_url=integrations.session.aws_endpoint_url,
        region_name=integrations.session.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    head = s3.head_object(Bucket=integrations.session.resources["FilesBucket"], Key=key)
    assert head["ContentType"] == "text/plain"


@recorded(S3_ANY + " (snapshot get-object-deleted: DELETE through ANY removes the object)")
def test_s3_any_method_deletes_the_object(integrations):
    key = f"gone-{uuid.uuid4().hex[:8]}.json"
    call(integrations, "PUT", f"/files/{key}", json={"put_id": 2})
    call(integrations, "DELETE", f"/files/{key}")
    assert _s3_error_code(call(integrations, "GET", f"/files/{key}")) == "NoSuchKey"


@recorded(
    "API Gateway developer guide, 'Integration responses for REST APIs in API Gateway' "
    "(selectionPattern 404 picks the response for S3's 404)"
)
def test_s3_missing_object_selected_by_its_404(integrations):
    response = call(integrations, "GET", "/files-checked/absent.txt")
    assert (response.status_code, response.json()) == (404, {"missing": "absent.txt"})


# -- HTTP: selection by the backend's status, stage variables in the URI -----------------------

HTTP_SELECTION = (
    "localstack tests/aws/services/apigateway/test_apigateway_integrations.py::"
    "test_http_integration_status_code_selection"
)


@recorded(HTTP_SELECTION + " (a backend 404 selects the 4\\d{2} response: 400)")
def test_http_backend_4xx_selects_the_400_response(integrations):
    assert call(integrations, "GET", "/status/404").status_code == 400


@recorded(HTTP_SELECTION + " (a backend 201 falls to the default response: 200)")
def test_http_backend_201_falls_to_the_default_response(integrations):
    response = call(integrations, "GET", "/status/201")
    assert (response.status_code, response.json()) == (200, {"status": 201})


@recorded(HTTP_SELECTION + " (a status no pattern matches falls to the default response)")
def test_http_backend_5xx_without_a_pattern_falls_to_the_default_response(integrations):
    response = call(integrations, "GET", "/status/500")
    assert (response.status_code, response.json()) == (200, {"status": 500})


@recorded(
    "API Gateway developer guide, 'Set up stage variables for REST APIs in API Gateway' "
    "(an HTTP integration URL of http://${stageVariables.url}/...)"
)
def test_http_integration_url_takes_its_host_from_a_stage_variable(integrations):
    # Every HTTP route of the fixture reaches the echo backend via ${stageVariables.echoAuthority}
    response = call(
        integrations,
        "POST",
        "/render/body",
        data=b'{"via": "stage variable"}',
        headers={"Content-Type": "application/json"},
    )
    assert (response.status_code, response.json()) == (200, {"via": "stage variable"})


@recorded(
    "localstack tests/aws/services/apigateway/test_apigateway_basic.py::TestAPIGateway::"
    "test_apigw_stage_variables[dev] (function:${stageVariables.lambdaFunction} in the "
    "integration URI invokes the function the stage names)"
)
def test_lambda_integration_uri_names_its_function_by_a_stage_variable(integrations):
    response = call(integrations, "GET", "/by-stage")
    assert response.status_code == 200
    body = response.json()
    assert body["resource"] == "/by-stage"
    assert (
        body["stageVariables"]["echoFunction"]
        == integrations.session.resources["StageEchoFunction"]
    )
