"""A real moto server on a free loopback port, shared by the conformance tests that call AWS."""

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from local_gateway.aws_integration import AwsEnvironment

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
