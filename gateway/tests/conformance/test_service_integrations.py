"""Conformance: AWS service, MOCK, HTTP and HTTP_PROXY integrations run as in API Gateway.

The AWS integrations call a real moto server on a loopback port. AWS docs (developerguide):
api-gateway-api-integration-types.html, integration-passthrough-behaviors.html,
request-response-data-mappings.html, api-gateway-integration-settings-integration-response.html,
api-gateway-payload-encodings-workflow.html, apigateway-override-request-response-parameters.html.
"""

import http.server
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from local_gateway.integrations.exchange import MethodRequest
from local_gateway.rejections import Rejection

from .integration_exchange import run_integration

REGION, ACCOUNT = "us-east-1", "123456789012"  # as conftest's moto environment
TIMEOUT = 29.0


@pytest.fixture(scope="module")
def products_table(aws_client) -> str:
    dynamodb = aws_client("dynamodb")
    dynamodb.create_table(
        TableName="Products",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "category", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byCategory",
                "KeySchema": [{"AttributeName": "category", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for item_id, name, category in [("p1", 'Tea "green"', "drinks"), ("p2", "Pen", "office")]:
        dynamodb.put_item(
            TableName="Products",
            Item={"id": {"S": item_id}, "name": {"S": name}, "category": {"S": category}},
        )
    return "Products"


def a_request(
    body: bytes = b"",
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    path_params: dict[str, str] | None = None,
    context: dict[str, Any] | None = None,
    binary_media_types: list[str] | None = None,
) -> MethodRequest:
    return MethodRequest(
        http_method=method,
        headers=headers or {},
        query=query or {},
        path_params=path_params or {},
        body=body,
        stage_variables={"table": "Products"},
        context=context or {"requestId": "req-1", "stage": "dev"},
        binary_media_types=binary_media_types or [],
    )


QUERY_TEMPLATE = """{
  "TableName": "$stageVariables.table",
  "IndexName": "byCategory",
  "KeyConditionExpression": "category = :c",
  "ExpressionAttributeValues": {":c": {"S": "$util.escapeJavaScript($input.params('category'))"}}
}"""
ITEMS_TEMPLATE = """#set($items = $input.path('$.Items'))
{"items": [#foreach($item in $items)
{"id": "$item.id.S", "name": "$util.escapeJavaScript($item.name.S)"}#if($foreach.hasNext),#end
#end]}"""
ERROR_TEMPLATE = """{"error": {"code": "BAD_REQUEST",
 "message": "$util.escapeJavaScript($input.path('$.message'))"}}"""
GET_ITEM_TEMPLATE = """{"TableName": "Products",
 "Key": {"id": {"S": "$util.escapeJavaScript($input.params('id'))"}}}"""


def dynamodb_query() -> dict[str, Any]:
    return {
        "type": "aws",
        "httpMethod": "POST",
        "uri": f"arn:aws:apigateway:{REGION}:dynamodb:action/Query",
        "requestTemplates": {"application/json": QUERY_TEMPLATE},
        "passthroughBehavior": "NEVER",
        "responses": {
            "default": {
                "statusCode": "200",
                "responseTemplates": {"application/json": ITEMS_TEMPLATE},
            },
            "4\\d{2}": {
                "statusCode": "400",
                "responseTemplates": {"application/json": ERROR_TEMPLATE},
            },
        },
    }


def test_dynamodb_query_action_runs_the_rendered_request_and_response_templates(
    aws, products_table
):
    """`action/Query`: the request template is the DynamoDB JSON request, signed, sent to moto.

    AWS doc: api-gateway-api-integration-types.html (AWS integration);
    request-response-data-mappings.html
    """
    # Given a Query integration on the category index
    # When products of one category are requested
    result = run_integration(
        dynamodb_query(), a_request(query={"category": "drinks"}), aws, timeout_seconds=TIMEOUT
    )

    # Then the response template reshaped DynamoDB's answer
    assert (result.status, json.loads(result.body)) == (
        200,
        {"items": [{"id": "p1", "name": 'Tea "green"'}]},
    )
    assert result.headers["Content-Type"] == "application/json"


def test_backend_error_status_selects_the_integration_response_by_selection_pattern(
    aws, products_table
):
    """The backend's 400 matches selectionPattern `4\\d{2}` and its template is used.

    AWS doc: api-gateway-integration-settings-integration-response.html
    """
    # Given a Query integration whose table does not exist
    request = a_request(query={"category": "drinks"})
    integration = dynamodb_query()
    integration["requestTemplates"]["application/json"] = QUERY_TEMPLATE.replace(
        "$stageVariables.table", "NoSuchTable"
    )

    # When it runs
    result = run_integration(integration, request, aws, timeout_seconds=TIMEOUT)

    # Then the 4xx integration response answered with moto's message
    document = json.loads(result.body)
    assert (result.status, document["error"]["code"]) == (400, "BAD_REQUEST")
    assert "not found" in document["error"]["message"].lower()


def test_dynamodb_get_item_with_a_path_parameter_and_response_override(aws, products_table):
    """GetItem with the id from the path; a missing item is turned into 404 by responseOverride.

    AWS doc: apigateway-override-request-response-parameters.html
    """
    # Given a GetItem integration whose response template answers 404 when there is no Item
    integration = {
        "type": "aws",
        "httpMethod": "POST",
        "uri": f"arn:aws:apigateway:{REGION}:dynamodb:action/GetItem",
        "requestTemplates": {"application/json": GET_ITEM_TEMPLATE},
        "responses": {
            "default": {
                "statusCode": "200",
                "responseTemplates": {
                    "application/json": "#set($item = $input.path('$.Item'))"
                    '#if("$!item" == "")#set($context.responseOverride.status = 404)'
                    '{"error": "not found"}#else{"id": "$item.id.S"}#end'
                },
            }
        },
    }

    # When an existing and a missing id are requested
    found = run_integration(
        integration, a_request(path_params={"id": "p2"}), aws, timeout_seconds=TIMEOUT
    )
    missing = run_integration(
        integration, a_request(path_params={"id": "nope"}), aws, timeout_seconds=TIMEOUT
    )

    # Then the found item is 200 and the missing one 404
    assert (found.status, json.loads(found.body)) == (200, {"id": "p2"})
    assert (missing.status, json.loads(missing.body)) == (404, {"error": "not found"})


def s3_object(method: str) -> dict[str, Any]:
    """S3 path form: the key is built from the caller's claims, never from the caller alone."""
    return {
        "type": "aws",
        "httpMethod": method,
        "uri": f"arn:aws:apigateway:{REGION}:s3:path/files-bucket/users/{{owner}}/{{name}}",
        "requestParameters": {
            "integration.request.path.owner": "context.authorizer.claims.sub",
            "integration.request.path.name": "method.request.path.name",
            "integration.request.header.Content-Type": "method.request.header.Content-Type",
        },
        "passthroughBehavior": "WHEN_NO_TEMPLATES",
        "responses": {
            "default": {
                "statusCode": "200",
                "responseParameters": {
                    "method.response.header.Content-Type": (
                        "integration.response.header.Content-Type"
                    ),
                    "method.response.header.X-Object-Key": "'stored'",
                },
            }
        },
    }


def test_s3_put_and_get_object_round_trip_binary_bytes(aws, aws_client):
    """S3 path form with `{x}` from request parameters: binary bodies of a binary media type,
    read with a binary Accept, pass through untouched (the corpus has every conversion row).

    AWS doc: api-gateway-payload-encodings-workflow.html; api-gateway-api-integration-types.html
    """
    # Given a bucket, an API treating octet-stream as binary, and every byte value as a file
    aws_client("s3").create_bucket(Bucket="files-bucket")
    payload = bytes(range(256)) * 4
    claims = {"requestId": "r", "authorizer": {"claims": {"sub": "user-7"}}}

    # When it is PUT then GET through the integrations
    put = run_integration(
        s3_object("PUT"),
        a_request(
            payload,
            method="PUT",
            headers={"Content-Type": "application/octet-stream"},
            path_params={"name": "blob.bin"},
            context=claims,
            binary_media_types=["application~1octet-stream"],
        ),
        aws,
        timeout_seconds=TIMEOUT,
    )
    got = run_integration(
        s3_object("GET"),
        a_request(
            headers={"Accept": "application/octet-stream"},
            path_params={"name": "blob.bin"},
            context=claims,
            binary_media_types=["application~1octet-stream"],
        ),
        aws,
        timeout_seconds=TIMEOUT,
    )

    # Then the object lives under the caller's prefix and comes back byte for byte
    stored = aws_client("s3").get_object(Bucket="files-bucket", Key="users/user-7/blob.bin")
    assert (put.status, got.status) == (200, 200)
    assert stored["Body"].read() == payload
    assert got.body == payload
    assert got.headers["Content-Type"] == "application/octet-stream"
    assert got.headers["X-Object-Key"] == "stored"


def test_sqs_send_message_path_form_delivers_the_body(aws, aws_client):
    """SQS `path/{account}/{queue}` with an `Action=SendMessage` form template.

    AWS doc: api-gateway-api-integration-types.html (AWS integration to SQS)
    """
    # Given a queue and a SendMessage integration
    sqs = aws_client("sqs")
    queue_url = sqs.create_queue(QueueName="telemetry")["QueueUrl"]
    integration = {
        "type": "aws",
        "httpMethod": "POST",
        "uri": f"arn:aws:apigateway:{REGION}:sqs:path/{ACCOUNT}/telemetry",
        "requestParameters": {
            "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"
        },
        "requestTemplates": {
            "application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
        },
        "responses": {"default": {"statusCode": "202"}},
    }
    body = json.dumps({"deviceId": "d1", "note": "a&b=c ✓"}).encode()

    # When a reading is posted
    result = run_integration(
        integration, a_request(body, method="POST"), aws, timeout_seconds=TIMEOUT
    )

    # Then the queue holds the body as sent
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1)["Messages"]
    assert result.status == 202
    assert received[0]["Body"] == body.decode()


def test_passthrough_never_with_no_matching_template_is_415(aws):
    """passthroughBehavior NEVER rejects an unmapped content type: 415 Unsupported Media Type.

    AWS doc: integration-passthrough-behaviors.html
    """
    # Given the Query integration (templates for application/json only)
    # When text/plain is sent
    with pytest.raises(Rejection) as caught:
        run_integration(
            dynamodb_query(),
            a_request(headers={"Content-Type": "text/plain"}),
            aws,
            timeout_seconds=TIMEOUT,
        )

    # Then it is 415 with API Gateway's message
    assert (caught.value.status, caught.value.message) == (415, "Unsupported Media Type")


def test_passthrough_when_no_templates_rejects_unmapped_type_once_templates_exist(aws):
    """WHEN_NO_TEMPLATES passes through only when no template is defined at all.

    AWS doc: integration-passthrough-behaviors.html
    """
    # Given an integration with a JSON template and WHEN_NO_TEMPLATES
    integration = {**dynamodb_query(), "passthroughBehavior": "WHEN_NO_TEMPLATES"}

    # When XML is sent
    with pytest.raises(Rejection) as caught:
        run_integration(
            integration,
            a_request(headers={"Content-Type": "application/xml"}),
            aws,
            timeout_seconds=TIMEOUT,
        )

    # Then it is 415
    assert caught.value.status == 415


def mock(status_template: str, responses: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "mock",
        "requestTemplates": {"application/json": status_template},
        "responses": responses,
    }


def test_mock_status_from_request_template_selects_the_response(aws):
    """MOCK: the request template's statusCode is matched against the selection patterns.

    AWS doc: how-to-mock-integration.html
    """
    # Given a mock answering 404 when the id is "missing"
    integration = mock(
        '{"statusCode": #if($input.params(\'id\') == "missing")404#{else}200#end}',
        {
            "default": {
                "statusCode": "200",
                "responseTemplates": {"application/json": '{"status": "ok"}'},
            },
            "404": {
                "statusCode": "404",
                "responseTemplates": {"application/json": '{"error": "$input.params(\'id\')"}'},
            },
        },
    )

    # When both cases are requested
    found = run_integration(
        integration, a_request(path_params={"id": "x"}), aws, timeout_seconds=TIMEOUT
    )
    missing = run_integration(
        integration, a_request(path_params={"id": "missing"}), aws, timeout_seconds=TIMEOUT
    )

    # Then each got its integration response
    assert (found.status, json.loads(found.body)) == (200, {"status": "ok"})
    assert (missing.status, json.loads(missing.body)) == (404, {"error": "missing"})


def test_no_matching_integration_response_and_no_default_is_500(aws):
    """Without a matching integration response or a default, API Gateway answers 500.

    AWS doc: supported-gateway-response-types.html (API_CONFIGURATION_ERROR)
    """
    # Given a mock answering 418 with only a 200 response declared
    integration = mock('{"statusCode": 418}', {"200": {"statusCode": "200"}})

    # When it runs
    with pytest.raises(Rejection) as caught:
        run_integration(integration, a_request(), aws, timeout_seconds=TIMEOUT)

    # Then it is a configuration error
    assert (caught.value.response_type, caught.value.status) == ("API_CONFIGURATION_ERROR", 500)


def test_response_template_is_chosen_by_accept(aws):
    """The response template is selected by the request's Accept header.

    AWS doc: request-response-data-mappings.html
    """
    # Given JSON and XML response templates
    integration = mock(
        '{"statusCode": 200}',
        {
            "default": {
                "statusCode": "200",
                "responseTemplates": {
                    "application/json": '{"a": 1}',
                    "application/xml": "<a>1</a>",
                },
            }
        },
    )

    # When XML is accepted
    result = run_integration(
        integration, a_request(headers={"Accept": "application/xml"}), aws, timeout_seconds=TIMEOUT
    )

    # Then the XML template answered, with its content type
    assert (result.body, result.headers["Content-Type"]) == (b"<a>1</a>", "application/xml")


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        echoed = {
            "method": self.command,
            "path": self.path,
            "body": self.rfile.read(length).decode(),
            "x-tenant": self.headers.get("X-Tenant"),
        }
        body = json.dumps(echoed).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Backend", "echo")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer  # noqa: N815 - http.server's handler names
    do_POST = _answer  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def echo_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_http_proxy_forwards_the_request_and_returns_the_response_as_is(aws, echo_url):
    """HTTP_PROXY passes method, path, query, headers and body through, and the answer back.

    AWS doc: api-gateway-api-integration-types.html (HTTP_PROXY)
    """
    # Given an HTTP_PROXY integration on a greedy path
    integration = {
        "type": "http_proxy",
        "httpMethod": "ANY",
        "uri": f"{echo_url}/backend/{{proxy}}",
        "requestParameters": {"integration.request.path.proxy": "method.request.path.proxy"},
    }

    # When a POST goes through it
    result = run_integration(
        integration,
        a_request(
            b'{"x": 1}',
            method="POST",
            headers={"X-Tenant": "t1", "Content-Type": "application/json"},
            query={"q": "a b"},
            path_params={"proxy": "items/7"},
        ),
        aws,
        timeout_seconds=TIMEOUT,
    )

    # Then the backend saw the request and its answer came back unchanged
    assert (result.status, result.headers["X-Backend"]) == (201, "echo")
    assert json.loads(result.body) == {
        "method": "POST",
        "path": "/backend/items/7?q=a+b",
        "body": '{"x": 1}',
        "x-tenant": "t1",
    }


def test_http_integration_maps_headers_and_renders_templates(aws, echo_url):
    """HTTP (non-proxy): integration request parameters and templates apply both ways.

    AWS doc: api-gateway-api-integration-types.html (HTTP); request-response-data-mappings.html
    """
    # Given an HTTP integration mapping a header and reshaping both bodies
    integration = {
        "type": "http",
        "httpMethod": "POST",
        "uri": f"{echo_url}/orders",
        "requestParameters": {
            "integration.request.header.X-Tenant": "method.request.querystring.tenant"
        },
        "requestTemplates": {"application/json": "{\"wrapped\": $input.json('$')}"},
        "responses": {
            "2\\d{2}": {
                "statusCode": "200",
                "responseParameters": {
                    "method.response.header.X-Seen-Tenant": "integration.response.body.x-tenant"
                },
                "responseTemplates": {
                    "application/json": "{\"backendSaw\": $input.json('$.body')}"
                },
            }
        },
    }

    # When a request is sent
    result = run_integration(
        integration,
        a_request(b'{"n": 1}', method="POST", query={"tenant": "t9"}),
        aws,
        timeout_seconds=TIMEOUT,
    )

    # Then the backend saw the wrapped body and the mapped header, and the answer was reshaped
    assert result.status == 200
    assert json.loads(json.loads(result.body)["backendSaw"]) == {"wrapped": {"n": 1}}
    assert result.headers["X-Seen-Tenant"] == "t9"
