"""Fixtures shared by the project's tests: AWS credentials that can never reach AWS."""

import os

# Set before any boto3 client exists: a test that escaped moto would fail to sign, not call AWS.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_METRICS_NAMESPACE="SampleApiTests",
    POWERTOOLS_SERVICE_NAME="tests",
)
