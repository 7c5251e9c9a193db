"""Tracing: a request's handler span, its DynamoDB span, and the X-Ray documents sent for them."""

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from opentelemetry.sdk.trace.export import SpanExportResult
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from sample_api import tracing
from sample_api.xray import HEADER, XRayDaemonExporter, daemon_address, subsegment, xray_trace_id
from tests.support.handlers import invoke, request

pytestmark = pytest.mark.domain("users")

# As Lambda sets it for a sampled invocation (X-Ray developer guide, "Tracing header").
LAMBDA_TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


@pytest.fixture
def spans(users_service) -> Iterator[InMemorySpanExporter]:
    """Spans of the test's requests, kept in memory; the users table in moto."""
    exporter = InMemorySpanExporter()
    tracing.use_provider(tracing.build_provider(exporter))
    yield exporter
    tracing.use_provider(None)


@pytest.fixture
def ada(spans, create):
    user = create(name="Ada King Lovelace", email="ada@example.com").body
    spans.clear()
    return user


def test_a_request_has_a_handler_span_and_a_dynamodb_span_under_it(ada, spans):
    # When one user is read
    answer = invoke("get_user", request("get_user", user_id=ada["id"]))

    # Then the trace holds the handler span, and the GetItem call as its child
    assert answer.status == 200
    by_name = {span.name: span for span in spans.get_finished_spans()}
    assert set(by_name) == {"## handler", "DynamoDB.GetItem"}
    handler, call = by_name["## handler"], by_name["DynamoDB.GetItem"]
    assert call.parent is not None
    assert call.parent.span_id == handler.context.span_id
    assert call.context.trace_id == handler.context.trace_id
    assert call.kind is SpanKind.CLIENT
    assert call.attributes["rpc.system"] == "aws-api"
    assert call.attributes["aws.dynamodb.table_name"] == "UsersTable"
    assert call.attributes["http.response.status_code"] == 200


def test_the_handler_span_carries_the_service_and_the_requests_correlation_id(ada, spans):
    # When the function answers a request
    event = request("get_user", user_id=ada["id"])
    invoke("get_user", event)

    # Then the handler span is annotated as X-Ray queries expect
    (handler,) = [s for s in spans.get_finished_spans() if s.name == "## handler"]
    assert handler.attributes["annotation.Service"] == "tests"
    assert handler.attributes["annotation.CorrelationId"] == event["requestContext"]["requestId"]


def test_only_the_first_invocation_of_an_environment_is_a_cold_start(spans):
    # Given a handler traced by a tracer of its own (one per execution environment)
    tracer = tracing.Tracer()
    handler = tracer.capture_lambda_handler(lambda event, context: "ok")

    # When it is invoked twice
    handler({}, None)
    handler({}, None)

    # Then the first span says cold start and the second does not
    first, second = spans.get_finished_spans()
    assert first.attributes["annotation.ColdStart"] is True
    assert second.attributes["annotation.ColdStart"] is False


def test_in_lambda_the_handler_span_is_a_child_of_lambdas_segment(ada, spans, monkeypatch):
    # Given the trace header Lambda sets for each invocation
    monkeypatch.setenv("_X_AMZN_TRACE_ID", LAMBDA_TRACE_HEADER)

    invoke("get_user", request("get_user", user_id=ada["id"]))

    (handler,) = [s for s in spans.get_finished_spans() if s.name == "## handler"]
    assert xray_trace_id(handler.context.trace_id) == "1-5759e988-bd862e3fe1be46a994272793"
    assert handler.parent is not None
    assert f"{handler.parent.span_id:016x}" == "53995c3f42cd8ad8"


def test_an_unsampled_invocation_records_no_span(ada, spans, monkeypatch):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", LAMBDA_TRACE_HEADER.replace("Sampled=1", "Sampled=0"))

    invoke("get_user", request("get_user", user_id=ada["id"]))

    assert spans.get_finished_spans() == ()


def test_a_failed_aws_call_marks_its_span_as_an_error(ada, spans, create):
    # When a second user claims Ada's email (the conditional write is refused)
    answer = create(name="Ada Again", email="ada@example.com")

    # Then the refused call's span is an error, with DynamoDB's status
    assert answer.status == 409
    calls = [s for s in spans.get_finished_spans() if s.name.startswith("DynamoDB.")]
    failed = [s for s in calls if s.status.status_code is StatusCode.ERROR]
    assert [s.name for s in failed] == ["DynamoDB.TransactWriteItems"]
    assert failed[0].attributes["http.response.status_code"] == 400
    assert subsegment(failed[0])["error"] is True


@pytest.fixture
def daemon() -> Iterator[socket.socket]:
    """A UDP socket standing in for the X-Ray daemon."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    listener.bind(("127.0.0.1", 0))
    listener.settimeout(5)
    yield listener
    listener.close()


def test_spans_reach_the_xray_daemon_as_subsegments_of_lambdas_segment(
    ada, spans, daemon, monkeypatch
):
    # Given the exporter Lambda uses, pointed at a local daemon, and Lambda's trace header
    tracing.use_provider(tracing.build_provider(XRayDaemonExporter(daemon.getsockname())))
    monkeypatch.setenv("_X_AMZN_TRACE_ID", LAMBDA_TRACE_HEADER)

    # When one user is read
    invoke("get_user", request("get_user", user_id=ada["id"]))

    # Then the daemon got the GetItem subsegment, then the handler's, in the daemon protocol
    documents = []
    for _ in range(2):
        datagram = daemon.recv(65536)
        assert datagram.startswith(HEADER)
        documents.append(json.loads(datagram[len(HEADER) :]))
    call, handler = documents
    assert handler["name"] == "## handler"
    assert handler["trace_id"] == call["trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert handler["parent_id"] == "53995c3f42cd8ad8"
    assert handler["type"] == call["type"] == "subsegment"
    assert handler["annotations"]["Service"] == "tests"
    assert set(handler["annotations"]) == {"ColdStart", "Service", "CorrelationId"}
    assert call["parent_id"] == handler["id"]
    assert call["name"] == "DynamoDB"
    assert call["namespace"] == "aws"
    assert call["aws"]["operation"] == "GetItem"
    assert call["aws"]["table_name"] == "UsersTable"
    assert call["http"] == {"response": {"status": 200}}
    assert handler["start_time"] <= call["start_time"] <= call["end_time"] <= handler["end_time"]


def test_a_span_the_daemon_cannot_take_fails_the_export_not_the_request(spans):
    # Given a provider whose spans go nowhere reachable
    exporter = XRayDaemonExporter(("127.0.0.1", 9))
    in_memory = spans
    tracing.use_provider(tracing.build_provider(in_memory))
    with tracing.Tracer().span("work"):
        pass
    (span,) = in_memory.get_finished_spans()

    # When a span too big for one datagram is exported
    span._attributes = {"annotation.Big": "x" * 70_000}  # type: ignore[attr-defined]

    # Then the export reports a failure, and raises nothing
    assert exporter.export([span]) is SpanExportResult.FAILURE
    exporter.shutdown()


@pytest.mark.parametrize(
    ("value", "address"),
    [
        (None, ("127.0.0.1", 2000)),
        ("169.254.79.129:2000", ("169.254.79.129", 2000)),
        ("tcp:127.0.0.1:2000 udp:127.0.0.2:2001", ("127.0.0.2", 2001)),
    ],
)
def test_the_daemon_address_is_read_as_xray_documents_it(value, address):
    assert daemon_address(value) == address


def test_a_malformed_daemon_address_is_a_clear_error():
    with pytest.raises(ValueError, match="AWS_XRAY_DAEMON_ADDRESS"):
        daemon_address("no-port")


def test_an_unknown_exporter_name_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED")
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "jaeger")

    with pytest.raises(ValueError, match="OTEL_TRACES_EXPORTER='jaeger'"):
        tracing.exporter_name()


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000"}, "xray"),
        ({}, "none"),
        ({"OTEL_TRACES_EXPORTER": "console"}, "console"),
        ({"AWS_XRAY_DAEMON_ADDRESS": "1.2.3.4:2000", "OTEL_SDK_DISABLED": "true"}, "none"),
    ],
)
def test_spans_go_to_xray_in_lambda_and_nowhere_by_default_elsewhere(
    environment, expected, monkeypatch
):
    for name in ("POWERTOOLS_TRACE_DISABLED", "AWS_XRAY_DAEMON_ADDRESS", "OTEL_TRACES_EXPORTER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    assert tracing.exporter_name() == expected


def test_a_root_span_is_an_xray_segment_without_parent():
    exporter = InMemorySpanExporter()
    tracing.use_provider(tracing.build_provider(exporter))
    try:
        with tracing.Tracer().span("local"):
            pass
    finally:
        tracing.use_provider(None)

    (span,) = exporter.get_finished_spans()
    document = subsegment(span)
    assert "parent_id" not in document
    assert "type" not in document
    assert document["trace_id"].startswith("1-")


def test_make_trace_prints_the_handler_span_and_its_dynamodb_span():
    # Given the script `make trace` runs (a request through the handler, against moto)
    script = Path(__file__).resolve().parents[3] / "scripts" / "trace_request.py"

    # When it runs in a fresh process, as the command does
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=True, timeout=120
    )

    # Then stdout holds the two spans as JSON lines, the GetItem span a child of the handler's
    spans = [json.loads(line) for line in result.stdout.splitlines() if line.startswith('{"name"')]
    by_name = {span["name"]: span for span in spans}
    assert set(by_name) == {"## handler", "DynamoDB.GetItem"}
    assert by_name["DynamoDB.GetItem"]["parent_id"] == by_name["## handler"]["context"]["span_id"]
    assert by_name["DynamoDB.GetItem"]["attributes"]["aws.dynamodb.table_name"] == "UsersTable"
    assert "-> 200" in result.stderr
