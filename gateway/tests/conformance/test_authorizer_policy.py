"""Conformance: a Lambda authorizer's policy decides as API Gateway decides.

AWS doc: api-gateway-lambda-authorizer-output.html and api-gateway-control-access-using-iam-
policies-to-invoke-api.html (the execute-api ARN format and its wildcards).
"""

from typing import Any

import pytest

from local_gateway.policy import Decision, MalformedPolicy, evaluate

ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/v1/users/42"


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(
    resource: str | list[str], action: str | list[str] = "execute-api:Invoke"
) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def deny(
    resource: str | list[str], action: str | list[str] = "execute-api:Invoke"
) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource}


def test_allow_on_the_exact_method_arn_allows():
    """An Allow for execute-api:Invoke on the method ARN allows the call.

    AWS doc: api-gateway-lambda-authorizer-output.html
    """
    # Given a policy allowing exactly this method
    # When it is evaluated for that method
    # Then the call is allowed
    assert evaluate(policy(allow(ARN)), ARN) is Decision.ALLOW


def test_star_wildcard_spans_stage_method_and_path_segments():
    """`*` in the Resource matches any characters, including `/`.

    AWS doc: api-gateway-control-access-using-iam-policies-to-invoke-api.html
    """
    # Given a policy allowing every method and path of the API on any stage
    document = policy(allow("arn:aws:execute-api:us-east-1:123456789012:abc123/*"))

    # When it is evaluated for a nested path
    # Then the call is allowed
    assert evaluate(document, ARN) is Decision.ALLOW


def test_question_mark_wildcard_matches_exactly_one_character():
    """`?` in the Resource matches one character.

    AWS doc: api-gateway-control-access-using-iam-policies-to-invoke-api.html
    """
    # Given a policy allowing users with a two-character id
    document = policy(
        allow("arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/v1/users/??")
    )

    # When it is evaluated for ids of two and three characters
    # Then only the two-character id is allowed
    assert evaluate(document, ARN) is Decision.ALLOW
    assert evaluate(document, ARN + "7") is Decision.IMPLICIT_DENY


def test_explicit_deny_wins_over_allow():
    """An explicit Deny overrides any Allow.

    AWS doc: api-gateway-lambda-authorizer-output.html (IAM policy evaluation logic)
    """
    # Given a policy allowing everything and denying this method
    document = policy(allow("*"), deny(ARN))

    # When it is evaluated
    # Then the call is explicitly denied
    assert evaluate(document, ARN) is Decision.EXPLICIT_DENY


def test_no_matching_allow_is_an_implicit_deny():
    """A policy that allows only other methods denies this one.

    AWS doc: api-gateway-lambda-authorizer-output.html
    """
    # Given a policy allowing only POST
    document = policy(allow("arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/*"))

    # When a GET is evaluated
    # Then it is denied without an explicit Deny
    assert evaluate(document, ARN) is Decision.IMPLICIT_DENY


def test_action_wildcards_and_lists_cover_invoke():
    """Action may be a list and may use wildcards such as execute-api:* or *.

    AWS doc: api-gateway-control-access-using-iam-policies-to-invoke-api.html
    """
    # Given Allow statements whose Action is a wildcard or a list
    # When each is evaluated
    # Then each allows the call
    assert evaluate(policy(allow(ARN, "execute-api:*")), ARN) is Decision.ALLOW
    assert evaluate(policy(allow(ARN, "*")), ARN) is Decision.ALLOW
    assert evaluate(policy(allow([ARN], ["s3:GetObject", "execute-api:Invoke"])), ARN) is (
        Decision.ALLOW
    )


def test_statement_for_another_action_does_not_allow():
    """A statement for another action (here execute-api:ManageConnections) does not allow Invoke.

    AWS doc: api-gateway-control-access-using-iam-policies-to-invoke-api.html
    """
    # Given an Allow on the ARN for another action
    document = policy(allow(ARN, "execute-api:ManageConnections"))

    # When it is evaluated
    # Then the call is denied
    assert evaluate(document, ARN) is Decision.IMPLICIT_DENY


def test_a_single_statement_object_is_accepted():
    """Statement may be one object instead of a list.

    AWS doc: api-gateway-lambda-authorizer-output.html
    """
    # Given a policy whose Statement is an object
    document = {"Version": "2012-10-17", "Statement": allow(ARN)}

    # When it is evaluated
    # Then it allows
    assert evaluate(document, ARN) is Decision.ALLOW


@pytest.mark.parametrize(
    "document",
    [
        {},
        {"Statement": "Allow"},
        policy({"Effect": "Permit", "Action": "execute-api:Invoke", "Resource": ARN}),
        policy({"Effect": "Allow", "Resource": ARN}),
        policy({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": 42}),
    ],
)
def test_malformed_policy_is_rejected(document):
    """A document that is not a valid policy cannot be evaluated (API Gateway answers 500).

    AWS doc: api-gateway-lambda-authorizer-output.html
    """
    # Given a malformed policy
    # When it is evaluated
    # Then it is rejected as malformed
    with pytest.raises(MalformedPolicy):
        evaluate(document, ARN)
