"""What the gateway knows of an API key, read from moto: a key found is reused for a second,
a key not found is asked for again at once.

API Gateway applies a key being disabled within about ten seconds (AWS's answer on re:Post,
"how can I deny authorization using a custom authorizer lambda when the api key is disabled"):
a one-second reuse stays on the strict side of that.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from local_gateway.api_key_store import KEY_CACHE_SECONDS, MotoApiKeys


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def apigateway() -> Iterator[object]:
    with mock_aws():
        yield boto3.client("apigateway", region_name="us-east-1")


def store(apigateway, clock: Clock) -> MotoApiKeys:
    return MotoApiKeys(apigateway, local_plan_ids={}, clock=clock)


def test_a_key_found_is_reused_for_a_second_then_read_again(apigateway):
    # Given a key the gateway has just read as enabled
    key_id = apigateway.create_api_key(name="partner", value="k" * 30, enabled=True)["id"]
    clock = Clock()
    keys = store(apigateway, clock)
    assert keys.lookup("k" * 30)[0].enabled
    # When the key is disabled in moto
    apigateway.update_api_key(
        apiKey=key_id, patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}]
    )
    # Then within the second the gateway still sees it as it was
    clock.now += KEY_CACHE_SECONDS / 2
    assert keys.lookup("k" * 30)[0].enabled
    # And once the second is over it reads the key again and sees it disabled
    clock.now += KEY_CACHE_SECONDS
    assert not keys.lookup("k" * 30)[0].enabled


def test_a_key_not_found_is_asked_for_again_at_once(apigateway):
    # Given a value no key has yet
    clock = Clock()
    keys = store(apigateway, clock)
    assert keys.lookup("n" * 30) is None
    # When a key with it is created (a rotation's new key) and used at the same instant
    apigateway.create_api_key(name="rotated", value="n" * 30, enabled=True)
    # Then the gateway finds it
    found = keys.lookup("n" * 30)
    assert found is not None
    assert found[0].name == "rotated"
