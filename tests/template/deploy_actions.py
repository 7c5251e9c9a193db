"""The IAM actions CloudFormation calls to create, update and delete a template's resources.

Read from the resource provider schemas cfn-lint ships (`handlers.{create,update,delete}
.permissions` of each resource type, us-east-1's schemas), keeping the actions IAM knows
(cfn-lint's own IAM action table: a few schemas name S3 log operations or retired action names
no policy can grant, e.g. `s3:DeleteBucketCors`, which IAM authorises as `s3:PutBucketCORS`).
"""

import fnmatch
import json
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint

SCHEMAS = Path(cfnlint.__file__).parent / "data" / "schemas"
IAM_ACTIONS = Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json"
HANDLERS = ("create", "update", "delete")


@cache
def _schema_index(region: str = "us-east-1") -> dict[str, str]:
    index: dict[str, str] = json.loads((SCHEMAS / "providers" / f"{region}.json").read_text())
    return index


@cache
def _known_actions() -> dict[str, set[str]]:
    services = json.loads(IAM_ACTIONS.read_text())
    return {name: set(service["Actions"]) for name, service in services.items()}


def is_iam_action(action: str) -> bool:
    service, _, name = action.partition(":")
    return name.lower() in _known_actions().get(service, set())


def handler_actions(resource_type: str) -> set[str]:
    """The IAM actions the type's create, update and delete handlers call."""
    schema: dict[str, Any] = json.loads(
        (SCHEMAS / "resources" / f"{_schema_index()[resource_type]}.json").read_text()
    )
    handlers = schema.get("handlers", {})
    listed = {
        action for step in HANDLERS for action in handlers.get(step, {}).get("permissions", [])
    }
    return {action for action in listed if is_iam_action(action)}


def resource_types(template: dict[str, Any]) -> set[str]:
    return {resource["Type"] for resource in template["Resources"].values()}


def needed_actions(templates: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Action -> the resource types that need it, over every template."""
    needed: dict[str, set[str]] = {}
    for resource_type in sorted(set().union(*(resource_types(t) for t in templates))):
        for action in handler_actions(resource_type):
            needed.setdefault(action, set()).add(resource_type)
    return needed


def role_documents(template: dict[str, Any], role: str) -> list[dict[str, Any]]:
    """The policy documents of a role: its inline policies, then the template's managed
    policies it attaches."""
    properties = template["Resources"][role]["Properties"]
    inline = [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
    attached = [
        template["Resources"][arn["Ref"]]["Properties"]["PolicyDocument"]
        for arn in properties.get("ManagedPolicyArns", [])
        if isinstance(arn, dict) and "Ref" in arn
    ]
    return inline + attached


def granted_actions(documents: list[dict[str, Any]]) -> list[str]:
    """Every action the policy documents allow, as written."""
    return [
        action
        for document in documents
        for statement in document["Statement"]
        if statement["Effect"] == "Allow"
        for action in (
            [statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"]
        )
    ]


def missing_actions(needed: set[str], granted: list[str]) -> set[str]:
    """Needed actions no granted action covers (IAM matches actions case-insensitively)."""
    patterns = [action.lower() for action in granted]
    return {
        action
        for action in needed
        if not any(fnmatch.fnmatchcase(action.lower(), pattern) for pattern in patterns)
    }
