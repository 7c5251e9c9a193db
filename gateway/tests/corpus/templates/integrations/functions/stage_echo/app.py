"""A Lambda proxy function answering with the stage variables and the resource it was called on."""

import json
from typing import Any


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    body = {"stageVariables": event["stageVariables"], "resource": event["resource"]}
    return {"statusCode": 200, "headers": {}, "body": json.dumps(body)}
