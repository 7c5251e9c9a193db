"""What every gateway test shares, run from this folder (`pytest`, the gateway alone) or from
the repository's root with the app's tests."""

import os

# Set before any boto3 client exists: a client that escaped the local moto signs with these
# and is refused, rather than finding real credentials.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
)
