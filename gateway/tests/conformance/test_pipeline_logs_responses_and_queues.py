"""Conformance through the running gateway: access logs, gateway-response fallbacks, template
errors at load, and the SQS event source mapping.

AWS docs: apigateway set-up-logging.html, supported-gateway-response-types.html,
api-gateway-gatewayResponse-definition.html; lambda with-sqs.html,
services-sqs-errorhandling.html.
"""

import json
import logging
import uuid
from typing import Any

import pytest
import requests

from local_gateway.errors import TemplateError
from local_gateway.local_aws import client
from local_gateway.testing import start_gateway


@pytest.fixture
def access_lines(caplog):
    """The access-log lines the gateway wrote, parsed (the fixture's format is JSON)."""
    caplog.set_level(logging.INFO, logger="local_gateway.access")

    def lines(request_id: str) -> list[dict[str, str]]:
        records = [r for r in caplog.records if r.name == "local_gateway.access"]
        return [json.loads(r.getMessage()) for r in records if request_id in r.getMessage()]

    return lines


def test_each_request_writes_one_access_log_line_in_the_stages_format(pipeline, access_lines):
    """One line per request, in the stage's AccessLogSetting.Format with $context substituted.

    AWS doc: apigateway/latest/developerguide/set-up-logging.html;
    api-gateway-variables-for-access-logging.html
    """
    # When an allowed caller calls a TOKEN-guarded route
    response = requests.get(
        pipeline.api_url + "/token/9", headers={"Authorization": "Bearer allow-heidi"}, timeout=10
    )

    # Then exactly one line names that request, with the values of its $context
    assert access_lines(response.headers["x-amzn-RequestId"]) == [
        {
            "requestId": response.headers["x-amzn-RequestId"],
            "method": "GET",
            "resourcePath": "/token/{item}",
            "status": "200",
            "errorType": "-",
            "apiKeyId": "-",
            "principalId": "heidi",
        }
    ]


def test_a_rejected_request_logs_its_error_type_once(pipeline, access_lines):
    """A request the gateway turns away is logged once, with $context.error.responseType.

    AWS doc: apigateway/latest/developerguide/api-gateway-variables-for-access-logging.html
    """
    # When a keyed route is called without a key
    response = requests.get(pipeline.api_url + "/keyed", timeout=10)

    # Then one line, with the status and the error type
    [line] = access_lines(response.headers["x-amzn-RequestId"])
    assert (line["status"], line["errorType"]) == ("403", "INVALID_API_KEY")


def test_an_undeclared_4xx_type_falls_back_to_default_4xx(pipeline):
    """A type the template does not declare uses DEFAULT_4XX, keeping the type's own status.

    AWS doc: apigateway/latest/developerguide/supported-gateway-response-types.html
    (DEFAULT_4XX); api-gateway-gatewayResponse-definition.html
    """
    # When an unknown route is called (MISSING_AUTHENTICATION_TOKEN is not declared)
    response = requests.get(pipeline.api_url + "/nowhere", timeout=10)

    # Then DEFAULT_4XX shapes API Gateway's 403
    assert response.status_code == 403
    assert response.json() == {
        "shape": "default-4xx",
        "message": "Missing Authentication Token",
        "type": "MISSING_AUTHENTICATION_TOKEN",
    }


def test_a_declared_type_wins_over_default_4xx(pipeline):
    """A declared type (UNAUTHORIZED) uses its own response, status, template and headers.

    AWS doc: apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
    """
    response = requests.get(pipeline.api_url + "/token/1", timeout=10)

    assert response.status_code == 401
    assert response.json()["shape"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_an_undeclared_5xx_type_falls_back_to_default_5xx(pipeline):
    """A 5XX type the template does not declare (INTEGRATION_FAILURE) uses DEFAULT_5XX.

    AWS doc: apigateway/latest/developerguide/supported-gateway-response-types.html
    (DEFAULT_5XX; INTEGRATION_FAILURE); handle-errors-in-lambda-integration.html (502)
    """
    # When the function raises
    response = requests.get(pipeline.api_url + "/behave/raise", timeout=10)

    # Then API Gateway's 502 is shaped by DEFAULT_5XX
    assert response.status_code == 502
    assert response.json() == {
        "shape": "default-5xx",
        "message": "Internal server error",
        "type": "INTEGRATION_FAILURE",
    }


BROKEN_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  BrokenApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: test
      DefinitionBody:
        openapi: "3.0.1"
        info: {title: broken, version: "1"}
        paths:
          /broken:
            get:
              x-amazon-apigateway-integration:
                type: mock
                requestTemplates:
                  application/json: "{\\n  #if($input.params('x')\\n}"
                responses:
                  default: {statusCode: "200"}
"""


def test_a_mapping_template_that_does_not_parse_fails_at_load_naming_where(tmp_path):
    """A VTL template that does not parse stops the gateway at start, naming the place and line.

    AWS doc: apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
    """
    # Given a template whose MOCK request template has an unclosed #if on line 2
    template = tmp_path / "template.yaml"
    template.write_text(BROKEN_TEMPLATE)

    # When the gateway starts
    with pytest.raises(TemplateError) as caught, start_gateway(template):
        pass

    # Then the error names the API, path, method, template and line
    assert caught.value.where == (
        "Resources.BrokenApi.Properties.Body.paths./broken.get"
        ".x-amazon-apigateway-integration.requestTemplates.application/json"
    )
    assert caught.value.problem.startswith("line 2:")


def test_a_queued_message_reaches_the_consumer_function(pipeline):
    """The template's SQS event source mapping delivers a queued message to its function.

    AWS doc: lambda/latest/dg/with-sqs.html
    """
    # Given the fixture's jobs queue, polled by the gateway for the consumer function
    sqs = client("sqs", pipeline.session.aws_endpoint_url, pipeline.session.region)
    body = f"job-{uuid.uuid4()}"

    # When a message is sent to it
    sqs.send_message(QueueUrl=pipeline.session.resources["JobsQueue"], MessageBody=body)

    # Then the function forwarded it to the results queue (long poll: no sleep)
    assert body in received_bodies(sqs, pipeline.session.resources["ResultsQueue"], body)


def test_a_failing_item_returns_and_lands_in_the_dlq_after_max_receive_count(pipeline):
    """A batch item reported failed goes back to the queue, then to the DLQ after 2 receives.

    AWS doc: lambda/latest/dg/services-sqs-errorhandling.html (ReportBatchItemFailures);
    SQS developer guide sqs-dead-letter-queues.html (maxReceiveCount)
    """
    # Given the consumer reports bodies starting with "fail" as failed items
    sqs = client("sqs", pipeline.session.aws_endpoint_url, pipeline.session.region)
    body = f"fail-{uuid.uuid4()}"

    # When such a message is queued
    sqs.send_message(QueueUrl=pipeline.session.resources["JobsQueue"], MessageBody=body)

    # Then, after its two receives, it sits in the dead-letter queue with its receive count
    dead = received_messages(sqs, pipeline.session.resources["JobsDeadLetterQueue"], body)
    assert [m["Body"] for m in dead] == [body]
    assert int(dead[0]["Attributes"]["ApproximateReceiveCount"]) >= 2


def received_messages(
    sqs, queue_url: str, wanted: str, patience_seconds: int = 20
) -> list[dict[str, Any]]:
    """Messages with body `wanted` in `queue_url`, long-polling until it comes or patience ends."""
    found: list[dict[str, Any]] = []
    for _ in range(patience_seconds):
        messages = sqs.receive_message(
            QueueUrl=queue_url,
            WaitTimeSeconds=1,
            MaxNumberOfMessages=10,
            AttributeNames=["All"],
        ).get("Messages", [])
        found += [m for m in messages if m["Body"] == wanted]
        if found:
            return found
    return found


def received_bodies(sqs, queue_url: str, wanted: str) -> list[str]:
    return [m["Body"] for m in received_messages(sqs, queue_url, wanted)]
