"""Corpus: AWS_IAM (SigV4) methods, HTTP in and HTTP out, with API Gateway's default bodies.

Requests are signed by botocore as any SDK signs them; the callers are IAM users of the local
moto, the allowed one holding the fixture's managed policy.
"""

import datetime
import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
import requests

from local_gateway.local_aws import client
from local_gateway.runtime import RunningGateway
from local_gateway.testing import start_gateway

from .recorded import recorded

TEMPLATE = Path(__file__).parent / "templates" / "iam" / "template.yaml"
KNOWLEDGE_CENTER = (
    "AWS re:Post Knowledge Center, 'How do I troubleshoot signature mismatch errors when "
    "making SigV4 signed requests with IAM authentication to API Gateway?' "
    "(https://repost.aws/knowledge-center/api-gateway-iam-sigv4-mismatch): {}"
)


@dataclass(frozen=True)
class Caller:
    credentials: botocore.credentials.Credentials
    arn: str
    user_id: str


@pytest.fixture(scope="module")
def local() -> Iterator[RunningGateway]:
    with start_gateway(TEMPLATE) as running:
        yield running


@pytest.fixture(scope="module")
def allowed(local) -> Caller:
    (caller,) = local.session.iam_callers.values()
    iam = client("iam", local.session.aws_endpoint_url, local.session.region)
    user = iam.get_user(UserName="local-AllowedInvokePolicy")["User"]
    keys = botocore.credentials.Credentials(caller["access_key_id"], caller["secret_access_key"])
    return Caller(keys, user["Arn"], user["UserId"])


def signed(local, method, path, credentials, *, body=b"", at=None, **headers):
    request = botocore.awsrequest.AWSRequest(
        method, local.api_url + path, data=body, headers=headers
    )
    signer = botocore.auth.SigV4Auth(credentials, "execute-api", local.session.region)
    if at is None:
        signer.add_auth(request)
    else:
        request.context["timestamp"] = at.strftime("%Y%m%dT%H%M%SZ")
        signer._modify_request_before_signing(request)
        canonical = signer.canonical_request(request)
        signature = signer.signature(signer.string_to_sign(request, canonical), request)
        signer._inject_signature_to_request(request, signature)
    prepared = request.prepare()
    return requests.request(
        method, prepared.url, headers=dict(prepared.headers), data=body or None, timeout=30
    )


@recorded(KNOWLEDGE_CENTER.format("signed by an entity with execute-api:Invoke: the call runs"))
def test_a_request_signed_by_an_allowed_caller_reaches_the_integration(local, allowed):
    response = signed(local, "GET", "/allowed", allowed.credentials)

    assert response.status_code == 200, response.text


@recorded(
    "API Gateway developer guide, 'Amazon API Gateway Lambda proxy integration: input format' "
    "(requestContext.identity: accessKey, accountId, caller, user, userArn for IAM callers)"
)
def test_the_proxy_event_names_the_iam_caller(local, allowed):
    identity = signed(local, "GET", "/allowed", allowed.credentials).json()

    assert identity["userArn"] == allowed.arn
    assert identity["caller"] == allowed.user_id
    assert identity["user"] == allowed.user_id
    assert identity["accessKey"] == allowed.credentials.access_key
    assert identity["accountId"] == allowed.arn.split(":")[4]


@recorded(
    KNOWLEDGE_CENTER.format("a request that isn't signed gets 'Missing Authentication Token'")
)
def test_an_unsigned_request_is_403_missing_authentication_token(local):
    response = requests.get(local.api_url + "/allowed", timeout=30)

    assert response.status_code == 403
    assert response.json() == {"message": "Missing Authentication Token"}
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


@recorded(KNOWLEDGE_CENTER.format("a wrong secret key: 'The request signature we calculated...'"))
def test_a_wrong_secret_is_403_signature_does_not_match(local, allowed):
    wrong = botocore.credentials.Credentials(allowed.credentials.access_key, "wrong-secret")

    response = signed(local, "GET", "/allowed", wrong)

    assert response.status_code == 403
    assert response.json()["message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )


@recorded(KNOWLEDGE_CENTER.format("a body changed after signing: the signature does not match"))
def test_a_body_changed_after_signing_is_403(local, allowed):
    request = botocore.awsrequest.AWSRequest(
        "POST", local.api_url + "/allowed", data=b'{"amount": 1}'
    )
    botocore.auth.SigV4Auth(allowed.credentials, "execute-api", local.session.region).add_auth(
        request
    )
    headers = dict(request.prepare().headers)

    response = requests.post(
        local.api_url + "/allowed", headers=headers, data=b'{"amount": 1000}', timeout=30
    )

    assert response.status_code == 403
    assert "signature we calculated does not match" in response.json()["message"]


@recorded(KNOWLEDGE_CENTER.format("an incorrect access key: 'The security token ... is invalid.'"))
def test_an_unknown_access_key_is_403_invalid_security_token(local):
    unknown = botocore.credentials.Credentials("AKIAUNKNOWNKEY000000", "whatever")

    response = signed(local, "GET", "/allowed", unknown)

    assert response.status_code == 403
    assert response.json() == {"message": "The security token included in the request is invalid."}


@recorded(
    KNOWLEDGE_CENTER.format(
        "no execute-api:Invoke permission: 'User: arn:aws:iam::...:user/username is not "
        "authorized to perform: execute-api:Invoke on resource: ... because no identity-based "
        "policy allows the execute-api:Invoke action'"
    )
)
def test_a_method_the_policy_does_not_name_is_403_naming_caller_and_resource(local, allowed):
    response = signed(local, "GET", "/denied", allowed.credentials)

    assert response.status_code == 403
    api_id = local.gateway.apis[0].api_id
    resource = f"arn:aws:execute-api:{local.session.region}:{allowed.arn.split(':')[4]}:{api_id}"
    assert response.json() == {
        "Message": f"User: {allowed.arn} is not authorized to perform: execute-api:Invoke on "
        f"resource: {resource}/test/GET/denied because no identity-based policy allows the "
        "execute-api:Invoke action"
    }


@recorded(
    KNOWLEDGE_CENTER.format("the IAM entity used to sign needs execute-api:Invoke permissions")
)
def test_a_caller_with_no_policy_at_all_is_403(local):
    iam = client("iam", local.session.aws_endpoint_url, local.session.region)
    name = f"nobody-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    keys = botocore.credentials.Credentials(key["AccessKeyId"], key["SecretAccessKey"])

    response = signed(local, "GET", "/allowed", keys)

    assert response.status_code == 403
    assert "is not authorized to perform: execute-api:Invoke" in response.json()["Message"]


@recorded(
    "IAM User Guide, 'AWS Signature Version 4 for API requests' (a request must reach AWS "
    "within five minutes of its time stamp); message as AWS services send it, e.g. "
    "boto/botocore#149 and repost.aws question QUdUp8J3LVS_OdlzmjXq09RA (API Gateway, 403 "
    "InvalidSignatureException)"
)
def test_a_signature_older_than_five_minutes_is_403_signature_expired(local, allowed):
    at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=6)

    response = signed(local, "GET", "/allowed", allowed.credentials, at=at)

    assert response.status_code == 403
    message = response.json()["message"]
    assert message.startswith(f"Signature expired: {at.strftime('%Y%m%dT%H%M%SZ')} is now earlier")
    assert message.endswith(" - 5 min.)")


@recorded("IAM User Guide, 'AWS Signature Version 4 for API requests' (within five minutes)")
def test_a_signature_dated_six_minutes_ahead_is_403_not_yet_current(local, allowed):
    at = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=6)

    response = signed(local, "GET", "/allowed", allowed.credentials, at=at)

    assert response.status_code == 403
    assert response.json()["message"].startswith("Signature not yet current: ")


@recorded(
    "IAM User Guide, 'Elements of an AWS API request signature' (the credential scope names "
    "the service the request is for: execute-api for API Gateway)"
)
def test_a_signature_scoped_to_another_service_is_403(local, allowed):
    request = botocore.awsrequest.AWSRequest("GET", local.api_url + "/allowed")
    botocore.auth.SigV4Auth(allowed.credentials, "s3", local.session.region).add_auth(request)

    response = requests.get(
        local.api_url + "/allowed", headers=dict(request.prepare().headers), timeout=30
    )

    assert response.status_code == 403
    assert response.json()["message"] == (
        "Credential should be scoped to correct service: 'execute-api'. "
    )


@recorded(
    "IAM User Guide, 'Create a signed AWS API request' (x-amz-content-sha256 carries the "
    "payload's hash; the signature covers it)"
)
def test_a_payload_hash_that_is_not_the_bodys_is_403(local, allowed):
    body = b'{"a": 1}'
    wrong_hash = hashlib.sha256(b"something else").hexdigest()

    response = signed(
        local,
        "POST",
        "/allowed",
        allowed.credentials,
        body=body,
        **{"X-Amz-Content-SHA256": wrong_hash},
    )

    assert response.status_code == 403
