"""GET /v1/internal/users/{id} end to end: internal services sign their requests with IAM (SigV4).

Locally the caller is the IAM user `make dev` creates for InternalUsersInvokePolicy (its key is
in the session); against a deployed stage it is the key in `E2E_IAM_ACCESS_KEY_ID` /
`E2E_IAM_SECRET_ACCESS_KEY` (and `E2E_IAM_SESSION_TOKEN` for a role's credentials), whose
identity must hold that policy. Requests are signed with botocore, as any AWS SDK signs them.
"""

import datetime
import os
import re
import uuid
from dataclasses import dataclass

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
import requests

from local_gateway.local_aws import client
from tests.support.e2e import ADMIN, HTTP_TIMEOUT_SECONDS, assert_error, deployed_api_url

pytestmark = [pytest.mark.e2e, pytest.mark.domain("users")]

IAM_VARIABLES = ("E2E_IAM_ACCESS_KEY_ID", "E2E_IAM_SECRET_ACCESS_KEY")


@dataclass(frozen=True)
class Signer:
    """Signs requests for the API's region with one set of IAM credentials."""

    credentials: botocore.credentials.Credentials
    region: str

    def get(self, url: str, **headers: str) -> requests.Response:
        request = botocore.awsrequest.AWSRequest("GET", url, headers=headers)
        botocore.auth.SigV4Auth(self.credentials, "execute-api", self.region).add_auth(request)
        prepared = request.prepare()
        return requests.get(url, headers=dict(prepared.headers), timeout=HTTP_TIMEOUT_SECONDS)


@pytest.fixture(scope="module")
def signer(request) -> Signer:
    url = deployed_api_url()
    if url is None:
        session = request.getfixturevalue("local").session
        caller = session.iam_callers["local-InternalUsersInvokePolicy"]
        credentials = botocore.credentials.Credentials(
            caller["access_key_id"], caller["secret_access_key"]
        )
        return Signer(credentials, session.region)
    if not all(os.environ.get(name) for name in IAM_VARIABLES):
        pytest.skip(f"no IAM credentials for the internal route: set {', '.join(IAM_VARIABLES)}")
    region = re.search(r"\.execute-api\.([a-z0-9-]+)\.", url)
    assert region, f"API_URL {url} is not an execute-api URL"
    credentials = botocore.credentials.Credentials(
        os.environ["E2E_IAM_ACCESS_KEY_ID"],
        os.environ["E2E_IAM_SECRET_ACCESS_KEY"],
        os.environ.get("E2E_IAM_SESSION_TOKEN") or None,
    )
    return Signer(credentials, region.group(1))


@pytest.fixture(scope="module")
def user(api) -> dict[str, str]:
    body = {"name": "Internal Reader", "email": f"internal-{uuid.uuid4().hex}@example.com"}
    created = api.request("POST", "/v1/users", user=ADMIN, json=body)
    assert created.status_code == 201, created.text
    return created.json()


def test_a_request_signed_by_the_allowed_principal_reads_the_user(api, signer, user):
    # When the internal caller signs a read of the user
    response = signer.get(f"{api.api_url}/v1/internal/users/{user['id']}")

    # Then it is the user, as /v1 shows it
    assert response.status_code == 200, response.text
    assert response.json() == user


def test_an_unsigned_request_is_refused_before_the_function(api, user):
    # When the route is called with no signature at all
    response = api.request("GET", f"/v1/internal/users/{user['id']}")

    # Then API Gateway answers "Missing Authentication Token" (403), the gateway response type
    # an unknown route gets too, which this API turns into the contract's 404 for an unknown
    # route (docs/how-to/add-an-iam-authorized-route.md)
    error = assert_error(response, 404, "NOT_FOUND")
    assert "id" not in response.json()
    assert error["message"] == "No route matches this method and path."


def test_a_request_signed_with_a_wrong_secret_is_403(api, signer, user):
    wrong = botocore.credentials.Credentials(signer.credentials.access_key, "not-the-secret")

    response = Signer(wrong, signer.region).get(f"{api.api_url}/v1/internal/users/{user['id']}")

    error = assert_error(response, 403, "FORBIDDEN")
    assert error["message"].startswith("The request signature we calculated does not match")


def test_a_signature_older_than_five_minutes_is_403(api, signer, user, monkeypatch):
    # Given a client whose clock is six minutes behind
    skewed = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) - datetime.timedelta(
        minutes=6
    )
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *args, **kwargs: skewed)

    # When it signs a read
    response = signer.get(f"{api.api_url}/v1/internal/users/{user['id']}")

    # Then the signature has expired
    error = assert_error(response, 403, "FORBIDDEN")
    assert error["message"].startswith("Signature expired: ")
    assert "is now earlier than" in error["message"]


@pytest.mark.local_only(reason="creates an IAM user in the local moto")
def test_a_principal_without_the_policy_is_403_naming_it(api, local, user):
    # Given an IAM user of the account with a key but no policy
    iam = client("iam", local.session.aws_endpoint_url, local.session.region)
    name = f"e2e-no-policy-{uuid.uuid4().hex[:8]}"
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    key = iam.create_access_key(UserName=name)["AccessKey"]
    credentials = botocore.credentials.Credentials(key["AccessKeyId"], key["SecretAccessKey"])

    # When it signs a read, correctly
    response = Signer(credentials, local.session.region).get(
        f"{api.api_url}/v1/internal/users/{user['id']}"
    )

    # Then it is authenticated but not allowed
    error = assert_error(response, 403, "FORBIDDEN")
    assert error["message"].startswith(
        f"User: {arn} is not authorized to perform: execute-api:Invoke on resource: "
        "arn:aws:execute-api:"
    )
    assert error["message"].endswith(
        f"/GET/v1/internal/users/{user['id']} because no identity-based policy allows the "
        "execute-api:Invoke action"
    )


@pytest.mark.local_only(reason="reads the function's event inside the local gateway")
def test_the_function_sees_the_callers_iam_identity(api, local, signer, user, monkeypatch):
    # Given the events the function receives are recorded
    pool = local.gateway.pools["GetInternalUserFunction"]
    events = []
    invoke = pool.invoke

    def recording(event, request_id, timeout=None):
        events.append(event)
        return invoke(event, request_id, timeout)

    monkeypatch.setattr(pool, "invoke", recording)

    # When the allowed principal reads the user
    response = signer.get(f"{api.api_url}/v1/internal/users/{user['id']}")

    # Then requestContext.identity names the caller as on AWS
    assert response.status_code == 200, response.text
    identity = events[-1]["requestContext"]["identity"]
    caller = local.session.iam_callers["local-InternalUsersInvokePolicy"]
    assert identity["userArn"] == caller["user_arn"]
    assert identity["accessKey"] == caller["access_key_id"]
    iam = client("iam", local.session.aws_endpoint_url, local.session.region)
    user_id = iam.get_user(UserName="local-InternalUsersInvokePolicy")["User"]["UserId"]
    assert identity["caller"] == identity["user"] == user_id
    assert identity["accountId"] == caller["user_arn"].split(":")[4]
