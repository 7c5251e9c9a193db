"""GET /v1/telemetry/{deviceId}: a device's readings, newest first (scope telemetry:read)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import build_resolver
from sample_api.handlers import api_handler
from sample_api.telemetry.logic import DEFAULT_LIMIT, newest_readings
from sample_api.telemetry.models import DeviceId
from sample_api.telemetry.repository import get_reading_repository

app = build_resolver()


def get_readings(
    deviceId: Annotated[DeviceId, Path()],  # noqa: N803 - the route's parameter name
    limit: Annotated[int, Query(ge=1, le=100)] = DEFAULT_LIMIT,
) -> dict[str, Any]:
    readings = newest_readings(deviceId, limit, get_reading_repository())
    return {"items": [reading.model_dump(mode="json") for reading in readings]}


app.get("/v1/telemetry/<deviceId>")(get_readings)


@api_handler("table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
