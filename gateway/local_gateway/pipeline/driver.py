"""The driver: one request through the steps, in API Gateway's order.

Each step takes the call's context and either adds to it or raises a `Rejection`, which ends
the request with the gateway response; anything else a step raises is logged and answered as
API Gateway's 500. Every answer carries the request id and is access-logged.
"""

from __future__ import annotations

import logging
import time
import uuid

from local_gateway import gateway_responses, method_response
from local_gateway.http_messages import HttpRequest, HttpResponse
from local_gateway.pipeline.access_logging import log_access
from local_gateway.pipeline.api_key import check_api_key_and_throttle
from local_gateway.pipeline.authorize import authorize
from local_gateway.pipeline.context import ApiCall, Deployment
from local_gateway.pipeline.gateway_response import gateway_response
from local_gateway.pipeline.integration import integrate
from local_gateway.pipeline.integration_request import integration_request
from local_gateway.pipeline.integration_response import integration_response
from local_gateway.pipeline.payload_limit import check_payload_size
from local_gateway.pipeline.route import route
from local_gateway.pipeline.validate import validate
from local_gateway.rejections import Rejection

log = logging.getLogger("local_gateway")


def run(deployment: Deployment, request: HttpRequest, host: str) -> HttpResponse:
    """The API's answer to `request` (`host`: the Host it was sent to)."""
    started = time.perf_counter()
    request_id = str(uuid.uuid4())
    call: ApiCall | None = None
    try:
        call = route(deployment, request, request_id, host)
        check_payload_size(call)
        authorize(call)
        check_api_key_and_throttle(call)
        validate(call)
        integration_request(call)
        integrate(call)
        response = integration_response(call)
    except Rejection as rejection:
        response = gateway_response(rejection, request, request_id, call, deployment)
    except Exception:
        log.exception("request %s failed inside the gateway", request_id)
        error = gateway_responses.internal_error()
        response = gateway_response(error, request, request_id, call, deployment)
    _identify(response, request_id)
    log_access(call, request, request_id, response, started)
    return response


def refuse(deployment: Deployment, rejection: Rejection, request: HttpRequest) -> HttpResponse:
    """The gateway response to a request no method is asked for (unreadable, say)."""
    request_id = str(uuid.uuid4())
    response = gateway_response(rejection, request, request_id, None, deployment)
    _identify(response, request_id)
    return response


def _identify(response: HttpResponse, request_id: str) -> None:
    response.headers.append(("x-amzn-RequestId", request_id))
    response.headers.append(("x-amz-apigw-id", method_response.apigw_id()))
