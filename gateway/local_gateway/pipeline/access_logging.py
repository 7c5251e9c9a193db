"""Access logging: one line per request on the `local_gateway.access` logger.

With the stage's `AccessLogSetting.Format`, the line is that format with `$context` filled in
(access_log.format_access_log); without one, a short `requestId "METHOD path" status latency`.
https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html
"""

from __future__ import annotations

import logging
import time

from local_gateway.access_log import format_access_log, response_context
from local_gateway.http_messages import HttpRequest, HttpResponse
from local_gateway.pipeline.context import ApiCall

access_log = logging.getLogger("local_gateway.access")


def log_access(
    call: ApiCall | None,
    request: HttpRequest,
    request_id: str,
    response: HttpResponse,
    started: float,
) -> None:
    """Logs the answer to `request`, started at `started` (time.perf_counter)."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    latency = int((time.perf_counter() - started) * 1000)
    if call is None or not call.api.access_log_format:
        access_log.info(
            '%s "%s %s" %s %sms',
            request_id,
            request.method,
            request.raw_path,
            response.status,
            latency,
        )
        return
    context = {
        **call.context(),
        **response_context(
            status=response.status,
            response_length=len(response.body),
            response_latency_ms=latency,
            integration_status=call.integration_status,
        ),
    }
    access_log.info(format_access_log(call.api.access_log_format, context))
