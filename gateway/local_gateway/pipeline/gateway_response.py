"""Gateway response: a request a step refused gets the answer the API's gateway responses shape.

The rejection's type picks the template's gateway response (else DEFAULT_4XX/DEFAULT_5XX, else
API Gateway's default body); its templates see `$context.error.*`. A request refused before
any method matched has no call: the first API's responses and stage shape its answer.
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-gatewayResponse-definition.html
"""

from __future__ import annotations

from typing import Any

from local_gateway import gateway_responses
from local_gateway.http_messages import HttpRequest, HttpResponse
from local_gateway.pipeline.context import ApiCall, Deployment
from local_gateway.rejections import Rejection


def gateway_response(
    rejection: Rejection,
    request: HttpRequest,
    request_id: str,
    call: ApiCall | None,
    deployment: Deployment,
) -> HttpResponse:
    """The HTTP answer for `rejection` of `request` (`call`: None when no method matched)."""
    if call is not None:
        call.extra_context["error"] = {
            "message": rejection.message,
            "responseType": rejection.response_type,
        }
        return gateway_responses.render_rejection(
            rejection,
            call.api.gateway_responses,
            request,
            call.context(),
            call.api.stage_variables,
            call.path_parameters,
        )
    api = deployment.apis[0] if deployment.apis else None
    context: dict[str, Any] = {
        "requestId": request_id,
        "httpMethod": request.method,
        "path": request.path,
        "stage": api.stage_name if api else "local",
        "identity": {"sourceIp": request.source_ip},
    }
    return gateway_responses.render_rejection(
        rejection,
        api.gateway_responses if api else {},
        request,
        context,
        api.stage_variables if api else {},
        {},
    )
