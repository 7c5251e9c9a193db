"""The fork server reads botocore's data files once; each worker's sessions still get their own
loader, and nothing but those files' content is shared.

Lambda starts every execution environment afresh
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html): a session,
its credentials and its region belong to the environment that made them. botocore's bundled
data files are the same for every environment, so reading them once changes nothing a function
can tell apart, as long as each session gets its own loader and a custom data path is honoured.
"""

from pathlib import Path

import botocore.loaders
import botocore.session
import pytest

from local_gateway import botocore_warmup

CODE = """\
import boto3
from boto3 import session


def dynamodb():
    return boto3.client("dynamodb", config=None)


def bucket():
    return session.Session().resource("s3")


def not_a_client(name):
    return boto3.client(name)
"""


@pytest.fixture
def warmed(monkeypatch):
    """Warms the loader for DynamoDB, undoing the patch after the test."""
    monkeypatch.setattr(botocore.session, "create_loader", botocore.session.create_loader)
    return botocore_warmup.warm_data_loader(["dynamodb", "no-such-service"])


def test_the_services_are_those_the_code_makes_clients_of(tmp_path: Path):
    # Given code that makes a DynamoDB client and an S3 resource (and one of a variable name)
    (tmp_path / "aws.py").write_text(CODE)
    # When its services are looked for, then they are the two named
    assert botocore_warmup.services_used([tmp_path / "aws.py"]) == ["dynamodb", "s3"]


def test_a_new_session_starts_with_the_data_read_before_and_its_own_loader(warmed):
    # Given botocore's data read for DynamoDB (an unknown service is skipped)
    assert warmed == ["dynamodb"]
    # When two sessions are made afterwards
    first, second = botocore.session.Session(), botocore.session.Session()
    first_loader = first.get_component("data_loader")
    second_loader = second.get_component("data_loader")
    # Then each has its own loader, already holding what a cold loader reads from the files
    assert first_loader is not second_loader
    cold = botocore.loaders.create_loader()
    model = first_loader._cache[("load_service_model", "dynamodb", "service-2")]
    assert model == cold.load_service_model("dynamodb", "service-2")
    # And a client from it works as usual, with the session's own region and credentials
    client = first.create_client(
        "dynamodb", region_name="eu-west-3", aws_access_key_id="a", aws_secret_access_key="b"
    )
    assert client.meta.region_name == "eu-west-3"
    assert client.meta.service_model.service_name == "dynamodb"


def test_a_session_with_its_own_data_path_gets_botocores_loader_untouched(
    warmed, tmp_path, monkeypatch
):
    # Given a data path of the function's own (AWS_DATA_PATH)
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    # When a session is made, then its loader starts empty and searches that path first
    loader = botocore.session.Session().get_component("data_loader")
    assert loader._cache == {}
    assert str(tmp_path) in loader.search_paths
