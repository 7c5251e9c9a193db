"""A REQUEST authorizer allowing the tenant named by the `tenant` query string when the
`X-Caller` header is not `blocked`; its context echoes what it was given."""

from typing import Any

invocations = 0


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    global invocations
    invocations += 1
    caller = event["headers"].get("X-Caller") or event["headers"].get("x-caller")
    tenant = event["queryStringParameters"]["tenant"]
    effect = "Deny" if caller == "blocked" else "Allow"
    return {
        "principalId": f"{tenant}:{caller}",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}
            ],
        },
        "context": {
            "tenant": tenant,
            "invocations": invocations,
            "type": event["type"],
            "methodArn": event["methodArn"],
            "resource": event["resource"],
            "path": event["path"],
            "httpMethod": event["httpMethod"],
        },
    }
