"""POST /v1/telemetry: VTL -> SQS SendMessage form (moto) -> VTL, with hostile values."""

import json
import urllib.parse

import boto3
import pytest

from tests.support.vtl import HOSTILE, integration, render_template, request

pytestmark = pytest.mark.domain("telemetry")

FORM_HOSTILE = [*HOSTILE, "a&Action=DeleteQueue&QueueUrl=x", "100% = + ; ?"]


def form_fields(text):
    """The form as SQS decodes it; every field must appear once."""
    pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    names = [name for name, _ in pairs]
    assert len(names) == len(set(names)), f"a field appears twice: {names}"
    return dict(pairs)


@pytest.mark.parametrize("hostile", FORM_HOSTILE)
def test_send_message_form_holds_exactly_the_body_and_the_callers_subject(api_body, hostile):
    # Given a reading whose device id is hostile, from a caller whose subject is hostile
    body = json.dumps(
        {"deviceId": hostile, "timestamp": "2024-06-10T07:00:00Z", "metrics": {"t": 1.5}},
        ensure_ascii=False,
    )
    spec = integration(api_body, "/v1/telemetry", "post")

    # When the request template renders and SQS decodes the form
    rendered = render_template(
        spec["requestTemplates"]["application/json"],
        request(body=body.encode(), context={"authorizer": {"principalId": hostile}}),
    )
    fields = form_fields(rendered.body)

    # Then it is one SendMessage with the body as sent and the subject as an attribute
    assert fields["Action"] == "SendMessage"
    assert fields["MessageBody"] == body
    assert fields["MessageAttribute.1.Name"] == "subject"
    assert fields["MessageAttribute.1.Value.StringValue"] == hostile
    assert fields["MessageAttribute.2.Value.StringValue"] == "req-1"


def test_sent_message_reaches_the_queue_as_the_caller_sent_it(api_body, aws):
    # Given the telemetry queue and a request rendered into SQS's form
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="TelemetryQueue")["QueueUrl"]
    body = json.dumps({"deviceId": "d-1", "timestamp": "2024-06-10T07:00:00Z", "metrics": {"t": 1}})
    spec = integration(api_body, "/v1/telemetry", "post")
    fields = form_fields(
        render_template(
            spec["requestTemplates"]["application/json"],
            request(body=body.encode(), context={"authorizer": {"principalId": "partner-1"}}),
        ).body
    )

    # When SQS runs it
    sent = sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=fields["MessageBody"],
        MessageAttributes={
            fields[f"MessageAttribute.{n}.Name"]: {
                "DataType": fields[f"MessageAttribute.{n}.Value.DataType"],
                "StringValue": fields[f"MessageAttribute.{n}.Value.StringValue"],
            }
            for n in (1, 2)
        },
    )

    # Then the queued message holds the body and the subject, and the caller gets its id
    (message,) = sqs.receive_message(QueueUrl=queue_url, MessageAttributeNames=["All"])["Messages"]
    assert message["Body"] == body
    assert message["MessageAttributes"]["subject"]["StringValue"] == "partner-1"
    wire = {"SendMessageResponse": {"SendMessageResult": {"MessageId": sent["MessageId"]}}}
    out = render_template(
        spec["responses"]["default"]["responseTemplates"]["application/json"],
        request(body=json.dumps(wire).encode()),
    )
    assert spec["responses"]["default"]["statusCode"] == "202"
    assert json.loads(out.body) == {"messageId": sent["MessageId"]}
