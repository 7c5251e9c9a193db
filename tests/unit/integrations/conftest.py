"""The service integrations exactly as deployed: read out of the SAM-transformed template
(rendering them: tests/support/vtl.py)."""

from typing import Any

import pytest

from tests.template.conftest import rest_api_body, transformed


@pytest.fixture(scope="session")
def api_body() -> dict[str, Any]:
    return rest_api_body(transformed("dev"))
