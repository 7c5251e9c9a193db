"""The sample API's request bodies: the gateway's rendered model refuses what the handler's
pydantic model refuses, and takes what it takes (so a body the gateway lets through is one the
handler validates, and a body the handler would refuse is, where draft 4 can say it, a 400 at
the gateway before any Lambda runs).

The gateway's verdict is the committed model in api/openapi.yaml (`make models` renders it),
judged as API Gateway judges it: JSON Schema draft 4 (AWS doc: how-to-create-model.html).
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel, ValidationError

from sample_api.files.models import NewUpload
from sample_api.products.models import NewProduct
from sample_api.telemetry.models import TelemetryReading
from sample_api.users.models import CreateUser, UpdateUser
from tests.support.functions import ROOT

pytestmark = pytest.mark.domain("core")

API: dict[str, Any] = yaml.safe_load((ROOT / "api" / "openapi.yaml").read_text())
SCHEMAS = API["components"]["schemas"]


def verdicts(name: str, model: type[BaseModel], body: object) -> tuple[bool, bool]:
    """(the gateway accepts, the handler accepts) for one body."""
    gateway = jsonschema.Draft4Validator(SCHEMAS[name]).is_valid(body)
    try:
        model.model_validate(body)
    except ValidationError:
        return gateway, False
    return gateway, True


USER_BODIES = [
    {"name": "Ada", "email": "ada@example.com"},
    {"name": "Zoë 山田", "email": "zoe@example.co.uk"},
    {"name": "Ada"},
    {"email": "ada@example.com"},
    {},
    {"name": "", "email": "ada@example.com"},
    {"name": "  ", "email": "ada@example.com"},
    {"name": "x" * 101, "email": "ada@example.com"},
    {"name": "Ada", "email": "not an email"},
    {"name": "Ada", "email": "a" * 250 + "@b.io"},
    {"name": 1, "email": "ada@example.com"},
    {"name": None},
    {"name": "Ada", "email": "ada@example.com", "role": "admin"},
]


@pytest.mark.domain("users")
@pytest.mark.parametrize("body", USER_BODIES, ids=json.dumps)
def test_user_bodies_get_one_verdict_at_the_gateway_and_in_the_handler(body):
    for name, model in (("createuser", CreateUser), ("updateuser", UpdateUser)):
        gateway, handler = verdicts(name, model, body)
        assert gateway == handler, name


PRODUCT_BODIES = [
    {"name": "Lamp", "category": "home", "price": 19.99, "currency": "EUR"},
    {"name": "Lamp", "category": "home", "price": 0, "currency": "EUR"},
    {"name": "Lamp", "category": "home", "price": -1, "currency": "EUR"},
    {"name": "Lamp", "category": "home", "price": 1_000_000_001, "currency": "EUR"},
    {"name": "Lamp", "category": "Home", "price": 1, "currency": "EUR"},
    {"name": "Lamp", "category": "home", "price": 1, "currency": "eur"},
    {"name": " ", "category": "home", "price": 1, "currency": "EUR"},
    {"name": "Lamp", "category": "home", "price": 1},
    {"name": "Lamp", "category": "home", "price": 1, "currency": "EUR", "id": "x"},
]


@pytest.mark.domain("products")
@pytest.mark.parametrize("body", PRODUCT_BODIES, ids=json.dumps)
def test_product_bodies_get_one_verdict_at_the_gateway_and_in_the_handler(body):
    gateway, handler = verdicts("newproduct", NewProduct, body)
    assert gateway == handler


READING = {"deviceId": "dev-1", "timestamp": "2024-06-10T07:00:00Z", "metrics": {"t": 21.5}}
READINGS = [
    READING,
    {**READING, "timestamp": "2024-06-10T09:00:00.123+02:00"},
    {**READING, "timestamp": "2024-06-10T07:00:00"},
    {**READING, "timestamp": 1718002800},
    {**READING, "timestamp": "2024-06-10 07:00:00Z"},
    {**READING, "metrics": {}},
    {**READING, "metrics": {"bad key": 1}},
    {**READING, "metrics": {f"m{n}": n for n in range(51)}},
    {**READING, "deviceId": "dev 1"},
    {**READING, "extra": True},
]


@pytest.mark.domain("telemetry")
@pytest.mark.parametrize("body", READINGS, ids=json.dumps)
def test_readings_get_one_verdict_at_the_gateway_and_in_the_handler(body):
    gateway, handler = verdicts("telemetryreading", TelemetryReading, body)
    assert gateway == handler


UPLOADS = [
    {"name": "report.pdf"},
    {"name": "report.pdf", "contentType": "application/pdf"},
    {"name": "report.pdf", "contentType": "pdf"},
    {"name": ""},
    {"name": "x" * 256},
    {"contentType": "application/pdf"},
    {"name": "report.pdf", "size": 1},
]


@pytest.mark.domain("files")
@pytest.mark.parametrize("body", UPLOADS, ids=json.dumps)
def test_upload_requests_get_one_verdict_at_the_gateway_and_in_the_handler(body):
    gateway, handler = verdicts("createupload", NewUpload, body)
    assert gateway == handler
