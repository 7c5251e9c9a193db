"""Users tests: the handlers run through their Powertools resolvers against moto tables."""

import copy
import importlib
import io
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from sample_api import aws as aws_clients
from sample_api import idempotency
from sample_api.observability import logger
from sample_api.settings import get_settings
from sample_api.users.repository import get_user_repository
from tests.unit.conftest import FakeLambdaContext

EVENTS = Path(__file__).resolve().parents[3] / "events"
ADMIN_SUB = "0f4e8d2c-1b3a-4c5d-9e8f-7a6b5c4d3e2f"


def clear_caches() -> None:
    for cached in (get_settings, get_user_repository, aws_clients.dynamodb):
        cached.cache_clear()
    idempotency.persistence_layer.cache_clear()


@pytest.fixture
def users_service(table_from_template, monkeypatch) -> Iterator[None]:
    """The users and idempotency tables in moto, and the functions' environment."""
    monkeypatch.setenv("TABLE_NAME", table_from_template("UsersTable"))
    monkeypatch.setenv("IDEMPOTENCY_TABLE_NAME", table_from_template("IdempotencyTable"))
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", "http://localhost:3000")
    clear_caches()
    yield
    clear_caches()


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / f"{name}.json").read_text())


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


Call = Callable[..., Answer]


@pytest.fixture
def create(users_service) -> Call:
    """``create(name=..., email=...)`` posts a new user without an Idempotency-Key."""

    def create_user(**fields: Any) -> Answer:
        event = request("create_user", body=fields)
        event["headers"].pop("Idempotency-Key")
        return invoke("create_user", event)

    return create_user


@pytest.fixture
def captured_log() -> Iterator[io.StringIO]:
    """What the shared Powertools logger writes during the test, at its most verbose level."""
    (handler,) = logger.handlers
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous_stream = handler.setStream(buffer)
    previous_level = logger.log_level
    logger.setLevel("DEBUG")
    yield buffer
    handler.setStream(previous_stream)
    logger.setLevel(previous_level)
