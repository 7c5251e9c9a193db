"""Scopes decide the routes: the policy lists exactly the method ARNs the caller's scopes
open, so API Gateway's cached copy is right for every route the caller tries next.
"""

from __future__ import annotations

import pytest

from authorizers.jwt_authorizer.app import Unauthorized
from authorizers.jwt_authorizer.policy import Route, ScopeRoutes, build_policy, stage_arn
from authorizers.jwt_authorizer.verification import VerifiedToken
from tests.unit.authorizers.fakes import (
    GET_TELEMETRY,
    POST_PRODUCTS,
    POST_TELEMETRY,
    SCOPE_ROUTES_JSON,
    STAGE_ARN,
    policy_allows,
    token_event,
)

pytestmark = pytest.mark.domain("jwt-authorizer")

GUARDED_ROUTES = {
    "products:write": POST_PRODUCTS,
    "telemetry:write": POST_TELEMETRY,
    "telemetry:read": GET_TELEMETRY,
}


@pytest.mark.parametrize("scope", sorted(GUARDED_ROUTES))
def test_each_scope_allows_its_route_and_no_other(authorizer, mint, scope):
    # Given a token carrying only one of the scopes of docs/contract.md
    token = mint(scope=scope)

    # When the authorizer answers for that scope's route
    policy = authorizer.authorize(token_event(token, GUARDED_ROUTES[scope]))

    # Then the policy allows that route and none of the others
    allowed = {route for route, arn in GUARDED_ROUTES.items() if policy_allows(policy, arn)}
    assert allowed == {scope}


def test_policy_lists_exactly_the_method_arns_of_the_token_scopes(authorizer, mint):
    # Given a token with both telemetry scopes and one unrelated scope
    token = mint(scope="telemetry:read telemetry:write profile")

    # When the authorizer answers
    policy = authorizer.authorize(token_event(token, POST_TELEMETRY))

    # Then one Allow statement lists exactly the two telemetry method ARNs; the path
    # parameter is a wildcard
    assert policy["policyDocument"]["Statement"] == [
        {
            "Action": "execute-api:Invoke",
            "Effect": "Allow",
            "Resource": [f"{STAGE_ARN}/GET/v1/telemetry/*", f"{STAGE_ARN}/POST/v1/telemetry"],
        }
    ]


def test_policy_cached_for_one_route_serves_the_callers_other_routes_and_grants_nothing_more(
    authorizer, mint
):
    # Given API Gateway cached the policy it got for a device's POST /v1/telemetry
    token = mint(scope="telemetry:write telemetry:read")
    cached = authorizer.authorize(token_event(token, POST_TELEMETRY))

    # When the same device calls its other routes within the TTL (the policy is reused)
    # Then its other permitted route still works, and a route outside its scopes stays closed
    assert policy_allows(cached, GET_TELEMETRY)
    assert not policy_allows(cached, POST_PRODUCTS)


def test_valid_token_without_the_routes_scope_gets_a_policy_that_does_not_allow_it(
    authorizer, mint
):
    # Given a valid token whose scope opens only POST /v1/products
    token = mint(scope="products:write")

    # When the authorizer is asked about GET /v1/telemetry/{deviceId}
    policy = authorizer.authorize(token_event(token, GET_TELEMETRY))

    # Then it answers with a policy (403), not Unauthorized (401), that does not allow it
    assert not policy_allows(policy, GET_TELEMETRY)


def test_valid_token_with_no_known_scope_is_denied_every_route(authorizer, mint):
    # Given a valid token whose scopes open nothing this API guards
    token = mint(scope="openid profile")

    # When the authorizer answers
    policy = authorizer.authorize(token_event(token, POST_PRODUCTS))

    # Then the policy is an explicit Deny and allows none of the guarded routes
    assert policy["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert not any(policy_allows(policy, arn) for arn in GUARDED_ROUTES.values())


def test_token_without_any_scope_claim_is_denied_every_route(authorizer, mint):
    # Given a valid token with neither `scope` nor `scp`
    token = mint(scope=None)

    # When the authorizer answers
    policy = authorizer.authorize(token_event(token, POST_PRODUCTS))

    # Then nothing is allowed
    assert not any(policy_allows(policy, arn) for arn in GUARDED_ROUTES.values())


@pytest.mark.parametrize(
    "scp", [["telemetry:read"], "telemetry:read"], ids=["list", "space-separated"]
)
def test_scp_claim_is_read_when_there_is_no_scope_claim(authorizer, mint, scp):
    # Given a token carrying its scopes in `scp` (Okta, Entra ID)
    token = mint(scope=None, scp=scp)

    # When the authorizer answers for the telemetry read route
    policy = authorizer.authorize(token_event(token, GET_TELEMETRY))

    # Then the scope is honoured
    assert policy_allows(policy, GET_TELEMETRY)


@pytest.mark.parametrize("scope", [42, ["ok", 7], {"telemetry:read": True}])
def test_malformed_scope_claim_is_unauthorized(authorizer, mint, scope):
    # Given a signed token whose scope claim is neither a string nor a list of strings
    token = mint(scope=scope)

    # When / Then it is refused as invalid
    with pytest.raises(Unauthorized):
        authorizer.authorize(token_event(token))


def test_principal_and_context_carry_subject_scopes_and_tenant(authorizer, mint):
    # Given a token for a tenant's client
    token = mint(sub="device-fleet-7", scope="telemetry:write telemetry:read", tenant="acme")

    # When the authorizer answers
    policy = authorizer.authorize(token_event(token, POST_TELEMETRY))

    # Then principalId is the subject and the context carries subject, scopes and tenant
    assert policy["principalId"] == "device-fleet-7"
    assert policy["context"] == {
        "sub": "device-fleet-7",
        "scopes": "telemetry:read telemetry:write",
        "tenant": "acme",
    }


def test_context_has_no_tenant_when_the_token_has_none(authorizer, mint):
    # Given a token without a tenant claim
    token = mint()

    # When the authorizer answers
    policy = authorizer.authorize(token_event(token))

    # Then the context has no tenant key
    assert "tenant" not in policy["context"]


@pytest.mark.parametrize(
    "method_arn",
    [None, "", "not-an-arn", "arn:aws:s3:::bucket/key", "arn:aws:execute-api:eu-west-1:1:api"],
)
def test_event_without_a_usable_method_arn_is_unauthorized(authorizer, mint, method_arn):
    # Given an event whose methodArn cannot be turned into the stage's ARN
    event = token_event(mint())
    event["methodArn"] = method_arn

    # When / Then the authorizer fails closed
    with pytest.raises(Unauthorized):
        authorizer.authorize(event)


def test_stage_arn_is_the_method_arn_up_to_the_stage():
    # Given / When the stage ARN is read from a method ARN with a path parameter value
    # Then it is everything before the method
    assert stage_arn(f"{STAGE_ARN}/GET/v1/telemetry/device-42") == STAGE_ARN


def test_route_path_parameters_become_wildcards():
    # Given a route with a path parameter
    route = Route.parse("GET /v1/telemetry/{deviceId}")

    # When its method ARN is built
    # Then the parameter matches any value of that segment
    assert route.method_arn(STAGE_ARN) == f"{STAGE_ARN}/GET/v1/telemetry/*"


@pytest.mark.parametrize("text", ["POST/v1/products", "FETCH /v1/x", "GET v1/x", "GET /v1/ x", ""])
def test_route_that_is_not_method_and_path_is_refused(text):
    # Given / When / Then a malformed route in SCOPE_ROUTES is a configuration error
    with pytest.raises(ValueError, match="not a route"):
        Route.parse(text)


@pytest.mark.parametrize(
    "text", ['["POST /v1/products"]', '{"products:write": "POST /v1/products"}', "{"]
)
def test_scope_routes_that_are_not_a_map_of_route_lists_are_refused(text):
    # Given / When / Then SCOPE_ROUTES of the wrong shape is a configuration error
    with pytest.raises(ValueError):  # noqa: PT011 - json.JSONDecodeError is a ValueError too
        ScopeRoutes.from_json(text)


def test_build_policy_never_allows_a_wildcard_method_or_path():
    # Given every scope this API knows
    token = VerifiedToken(subject="s", scopes=frozenset(GUARDED_ROUTES), tenant=None)

    # When the policy is built
    policy = build_policy(token, STAGE_ARN, ScopeRoutes.from_json(SCOPE_ROUTES_JSON))

    # Then no allowed resource opens every method or every path of the stage
    resources = policy["policyDocument"]["Statement"][0]["Resource"]
    assert all(not arn.startswith(f"{STAGE_ARN}/*") for arn in resources)
    assert f"{STAGE_ARN}/POST/*" not in resources
