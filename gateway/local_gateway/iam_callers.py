"""The local IAM callers: who may sign requests to the AWS_IAM methods of `make dev`.

For each `AWS::IAM::ManagedPolicy` of the template that allows `execute-api:Invoke`, the policy
is created in the local moto IAM as the template writes it (the API id and stage resolved) and
an IAM user `local-<policy's logical id>` gets it attached and one access key. Their keys go
into `.local/session.json` (`iam_callers`), so a client signs requests with the credentials a
real caller would hold, and the gateway checks them as API Gateway would (`iam_auth`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from local_gateway.local_aws import client
from local_gateway.policy import INVOKE_ACTION
from local_gateway.template import LoadedTemplate


@dataclass(frozen=True)
class IamCaller:
    user_name: str
    user_arn: str
    access_key_id: str
    secret_access_key: str
    policy_arn: str

    def to_json(self) -> dict[str, str]:
        return {
            "user_arn": self.user_arn,
            "access_key_id": self.access_key_id,
            "secret_access_key": self.secret_access_key,
            "policy_arn": self.policy_arn,
        }


def _allows_invoke(document: Any) -> bool:
    statements = document.get("Statement", []) if isinstance(document, dict) else []
    for statement in statements if isinstance(statements, list) else [statements]:
        actions = statement.get("Action", [])
        actions = [actions] if isinstance(actions, str) else actions
        if statement.get("Effect") == "Allow" and any(
            action.lower() in (INVOKE_ACTION.lower(), "execute-api:*") for action in actions
        ):
            return True
    return False


def provision_iam_callers(
    template: LoadedTemplate, endpoint_url: str, region: str
) -> list[IamCaller]:
    """The template's invoke policies in moto, each with a local user holding it."""
    iam = client("iam", endpoint_url, region)
    callers = []
    for logical_id in template.of_type("AWS::IAM::ManagedPolicy"):
        where = f"Resources.{logical_id}.Properties"
        properties = template.resolve(template.properties(logical_id), where)
        document = properties.get("PolicyDocument")
        if not _allows_invoke(document):
            continue
        policy_arn = iam.create_policy(
            PolicyName=str(properties.get("ManagedPolicyName") or logical_id),
            PolicyDocument=json.dumps(document),
            Description=str(properties.get("Description", "")),
        )["Policy"]["Arn"]
        user_name = f"local-{logical_id}"
        user = iam.create_user(UserName=user_name)["User"]
        iam.attach_user_policy(UserName=user_name, PolicyArn=policy_arn)
        key = iam.create_access_key(UserName=user_name)["AccessKey"]
        callers.append(
            IamCaller(
                user_name, user["Arn"], key["AccessKeyId"], key["SecretAccessKey"], policy_arn
            )
        )
    return callers
