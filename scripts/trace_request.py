"""`make trace`: one GET /v1/users/{id} through its handler against moto, its trace on stdout.

The function runs as Lambda runs it (its folder and the layer's package on the path), with
``OTEL_TRACES_EXPORTER=console``: each span is printed as one JSON line as it ends, the
DynamoDB GetItem span first, then the handler span it belongs to. A summary goes to stderr.
"""

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from moto import mock_aws
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_LAMBDA_FUNCTION_NAME": "GetUserFunction",
    "POWERTOOLS_SERVICE_NAME": "users",
    "POWERTOOLS_METRICS_NAMESPACE": "SampleApi",
    "POWERTOOLS_LOG_LEVEL": "WARNING",
    "OTEL_TRACES_EXPORTER": "console",
    "TABLE_NAME": "UsersTable",
}


@dataclass
class Context:
    """The parts of Lambda's context the handler reads."""

    function_name: str = "GetUserFunction"
    function_version: str = "1"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:GetUserFunction"
    aws_request_id: str = "0c9d0b0e-0000-4000-8000-00000000trace"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def create_users_table() -> None:
    import boto3

    properties = yaml_parse((ROOT / "template.yaml").read_text())["Resources"]["UsersTable"]
    shape = ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")
    boto3.client("dynamodb").create_table(
        TableName="UsersTable",
        BillingMode="PAY_PER_REQUEST",
        **{k: v for k, v in properties["Properties"].items() if k in shape},
    )


def main() -> None:
    os.environ.pop("POWERTOOLS_TRACE_DISABLED", None)
    os.environ.update(ENVIRONMENT)
    sys.path[:0] = [str(ROOT / "functions" / "get_user"), str(ROOT / "layers" / "shared")]
    with mock_aws():
        from opentelemetry.sdk.trace import TracerProvider

        from sample_api import tracing
        from sample_api.observability import metrics
        from sample_api.users.logic import create_user
        from sample_api.users.models import CreateUser
        from sample_api.users.repository import get_user_repository

        create_users_table()
        tracing.use_provider(TracerProvider())  # the setup's own calls are not printed
        new = CreateUser(name="Ada King Lovelace", email="ada@example.com")
        user = create_user(new, get_user_repository())
        metrics.clear_metrics()
        tracing.use_provider(None)

        import app  # type: ignore[import-not-found]  # functions/get_user/app.py, as Lambda

        event = json.loads((ROOT / "events" / "get_user.json").read_text())
        event["path"] = f"/v1/users/{user.id}"
        event["pathParameters"] = {"id": user.id}
        response = app.handler(event, Context())
    print(f"GET {event['path']} -> {response['statusCode']}", file=sys.stderr)


if __name__ == "__main__":
    main()
