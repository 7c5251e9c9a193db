"""API key and throttle: the usage plan's key, its throttle and quota, then the stage's throttle.

A method that requires an API key admits only a known, enabled key of a usage plan on this
stage (403 otherwise); the plan's rate, burst and quota apply to that key (429), then the
stage's own method settings to every request (429).
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
"""

from __future__ import annotations

from local_gateway.api_keys import presented_key
from local_gateway.pipeline.context import ApiCall


def check_api_key_and_throttle(call: ApiCall) -> None:
    """Admits the request under its key's plan and the stage's limits, or raises the Rejection."""
    gate = call.deployment.api_key_gate
    api, method = call.api, call.method
    if method.api_key_required:
        value = presented_key(
            api.api_key_source,
            dict(call.request.headers),
            call.extra_context.get("usageIdentifierKey"),
        )
        admitted = gate.admit(
            value,
            api_id=api.api_id,
            stage=api.stage_name,
            resource_path=method.resource_path,
            http_method=method.http_method,
        )
        call.api_key, call.api_key_id = admitted.key.value, admitted.key.id
    gate.limiter.admit_stage(
        api_id=api.api_id,
        stage=api.stage_name,
        method_settings=api.method_settings,
        resource_path=method.resource_path,
        http_method=method.http_method,
    )
