"""The authorizer and the template agree: what API Gateway lets through is what the code reads."""

from __future__ import annotations

from pathlib import Path

from authorizers.jwt_authorizer.verification import BEARER_VALIDATION_EXPRESSION
from local_gateway.template import parse_template_text

TEMPLATE = Path(__file__).parents[3] / "template.yaml"


def test_template_validation_expression_is_the_one_the_authorizer_enforces():
    # Given the JwtAuthorizer declared in template.yaml
    template = parse_template_text(TEMPLATE.read_text())
    authorizers = template["Resources"]["RestApi"]["Properties"]["Auth"]["Authorizers"]

    # When / Then its ValidationExpression is the pattern the function itself applies
    identity = authorizers["JwtAuthorizer"]["Identity"]
    assert identity["ValidationExpression"] == BEARER_VALIDATION_EXPRESSION
