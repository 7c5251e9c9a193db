import boto3
import pytest
from moto import mock_aws

from sample_api import aws

pytestmark = pytest.mark.domain("core")


def test_clients_use_standard_retries_and_short_timeouts():
    config = aws.dynamodb().meta.config

    assert config.retries["mode"] == "standard"
    assert config.retries["total_max_attempts"] == aws.MAX_ATTEMPTS
    assert config.connect_timeout == aws.CONNECT_TIMEOUT_SECONDS
    assert config.read_timeout == aws.READ_TIMEOUT_SECONDS
    # All attempts together stay under the functions' 10 s timeout.
    assert aws.MAX_ATTEMPTS * (aws.CONNECT_TIMEOUT_SECONDS + aws.READ_TIMEOUT_SECONDS) < 29


def test_each_client_is_created_once_and_reused():
    assert aws.s3() is aws.s3()
    assert aws.sqs() is aws.sqs()
    assert aws.dynamodb() is aws.dynamodb()


@mock_aws
def test_clients_reach_moto_when_created_inside_the_mock():
    # Given a client factory that was never called in this mock
    aws.sqs.cache_clear()
    boto3.client("sqs").create_queue(QueueName="readings")

    # When the shared client lists queues
    urls = aws.sqs().list_queues()["QueueUrls"]

    # Then it sees moto's queue
    assert [url.rsplit("/", 1)[-1] for url in urls] == ["readings"]
    aws.sqs.cache_clear()
