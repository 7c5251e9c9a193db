"""AWS_IAM authorization: the caller's SigV4 signature, then its identity policies.

API Gateway's steps for a method whose authorization type is AWS_IAM, with its answers
(https://repost.aws/knowledge-center/api-gateway-iam-sigv4-mismatch; the date window and its
message as AWS's SigV4 services give them):

1. no `Authorization` header: 403 "Missing Authentication Token";
2. a header that is not a complete SigV4 one: 403 naming what it lacks;
3. a credential scope for another service or region, or a date outside 5 minutes of now: 403;
4. an access key the account does not know (or an inactive one): 403 "The security token
   included in the request is invalid.";
5. a signature that is not the one computed with the key's secret over the request as received
   (method, path, query, the signed headers, the payload's SHA-256): 403 "The request signature
   we calculated does not match...";
6. the caller's identity policies (inline and attached, its groups' too) do not allow
   `execute-api:Invoke` on the method ARN, or deny it: 403 "User: <arn> is not authorized...".

Credentials and policies are the local moto IAM's, read at request time, so a key created,
deactivated or a policy attached meanwhile counts at once. The signature is computed by
botocore's own SigV4 signer, told exactly which headers the caller signed.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import re
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from local_gateway import policy
from local_gateway.gateway_responses import missing_authentication_token
from local_gateway.http_messages import HttpRequest
from local_gateway.local_aws import client
from local_gateway.rejections import Rejection

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "execute-api"
DATE_WINDOW = datetime.timedelta(minutes=5)
_TIMESTAMP = "%Y%m%dT%H%M%SZ"
_PARAMETER = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")


def incomplete_signature(message: str) -> Rejection:
    return Rejection("INCOMPLETE_SIGNATURE", 403, message)


def invalid_signature(message: str) -> Rejection:
    return Rejection("INVALID_SIGNATURE", 403, message)


def access_denied(message: str) -> Rejection:
    return Rejection("ACCESS_DENIED", 403, message, message_key="Message")


@dataclass(frozen=True)
class SignedRequest:
    """The SigV4 parts of an `Authorization: AWS4-HMAC-SHA256 ...` header."""

    access_key: str
    scope_date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    timestamp: str  # X-Amz-Date


@dataclass(frozen=True)
class Caller:
    """The IAM user a request was signed by: what `requestContext.identity` shows of it."""

    access_key: str
    user_name: str
    user_id: str
    arn: str
    account_id: str

    def identity(self) -> dict[str, Any]:
        return {
            "accessKey": self.access_key,
            "accountId": self.account_id,
            "caller": self.user_id,
            "user": self.user_id,
            "userArn": self.arn,
        }


def parse_authorization(request: HttpRequest) -> SignedRequest:
    """The header's parts, or API Gateway's answer to a missing or incomplete one."""
    header = request.header("authorization")
    if not header:
        raise missing_authentication_token()
    found = dict(_PARAMETER.findall(header))
    timestamp = request.header("x-amz-date") or ""
    problems = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not found.get(name)
    ]
    if not timestamp:
        problems.append("Authorization header requires existence of either a 'X-Amz-Date' header.")
    if not header.startswith(ALGORITHM + " ") or problems:
        raise incomplete_signature(" ".join(problems) + f" Authorization={header}")
    parts = found["Credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise incomplete_signature(
            "Credential should be scoped to a valid region, not the one given. "
            f"Authorization={header}"
        )
    access_key, scope_date, region, service, _ = parts
    return SignedRequest(
        access_key=access_key,
        scope_date=scope_date,
        region=region,
        service=service,
        signed_headers=tuple(found["SignedHeaders"].split(";")),
        signature=found["Signature"],
        timestamp=timestamp,
    )


def check_scope_and_date(signed: SignedRequest, region: str, now: datetime.datetime) -> None:
    """The credential scope names this service, region and the request's date, within 5 min."""
    if signed.service != SERVICE:
        raise invalid_signature(f"Credential should be scoped to correct service: '{SERVICE}'. ")
    if signed.region != region:
        raise invalid_signature(
            f"Credential should be scoped to a valid region, not '{signed.region}'. "
        )
    try:
        signed_at = datetime.datetime.strptime(signed.timestamp, _TIMESTAMP).replace(
            tzinfo=datetime.UTC
        )
    except ValueError:
        raise incomplete_signature(
            f"Date must be in ISO-8601 'basic format'. Got '{signed.timestamp}'."
        ) from None
    if signed.timestamp[:8] != signed.scope_date:
        raise invalid_signature(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{signed.scope_date}' != '{signed.timestamp[:8]}', from "
            f"'{signed.timestamp}'."
        )
    if signed_at < now - DATE_WINDOW:
        earliest = (now - DATE_WINDOW).strftime(_TIMESTAMP)
        raise invalid_signature(
            f"Signature expired: {signed.timestamp} is now earlier than {earliest} "
            f"({now.strftime(_TIMESTAMP)} - 5 min.)"
        )
    if signed_at > now + DATE_WINDOW:
        latest = (now + DATE_WINDOW).strftime(_TIMESTAMP)
        raise invalid_signature(
            f"Signature not yet current: {signed.timestamp} is still later than {latest} "
            f"({now.strftime(_TIMESTAMP)} + 5 min.)"
        )


class _ReceivedRequestSigner(botocore.auth.SigV4Auth):
    """botocore's SigV4 over exactly the headers the caller signed, at the caller's time."""

    def __init__(
        self, credentials: botocore.credentials.Credentials, region: str, signed: SignedRequest
    ) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request: botocore.awsrequest.AWSRequest) -> Any:
        headers = botocore.awsrequest.HTTPHeaders()
        for name in self._signed.signed_headers:
            for value in request.headers.get_all(name) or []:
                headers[name] = value
        return headers


def expected_signature(
    request: HttpRequest, host: str, secret_key: str, signed: SignedRequest
) -> str:
    """The signature of the request as received, with the key's secret."""
    query = f"?{request.raw_query}" if request.raw_query else ""
    received = botocore.awsrequest.AWSRequest(
        method=request.method,
        url=f"http://{host}{request.raw_path}{query}",
        data=request.body,
    )
    for name, value in request.headers:
        received.headers[name] = value
    received.context["timestamp"] = signed.timestamp
    signer = _ReceivedRequestSigner(
        botocore.credentials.Credentials(signed.access_key, secret_key), signed.region, signed
    )
    canonical = signer.canonical_request(received)
    return str(signer.signature(signer.string_to_sign(received, canonical), received))


def check_payload_hash(request: HttpRequest) -> None:
    declared = request.header("x-amz-content-sha256")
    if declared is not None and declared != hashlib.sha256(request.body).hexdigest():
        raise invalid_signature(
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        )


class IamAuthorizer:
    """Checks AWS_IAM calls against the local moto IAM (keys, users, their policies)."""

    def __init__(self, endpoint_url: str, region: str, account_id: str) -> None:
        self.endpoint_url = endpoint_url
        self.region = region
        self.account_id = account_id

    def authorize(self, request: HttpRequest, host: str, method_arn: str) -> Caller:
        """The caller, or the Rejection API Gateway answers with."""
        signed = parse_authorization(request)
        check_scope_and_date(signed, self.region, datetime.datetime.now(datetime.UTC))
        key = self._access_key(signed.access_key)
        if key is None:
            raise Rejection(
                "INVALID_SIGNATURE",
                403,
                "The security token included in the request is invalid.",
                headers={"x-amzn-ErrorType": "UnrecognizedClientException"},
            )
        check_payload_hash(request)
        expected = expected_signature(request, host, key["secret_access_key"], signed)
        if not hmac.compare_digest(expected, signed.signature):
            raise invalid_signature(
                "The request signature we calculated does not match the signature you "
                "provided. Check your AWS Secret Access Key and signing method. Consult the "
                "service documentation for details."
            )
        caller = self._caller(signed.access_key, str(key["user_name"]))
        decision = self._decision(caller.user_name, method_arn)
        if decision is not policy.Decision.ALLOW:
            reason = (
                "with an explicit deny in an identity-based policy"
                if decision is policy.Decision.EXPLICIT_DENY
                else "because no identity-based policy allows the execute-api:Invoke action"
            )
            raise access_denied(
                f"User: {caller.arn} is not authorized to perform: execute-api:Invoke on "
                f"resource: {method_arn} {reason}"
            )
        return caller

    def _access_key(self, access_key_id: str) -> dict[str, Any] | None:
        """The active key's record in moto (IAM never gives a secret back after creation)."""
        url = f"{self.endpoint_url}/moto-api/data.json"
        with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310 - our loopback moto
            keys = json.load(reply).get("iam", {}).get("AccessKey", [])
        return next(
            (
                key
                for key in keys
                if key.get("access_key_id") == access_key_id and key.get("status") == "Active"
            ),
            None,
        )

    def _caller(self, access_key: str, user_name: str) -> Caller:
        user = client("iam", self.endpoint_url, self.region).get_user(UserName=user_name)["User"]
        return Caller(access_key, user_name, user["UserId"], user["Arn"], self.account_id)

    def _decision(self, user_name: str, method_arn: str) -> policy.Decision:
        """Every identity policy of the user and its groups, evaluated together."""
        statements: list[Any] = []
        for document in self._identity_policies(user_name):
            found = document.get("Statement", [])
            statements += [s for s in (found if isinstance(found, list) else [found]) if _counts(s)]
        if not statements:
            return policy.Decision.IMPLICIT_DENY
        return policy.evaluate({"Statement": statements}, method_arn)

    def _identity_policies(self, user_name: str) -> list[dict[str, Any]]:
        iam = client("iam", self.endpoint_url, self.region)
        documents = [
            iam.get_user_policy(UserName=user_name, PolicyName=name)["PolicyDocument"]
            for name in iam.list_user_policies(UserName=user_name)["PolicyNames"]
        ]
        attached = iam.list_attached_user_policies(UserName=user_name)["AttachedPolicies"]
        for group in iam.list_groups_for_user(UserName=user_name)["Groups"]:
            name = group["GroupName"]
            documents += [
                iam.get_group_policy(GroupName=name, PolicyName=policy_name)["PolicyDocument"]
                for policy_name in iam.list_group_policies(GroupName=name)["PolicyNames"]
            ]
            attached += iam.list_attached_group_policies(GroupName=name)["AttachedPolicies"]
        for managed in attached:
            version = iam.get_policy(PolicyArn=managed["PolicyArn"])["Policy"]["DefaultVersionId"]
            documents.append(
                iam.get_policy_version(PolicyArn=managed["PolicyArn"], VersionId=version)[
                    "PolicyVersion"
                ]["Document"]
            )
        return [_document(document) for document in documents]


def _counts(statement: Any) -> bool:
    """Statements this check evaluates: Action and Resource ones. An Allow under a Condition
    is left out (conditions are not evaluated locally: never allow more than AWS would); a
    Deny under one is kept."""
    if not isinstance(statement, dict) or "Action" not in statement or "Resource" not in statement:
        return False
    return "Condition" not in statement or statement.get("Effect") == "Deny"


def _document(document: Any) -> dict[str, Any]:
    """A policy document as IAM returns it: a dict, or URL-encoded JSON text."""
    if isinstance(document, str):
        parsed: dict[str, Any] = json.loads(urllib.parse.unquote(document))
        return parsed
    return dict(document)
