"""Users tests: the handlers run through their Powertools resolvers against moto tables."""

import io
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sample_api import aws as aws_clients
from sample_api import idempotency
from sample_api.observability import logger
from sample_api.settings import get_settings
from sample_api.users.repository import get_user_repository
from tests.support.handlers import Answer, invoke, request

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
