"""Tracing on OpenTelemetry: a span per invocation and one per AWS call, sent on to X-Ray.

``tracer.capture_lambda_handler`` (the Powertools Tracer's name, so handlers read as before)
opens the handler span as a child of the segment Lambda's active tracing records, with the
``ColdStart``, ``Service`` and ``CorrelationId`` annotations; :func:`instrument_client` gives
every boto3 client a span per call under it. Where spans go is ``OTEL_TRACES_EXPORTER``:

- ``xray``: the X-Ray daemon Lambda runs beside the function (the default inside Lambda, where
  ``AWS_XRAY_DAEMON_ADDRESS`` is set): see :mod:`sample_api.xray`;
- ``console``: one JSON document per span on stdout (``make trace`` shows a request so);
- ``none``: no spans (also ``POWERTOOLS_TRACE_DISABLED=true`` or ``OTEL_SDK_DISABLED=true``).

The OpenTelemetry SDK is imported on the first traced call, not at import: a handler's import
stays below a bare ``import boto3`` (``make bench``), and SnapStart functions pay it before
their snapshot is taken (:func:`sample_api.observability.warm_up`).
"""

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter
    from opentelemetry.trace import Span
    from opentelemetry.trace import Tracer as OtelTracer

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C")

EXPORTERS = ("xray", "console", "none")
ANNOTATION_PREFIX = "annotation."
_SPAN_KEY = "sample_api.span"
_provider_override: "TracerProvider | None" = None


def exporter_name() -> str:
    """Which exporter the environment asks for; a name not in :data:`EXPORTERS` is an error."""
    if "true" in (
        os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower(),
        os.environ.get("OTEL_SDK_DISABLED", "").lower(),
    ):
        return "none"
    default = "xray" if os.environ.get("AWS_XRAY_DAEMON_ADDRESS") else "none"
    name = os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() or default
    if name not in EXPORTERS:
        raise ValueError(f"OTEL_TRACES_EXPORTER={name!r}: expected one of {', '.join(EXPORTERS)}")
    return name


@functools.cache
def _configured_provider() -> "TracerProvider | None":
    name = exporter_name()
    if name == "none":
        return None
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        # One JSON document per line, as a log line is.
        return build_provider(ConsoleSpanExporter(formatter=lambda span: span.to_json(None) + "\n"))
    from sample_api.xray import XRayDaemonExporter

    return build_provider(XRayDaemonExporter.from_environment())


def build_provider(exporter: "SpanExporter") -> "TracerProvider":
    """A provider exporting each span as it ends (no background thread: Lambda freezes it)."""
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    # Built by hand: Resource.create() would scan installed packages for detectors.
    resource = Resource(
        {
            "service.name": os.environ.get("POWERTOOLS_SERVICE_NAME", "sample-api"),
            "cloud.provider": "aws",
            "cloud.platform": "aws_lambda",
            "cloud.region": os.environ.get("AWS_REGION", ""),
            "faas.name": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", ""),
        }
    )
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return provider


def use_provider(provider: "TracerProvider | None") -> None:
    """Send spans to ``provider`` instead of the configured one (tests, ``make trace``)."""
    global _provider_override
    _provider_override = provider


def otel_tracer() -> "OtelTracer | None":
    """The OpenTelemetry tracer, or None when tracing is off."""
    provider = _provider_override or _configured_provider()
    return provider.get_tracer("sample_api") if provider else None


def lambda_parent() -> "Context | None":
    """The segment Lambda recorded for this invocation, from ``_X_AMZN_TRACE_ID``, as a parent.

    The header reads ``Root=1-<8 hex time>-<24 hex>;Parent=<16 hex>;Sampled=1``; the X-Ray
    trace id is the OpenTelemetry trace id with dashes. None outside Lambda or when malformed.
    """
    from opentelemetry import trace
    from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

    fields = dict(
        part.split("=", 1)
        for part in os.environ.get("_X_AMZN_TRACE_ID", "").split(";")
        if "=" in part
    )
    root, parent = fields.get("Root", ""), fields.get("Parent", "")
    version, _, digits = root.partition("-")
    try:
        trace_id = int(digits.replace("-", ""), 16)
        span_id = int(parent, 16)
    except ValueError:
        return None
    if version != "1" or not trace_id or not span_id:
        return None
    flags = TraceFlags(TraceFlags.SAMPLED if fields.get("Sampled") == "1" else 0)
    span_context = SpanContext(trace_id, span_id, is_remote=True, trace_flags=flags)
    return trace.set_span_in_context(NonRecordingSpan(span_context))


class Tracer:
    """The handler decorator and span helpers; the names are those of Powertools' Tracer."""

    def __init__(self, correlation_id: Callable[[], str | None] = lambda: None) -> None:
        self._correlation_id = correlation_id
        self._cold_start = True

    def capture_lambda_handler(self, handler: F) -> F:
        """Run ``handler`` inside the invocation's span (a child of Lambda's segment)."""

        @functools.wraps(handler)
        def traced(event: Any, context: Any) -> Any:
            cold_start, self._cold_start = self._cold_start, False
            tracer = otel_tracer()
            if tracer is None:
                return handler(event, context)
            from opentelemetry.trace import SpanKind

            name = f"## {handler.__name__}"
            with tracer.start_as_current_span(
                name, context=lambda_parent(), kind=SpanKind.SERVER
            ) as span:
                span.set_attribute("faas.coldstart", cold_start)
                span.set_attribute("faas.invocation_id", getattr(context, "aws_request_id", ""))
                self.put_annotation("ColdStart", cold_start)
                self.put_annotation("Service", os.environ.get("POWERTOOLS_SERVICE_NAME", ""))
                correlation_id = self._correlation_id()
                if correlation_id:
                    self.put_annotation("CorrelationId", correlation_id)
                return handler(event, context)

        return traced  # type: ignore[return-value]

    def capture_method(self, method: F) -> F:
        """Run ``method`` inside a span of its own, under the current one."""

        @functools.wraps(method)
        def traced(*args: Any, **kwargs: Any) -> Any:
            with self.span(f"## {method.__qualname__}"):
                return method(*args, **kwargs)

        return traced  # type: ignore[return-value]

    @contextmanager
    def span(self, name: str) -> Iterator["Span | None"]:
        """A span around a block; ``None`` is yielded when tracing is off."""
        tracer = otel_tracer()
        if tracer is None:
            yield None
            return
        with tracer.start_as_current_span(name) as span:
            yield span

    @staticmethod
    def put_annotation(key: str, value: str | int | float | bool) -> None:
        """An indexed X-Ray annotation on the current span (searchable: ``annotation.<key>``)."""
        from opentelemetry import trace

        trace.get_current_span().set_attribute(f"{ANNOTATION_PREFIX}{key}", value)


def instrument_client(client: C) -> C:
    """Give ``client`` a CLIENT span for each call it makes (retries included, in one span)."""
    if otel_tracer() is None:
        return client
    meta: Any = client.meta  # type: ignore[attr-defined]
    events = meta.events
    events.register("before-parameter-build", _note_call_resources)
    events.register("before-call", functools.partial(_start_call_span, meta.region_name))
    events.register("after-call", _end_call_span)
    events.register("after-call-error", _fail_call_span)
    return client


# Request parameters worth a span attribute (and an X-Ray `aws` field), by operation input name.
_RESOURCE_PARAMETERS = (
    ("TableName", "aws.dynamodb.table_name"),
    ("QueueUrl", "aws.sqs.queue_url"),
    ("Bucket", "aws.s3.bucket"),
)
# botocore hands the same per-call dict to every event of one call.
_RESOURCES_KEY = "sample_api.resources"


def _note_call_resources(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    # The parameters as the caller gave them; by before-call they are a serialized body.
    context[_RESOURCES_KEY] = {
        attribute: params[name]
        for name, attribute in _RESOURCE_PARAMETERS
        if isinstance(params.get(name), str)
    }


def _start_call_span(region: str, model: Any, context: dict[str, Any], **_: Any) -> None:
    tracer = otel_tracer()
    if tracer is None:
        return
    from opentelemetry.trace import SpanKind

    service = str(model.service_model.service_id)
    attributes: dict[str, Any] = {
        "rpc.system": "aws-api",
        "rpc.service": service,
        "rpc.method": model.name,
        "cloud.region": region,
        **context.get(_RESOURCES_KEY, {}),
    }
    context[_SPAN_KEY] = tracer.start_span(
        f"{service}.{model.name}", kind=SpanKind.CLIENT, attributes=attributes
    )


def _end_call_span(http_response: Any, parsed: Any, context: dict[str, Any], **_: Any) -> None:
    span = context.pop(_SPAN_KEY, None)
    if span is None:
        return
    from opentelemetry.trace import StatusCode

    status = getattr(http_response, "status_code", 0)
    span.set_attribute("http.response.status_code", status)
    metadata = parsed.get("ResponseMetadata", {}) if isinstance(parsed, dict) else {}
    if metadata.get("RequestId"):
        span.set_attribute("aws.request_id", metadata["RequestId"])
    if status >= 400:
        code = parsed.get("Error", {}).get("Code", "") if isinstance(parsed, dict) else ""
        span.set_status(StatusCode.ERROR, code or f"HTTP {status}")
    span.end()


def _fail_call_span(exception: BaseException, context: dict[str, Any], **_: Any) -> None:
    span = context.pop(_SPAN_KEY, None)
    if span is None:
        return
    from opentelemetry.trace import StatusCode

    span.record_exception(exception)
    span.set_status(StatusCode.ERROR, type(exception).__name__)
    span.end()
