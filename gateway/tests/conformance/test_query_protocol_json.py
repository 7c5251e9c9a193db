"""Conformance: a query-protocol service asked for JSON answers in JSON, as AWS does.

API Gateway's SQS integrations send `Accept: application/json` so that SQS's query API answers
`{"SendMessageResponse": {"SendMessageResult": {"MessageId": ...}, "ResponseMetadata": ...}}`
and the response template can read it with `$input.path`. moto answers the query protocol in
XML whatever the Accept header says, so the gateway turns that XML into the JSON shape.
AWS doc: repost.aws/knowledge-center/api-gateway-rest-api-sqs-errors (AWS query protocol);
SQS developer guide, "Making query API requests" (JSON responses).
"""

import json
from typing import Any

from local_gateway.integrations.exchange import MethodRequest
from local_gateway.integrations.query_json import query_reply_as_json

from .integration_exchange import run_integration

REGION, ACCOUNT = "us-east-1", "123456789012"  # as conftest's moto environment
TIMEOUT = 29.0
MESSAGE_ID_TEMPLATE = (
    '{"messageId": "$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}'
)


def a_post(body: bytes) -> MethodRequest:
    return MethodRequest(
        http_method="POST",
        headers={"Content-Type": "application/json"},
        query={},
        path_params={},
        body=body,
        stage_variables={},
        context={"requestId": "req-1", "stage": "dev"},
    )


def send_message_integration(queue_name: str, *, accept: str | None) -> dict[str, Any]:
    parameters = {"integration.request.header.Content-Type": "'application/x-www-form-urlencoded'"}
    if accept is not None:
        parameters["integration.request.header.Accept"] = f"'{accept}'"
    return {
        "type": "aws",
        "httpMethod": "POST",
        "uri": f"arn:aws:apigateway:{REGION}:sqs:path/{ACCOUNT}/{queue_name}",
        "requestParameters": parameters,
        "requestTemplates": {
            "application/json": "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
        },
        "responses": {
            "default": {
                "statusCode": "202",
                "responseTemplates": {"application/json": MESSAGE_ID_TEMPLATE},
            }
        },
    }


def test_sqs_send_message_asked_for_json_answers_the_message_id_in_json(aws, aws_client):
    # Given a queue and a SendMessage integration that asks SQS for JSON
    sqs = aws_client("sqs")
    queue_url = sqs.create_queue(QueueName="json-replies")["QueueUrl"]
    integration = send_message_integration("json-replies", accept="application/json")

    # When a reading is posted
    result = run_integration(
        integration, a_post(b'{"deviceId": "d1"}'), aws, timeout_seconds=TIMEOUT
    )

    # Then the response template read the MessageId of the queued message from the JSON reply
    received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=1)["Messages"]
    assert result.status == 202
    assert json.loads(result.body) == {"messageId": received[0]["MessageId"]}


def test_sqs_reply_asked_for_in_xml_stays_xml(aws, aws_client):
    # Given a SendMessage integration that maps Accept: application/xml, passing the reply
    # through (without an Accept mapping API Gateway asks for JSON: gateway/tests/corpus)
    aws_client("sqs").create_queue(QueueName="xml-replies")
    integration = send_message_integration("xml-replies", accept="application/xml")
    integration["responses"] = {"default": {"statusCode": "200"}}

    # When a message is sent
    result = run_integration(integration, a_post(b"hello"), aws, timeout_seconds=TIMEOUT)

    # Then the reply is SQS's XML, untouched
    assert result.status == 200
    assert result.body.lstrip().startswith(b"<SendMessageResponse")


def test_xml_reply_becomes_nested_objects_with_text_leaves_and_no_namespaces():
    # Given an XML query-API reply with a namespace and a repeated element
    xml = (
        b'<ListQueuesResponse xmlns="http://queue.amazonaws.com/doc/2012-11-05/">'
        b"<ListQueuesResult><QueueUrl>http://q/1</QueueUrl><QueueUrl>http://q/2</QueueUrl>"
        b"</ListQueuesResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
        b"</ListQueuesResponse>"
    )

    # When it is translated
    translated = json.loads(query_reply_as_json(xml))

    # Then elements are keys, leaves are strings, repeated elements are lists
    assert translated == {
        "ListQueuesResponse": {
            "ListQueuesResult": {"QueueUrl": ["http://q/1", "http://q/2"]},
            "ResponseMetadata": {"RequestId": "r-1"},
        }
    }


def test_xml_error_reply_becomes_the_json_error_shape():
    # Given the query API's XML error document
    xml = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>"
        b"<Message>Bad</Message></Error><RequestId>r-2</RequestId></ErrorResponse>"
    )

    # When it is translated
    translated = json.loads(query_reply_as_json(xml))

    # Then it reads as AWS's JSON error: the ErrorResponse wrapper is not kept
    assert translated == {
        "Error": {"Type": "Sender", "Code": "InvalidParameterValue", "Message": "Bad"},
        "RequestId": "r-2",
    }
