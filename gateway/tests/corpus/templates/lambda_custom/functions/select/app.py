"""Answers by the event's statusCode, as the LocalStack recording's function does."""

from typing import Any


def handler(event: dict[str, Any], context: object) -> Any:
    status = event.get("statusCode")
    if status == "200":
        return "Pass"
    if status == "400":
        raise Exception("Error: Raising four hundred from within the Lambda function")
    if status == "500":
        raise Exception("Error: Raising five hundred from within the Lambda function")
    return {"received": event}
