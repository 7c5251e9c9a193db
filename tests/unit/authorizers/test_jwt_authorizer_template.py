"""The authorizer and the API definition agree: what API Gateway lets through is what the code
reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from authorizers.jwt_authorizer.verification import BEARER_VALIDATION_EXPRESSION
from local_gateway.template import read_template

pytestmark = pytest.mark.domain("jwt-authorizer")

TEMPLATE = Path(__file__).parents[3] / "template.yaml"


def test_template_validation_expression_is_the_one_the_authorizer_enforces():
    # Given the JwtAuthorizer the API declares (api/openapi.yaml, which template.yaml includes)
    template = read_template(TEMPLATE)
    body = template["Resources"]["RestApi"]["Properties"]["DefinitionBody"]
    scheme = body["components"]["securitySchemes"]["JwtAuthorizer"]

    # When / Then its identity validation expression is the pattern the function itself applies
    authorizer = scheme["x-amazon-apigateway-authorizer"]
    assert authorizer["identityValidationExpression"] == BEARER_VALIDATION_EXPRESSION
