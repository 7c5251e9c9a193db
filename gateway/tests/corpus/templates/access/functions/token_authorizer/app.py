"""A TOKEN authorizer deciding by the token: `Bearer allow-<who>`, `deny-<who>`,
`exact-<who>` (allows only the method called), `unauthorized`, `fail` (raises), `malformed` (no
policy), `nested` (an object in the context). An allowed caller's context holds a string, a
number, a boolean, how many times this worker has been invoked (to see the cache at work) and
what the event said; `allow-keyed` also returns a usageIdentifierKey."""

from typing import Any

invocations = 0


def _policy(effect: str, resource: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
    }


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    global invocations
    invocations += 1
    decision, _, who = event["authorizationToken"].removeprefix("Bearer ").partition("-")
    if decision == "unauthorized":
        raise Exception("Unauthorized")
    if decision == "fail":
        raise RuntimeError("the authorizer broke")
    if decision == "malformed":
        return {"principalId": who}
    if decision == "nested":  # a context value that is an object, which API Gateway refuses
        return {
            "principalId": who,
            "policyDocument": _policy("Allow", event["methodArn"]),
            "context": {"profile": {"tier": "gold"}},
        }
    # A wildcard over the stage, so one cached policy serves every method of the API; `exact`
    # allows only the method called (the cache pitfall of a policy naming one method ARN).
    resource = event["methodArn"].split("/", 1)[0] + "/*"
    if decision == "exact":
        decision, resource = "allow", event["methodArn"]
    result = {
        "principalId": who,
        "policyDocument": _policy("Allow" if decision == "allow" else "Deny", resource),
        "context": {
            "tier": "gold",
            "count": 3,
            "flag": True,
            "invocations": invocations,
            "type": event["type"],
            "methodArn": event["methodArn"],
        },
    }
    if who == "keyed":  # for an API whose key source is AUTHORIZER
        result["usageIdentifierKey"] = "corpus-open-key-0000000000000000000000"
    return result
