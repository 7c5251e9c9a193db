"""Calling a function's handler as API Gateway would, with its sample event from ``events/``.

``request("create_user", body=...)`` is the function's event with the parts a test changes
replaced (body, path id, query, the Cognito caller's groups and sub, headers);
``invoke("create_user", event)`` runs ``functions/create_user/app.py``'s handler on it and
returns what API Gateway would get back.
"""

import copy
import importlib
import json
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from tests.support.events import load_event
from tests.support.lambda_context import FakeLambdaContext


def handler_module(name: str) -> ModuleType:
    return importlib.import_module(f"functions.{name}.app")


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, list[str]]


def invoke(name: str, event: dict[str, Any]) -> Answer:
    """What API Gateway would get back from the function ``name`` for ``event``."""
    response = handler_module(name).handler(event, FakeLambdaContext())
    body = json.loads(response["body"]) if response.get("body") else None
    return Answer(response["statusCode"], body, response.get("multiValueHeaders", {}))


def request(
    name: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    user_id: str | None = None,
    query: dict[str, str] | None = None,
    groups: str | None = None,
    sub: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The function's event from events/, with the parts a test changes replaced."""
    event = copy.deepcopy(load_event(name))
    if body is not None:
        event["body"] = json.dumps(body)
    if raw_body is not None:
        event["body"] = raw_body
    if user_id is not None:
        prefix = event["path"].rsplit("/", 1)[0]
        event["path"] = f"{prefix}/{user_id}"
        event["pathParameters"] = {"id": user_id}
    if query is not None:
        event["queryStringParameters"] = query or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    claims = event["requestContext"]["authorizer"]["claims"]
    claims.pop("cognito:groups", None)
    if groups is not None:
        claims["cognito:groups"] = groups
    if sub is not None:
        claims["sub"] = sub
    if headers is not None:
        event["headers"].update(headers)
    return event
