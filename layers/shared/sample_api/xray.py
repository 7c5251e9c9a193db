"""An OpenTelemetry span exporter to the X-Ray daemon Lambda runs beside each function.

With active tracing, Lambda records the invocation's segment itself and listens on
``AWS_XRAY_DAEMON_ADDRESS`` (UDP) for more. Each finished span is sent there as an X-Ray
subsegment document, the daemon protocol of the X-Ray developer guide ("Sending segment
documents to the X-Ray daemon"): the header ``{"format": "json", "version": 1}``, a newline,
then the document. This is what the X-Ray SDK did, without the SDK: the handler span is a
subsegment of Lambda's segment, each AWS call a subsegment of the handler span (namespace
``aws``, so the service map shows DynamoDB, S3 and SQS), annotations stay searchable.

A datagram is sent as the span ends: microseconds, no connection, nothing kept for later (a
frozen Lambda cannot flush a buffer). A span that cannot be sent is dropped, never an error of
the request.
"""

import json
import os
import socket
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import SpanKind, StatusCode

from sample_api.tracing import ANNOTATION_PREFIX

HEADER = b'{"format": "json", "version": 1}\n'
DEFAULT_ADDRESS = ("127.0.0.1", 2000)  # the daemon's documented default
MAX_DATAGRAM_BYTES = 64 * 1024
# X-Ray annotation keys: letters, digits and underscores only.
_ANNOTATION_KEY_CHARACTERS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
)
# Span attributes that become fields of the subsegment's `aws` object.
_AWS_FIELDS = {
    "rpc.method": "operation",
    "cloud.region": "region",
    "aws.request_id": "request_id",
    "aws.dynamodb.table_name": "table_name",
    "aws.sqs.queue_url": "queue_url",
    "aws.s3.bucket": "bucket_name",
}


def daemon_address(value: str | None) -> tuple[str, int]:
    """``host:port`` or ``udp:host:port tcp:host:port`` (both forms X-Ray accepts) -> UDP."""
    if not value:
        return DEFAULT_ADDRESS
    parts = value.split()
    udp = next((p.removeprefix("udp:") for p in parts if p.startswith("udp:")), parts[0])
    host, _, port = udp.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"AWS_XRAY_DAEMON_ADDRESS={value!r}: expected host:port")
    return host, int(port)


def xray_trace_id(trace_id: int) -> str:
    """The X-Ray form of a 128-bit trace id: ``1-<first 8 hex digits>-<other 24>``."""
    digits = f"{trace_id:032x}"
    return f"1-{digits[:8]}-{digits[8:]}"


def subsegment(span: ReadableSpan) -> dict[str, Any]:
    """The X-Ray document for one finished span."""
    attributes = dict(span.attributes or {})
    document: dict[str, Any] = {
        "name": str(attributes.get("rpc.service") or span.name)[:200],
        "id": f"{span.context.span_id:016x}",
        "trace_id": xray_trace_id(span.context.trace_id),
        "start_time": (span.start_time or 0) / 1e9,
        "end_time": (span.end_time or 0) / 1e9,
    }
    if span.parent is not None:
        document["parent_id"] = f"{span.parent.span_id:016x}"
        document["type"] = "subsegment"
    annotations = {
        key.removeprefix(ANNOTATION_PREFIX): value
        for key, value in attributes.items()
        if key.startswith(ANNOTATION_PREFIX)
        and set(key.removeprefix(ANNOTATION_PREFIX)) <= _ANNOTATION_KEY_CHARACTERS
    }
    if annotations:
        document["annotations"] = annotations
    if attributes.get("rpc.system") == "aws-api":
        document["namespace"] = "aws"
        document["aws"] = {
            field: attributes[key] for key, field in _AWS_FIELDS.items() if key in attributes
        }
    elif span.kind is SpanKind.CLIENT:
        document["namespace"] = "remote"
    status = attributes.get("http.response.status_code")
    if isinstance(status, int) and status:
        document["http"] = {"response": {"status": status}}
    _mark_failure(document, span, status if isinstance(status, int) else 0)
    return document


def _mark_failure(document: dict[str, Any], span: ReadableSpan, status: int) -> None:
    """X-Ray's flags: ``throttle`` (429), ``error`` (other 4XX), ``fault`` (the rest)."""
    if span.status.status_code is not StatusCode.ERROR:
        return
    if status == 429:
        document["throttle"] = document["error"] = True
    elif 400 <= status < 500:
        document["error"] = True
    else:
        document["fault"] = True
    exceptions = [
        {
            "id": f"{index:016x}",
            "type": str((event.attributes or {}).get("exception.type", "")),
            "message": str((event.attributes or {}).get("exception.message", ""))[:1000],
        }
        for index, event in enumerate(span.events, start=1)
        if event.name == "exception"
    ]
    if exceptions:
        document["cause"] = {"exceptions": exceptions}


class XRayDaemonExporter(SpanExporter):
    """Sends each span to the X-Ray daemon as a subsegment, one UDP datagram per span."""

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    @classmethod
    def from_environment(cls) -> "XRayDaemonExporter":
        return cls(daemon_address(os.environ.get("AWS_XRAY_DAEMON_ADDRESS")))

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        result = SpanExportResult.SUCCESS
        for span in spans:
            datagram = HEADER + json.dumps(subsegment(span), separators=(",", ":")).encode()
            if len(datagram) > MAX_DATAGRAM_BYTES:
                result = SpanExportResult.FAILURE
                continue
            try:
                self._socket.sendto(datagram, self.address)
            except OSError:
                result = SpanExportResult.FAILURE
        return result

    def shutdown(self) -> None:
        self._socket.close()
