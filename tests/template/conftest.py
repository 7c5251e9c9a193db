"""The template as CloudFormation receives it: transformed by aws-sam-translator, per stage.

SAM writes the REST API as an OpenAPI body, so these tests read what no linter sees: which
method has which guard, what each gateway response renders, what each role may do.
"""

import copy
from pathlib import Path
from typing import Any

import pytest
from samtranslator.translator.transform import transform

from scripts.preflight.stages import deployable_stages
from tests.support.template import template_document

ROOT = Path(__file__).resolve().parents[2]
# The stages whose numbers these tests know (thresholds, retention, WAF per stage).
STAGES = ("dev", "staging", "prod")
# Every stage samconfig.toml deploys: the three above and any a fork adds
# (docs/how-to/add-a-stage.md), checked for what holds for every stage.
DEPLOYED_STAGES = tuple(deployable_stages(ROOT / "samconfig.toml"))


class _NoManagedPolicyLookups:
    """The template names managed policies by ARN, so the transform never needs IAM."""

    def load(self) -> dict[str, str]:
        return {}


# What CloudFormation hands the SAM transform: api/openapi.yaml inlined (AWS::Include), the
# Fn::ForEach loops unrolled (tests/support/template.py).
_RAW = template_document()


def with_code_in_s3(template: dict[str, Any]) -> dict[str, Any]:
    """The transform accepts only S3 code locations; `sam deploy` uploads the local folders."""
    template = copy.deepcopy(template)
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(properties.get(key), str):
                properties[key] = f"s3://code-bucket/{properties[key].strip('/')}"
    return template


def transformed(stage: str) -> dict[str, Any]:
    parameters = {
        "Stage": stage,
        "AWS::Region": "us-east-1",
        "AWS::AccountId": "123456789012",
        "AWS::Partition": "aws",
        "AWS::StackName": f"sample-api-{stage}",
    }
    return transform(with_code_in_s3(_RAW), parameters, _NoManagedPolicyLookups())  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def raw_template() -> dict[str, Any]:
    return _RAW


@pytest.fixture(scope="session", params=STAGES)
def stage_template(request) -> tuple[str, dict[str, Any]]:
    """(stage, transformed template) for each stage."""
    return request.param, transformed(request.param)


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    return transformed("dev")


def resources_of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def rest_api_body(template: dict[str, Any]) -> dict[str, Any]:
    (api,) = resources_of_type(template, "AWS::ApiGateway::RestApi").values()
    return api["Properties"]["Body"]


def methods(template: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, METHOD, operation) for every method of the REST API."""
    return [
        (path, verb.upper(), operation)
        for path, item in rest_api_body(template)["paths"].items()
        for verb, operation in item.items()
        if isinstance(operation, dict)
    ]
