"""A mapped integration run on its own: integration request, integration, integration response.

The same three step functions the pipeline runs for an AWS service, MOCK, HTTP or HTTP_PROXY
integration, without routing or authorizers in front, so a test states the method request and
the integration as plain data.
"""

from collections.abc import Mapping
from typing import Any

from local_gateway.integrations.exchange import AwsEnvironment, IntegrationResult, MethodRequest
from local_gateway.integrations.lambda_custom import FunctionInvoker
from local_gateway.pipeline.integration import call_backend
from local_gateway.pipeline.integration_request import map_request
from local_gateway.pipeline.integration_response import map_response


def run_integration(
    integration: Mapping[str, Any],
    request: MethodRequest,
    aws: AwsEnvironment,
    *,
    timeout_seconds: float,
    source: str = "<integration>",
    invoke_function: FunctionInvoker | None = None,
) -> IntegrationResult:
    """The method response of `integration` for `request`; raises Rejection as the steps do."""
    mapped = map_request(integration, request, source=source)
    endpoint = call_backend(mapped, aws, timeout_seconds, invoke_function)
    return map_response(mapped, endpoint, source=source)
