"""The AWS service integration (`type: aws`): the local moto called as the integration's role.

The URI names the service and either an action (`dynamodb:action/Query`: DynamoDB's JSON 1.0
target header, or a query-protocol form as SQS takes it) or a path (`s3:path/{bucket}/{key}`).
The request is signed with SigV4 as the role would sign it (local credentials); a query-protocol
reply asked for in JSON comes back in JSON, as from AWS (moto answers XML).
https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-request-basic-setup.html
"""

from __future__ import annotations

import re
import urllib.parse

import botocore.auth
import botocore.awsrequest
import botocore.credentials

from local_gateway.integrations import query_json
from local_gateway.integrations.exchange import (
    DEFAULT_CONTENT_TYPE,
    AwsEnvironment,
    EndpointResponse,
    IntegrationRequest,
    fill_uri,
    header,
)
from local_gateway.integrations.http_client import send
from local_gateway.local_aws import LOCAL_CREDENTIALS

# The integration's role, locally: the credentials every local process signs with.
ROLE_CREDENTIALS = botocore.credentials.Credentials(
    LOCAL_CREDENTIALS["AWS_ACCESS_KEY_ID"],
    LOCAL_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    LOCAL_CREDENTIALS["AWS_SESSION_TOKEN"],
)
# Services API Gateway calls in AWS's JSON protocol: the action goes into X-Amz-Target.
JSON_TARGET_PREFIXES = {"dynamodb": "DynamoDB_20120810"}
_SERVICE_URI = re.compile(r"arn:aws[\w-]*:apigateway:([\w-]+):([\w.-]+):(action|path)/(.*)")


def call(
    request: IntegrationRequest, aws: AwsEnvironment, timeout_seconds: float
) -> EndpointResponse:
    """The service's answer to the integration request."""
    match = _SERVICE_URI.fullmatch(request.uri)
    if match is None:
        raise ValueError(f"not an AWS service integration URI: {request.uri}")
    _region, subdomain, form, rest = match.groups()
    # `s3:path/...` or `dynamodb:action/...`; a subdomain form `bucket.s3` is not used locally.
    service = subdomain.split(".")[-1]
    method = str(request.integration.get("httpMethod", "POST")).upper()
    if method == "ANY":  # the method request's own method goes to the service
        method = request.method_request.http_method
    parameters = request.parameters
    headers = dict(parameters["header"])
    # API Gateway asks AWS services for JSON unless the integration maps its own Accept.
    if header(headers, "accept") is None:
        headers["Accept"] = DEFAULT_CONTENT_TYPE
    query = dict(parameters["querystring"])
    path = "/"
    if form == "action":
        action = rest.split("&")[0]
        if service in JSON_TARGET_PREFIXES:
            headers.setdefault("X-Amz-Target", f"{JSON_TARGET_PREFIXES[service]}.{action}")
            headers.setdefault("Content-Type", "application/x-amz-json-1.0")
        else:
            query.setdefault("Action", action)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    else:
        path = "/" + fill_uri(rest, parameters["path"]).lstrip("/")
        if service == "sqs":
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    url = aws.endpoint_url.rstrip("/") + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    body = request.body
    aws_request = botocore.awsrequest.AWSRequest(method=method, url=url, data=body, headers=headers)
    signer_class = botocore.auth.S3SigV4Auth if service == "s3" else botocore.auth.SigV4Auth
    signer_class(ROLE_CREDENTIALS, service, aws.region).add_auth(aws_request)
    prepared = aws_request.prepare()
    reply = send(
        prepared.method, prepared.url, dict(prepared.headers.items()), body, timeout_seconds
    )
    if (
        service not in JSON_TARGET_PREFIXES
        and service != "s3"
        and query_json.asks_for_json(headers)
    ):
        return query_json.in_json(reply)
    return reply
