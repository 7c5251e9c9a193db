"""Answers with the caller's identity as the proxy event carries it."""

import json
from typing import Any


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    return {"statusCode": 200, "body": json.dumps(event["requestContext"]["identity"])}
