"""Shared fixtures: a real moto server for the module tests; the pipeline fixture's gateway."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from local_gateway.integrations.exchange import AwsEnvironment
from local_gateway.runtime import RunningGateway
from local_gateway.testing import start_gateway

REGION, ACCOUNT = "us-east-1", "123456789012"


@pytest.fixture(scope="session")
def aws() -> Iterator[AwsEnvironment]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield AwsEnvironment(f"http://{host}:{port}", REGION, ACCOUNT)
    server.stop()


@pytest.fixture(scope="session")
def aws_client(aws: AwsEnvironment) -> Callable[[Any], Any]:
    """boto3 clients for the moto server: aws_client("sqs")."""

    def make(service: Any) -> Any:
        return boto3.client(
            service,
            endpoint_url=aws.endpoint_url,
            region_name=aws.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    return make


PIPELINE_TEMPLATE = Path(__file__).parents[1] / "fixtures" / "pipeline" / "template.yaml"


@pytest.fixture(scope="package")
def pipeline() -> Iterator[RunningGateway]:
    """The pipeline fixture template served over HTTP, shared by the test_pipeline_* modules.

    One gateway for all of them (starting one takes seconds); each test uses its own
    identities (tokens, keys, queue messages) so caches and buckets never cross tests.
    """
    with start_gateway(PIPELINE_TEMPLATE, poll_event_sources=True) as running:
        yield running
