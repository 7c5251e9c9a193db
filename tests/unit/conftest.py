"""Fixtures for every unit test suite: moto, and DynamoDB tables built from template.yaml
(tests/support/dynamodb.py)."""

from collections.abc import Callable, Iterator

import pytest
from moto import mock_aws

from tests.support.dynamodb import create_table_from_template


@pytest.fixture
def aws() -> Iterator[None]:
    """Every AWS call in the test goes to moto."""
    with mock_aws():
        yield


@pytest.fixture
def table_from_template(aws) -> Callable[[str], str]:
    """``table_from_template("UsersTable")`` creates that table in moto and returns its name."""
    return create_table_from_template
