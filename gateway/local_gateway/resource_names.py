"""What each resource of the template is called, as CloudFormation would name it: its `Ref`
(a physical name, URL or id) and its `GetAtt` attributes (ARNs, domain names).
"""

from __future__ import annotations

from collections.abc import Callable

from local_gateway.api import local_api_id
from local_gateway.errors import TemplateError
from local_gateway.template import ACCOUNT_ID, LoadedTemplate

# register(logical_id, ref, **attributes): records a resource's Ref and GetAtt values.
Register = Callable[..., None]


def function_name_of(reference: str) -> str:
    """The function a Lambda name, ARN or partial ARN names, without its version or alias."""
    parts = reference.split(":")
    if "function" in parts[:-1]:
        return parts[parts.index("function") + 1]
    return parts[0]


def resource_arn(service: str, region: str, resource: str) -> str:
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{resource}"


def physical_name(
    template: LoadedTemplate, logical_id: str, name_property: str | None, *, lower: bool = False
) -> str:
    """The name property's value, or CloudFormation's `<stack>-<logical id>`."""
    if name_property and name_property in template.properties(logical_id):
        return str(template.resolved_property(logical_id, name_property))
    name = f"{template.context.stack_name}-{logical_id}"
    return name.lower()[:63] if lower else name


def name_resources(template: LoadedTemplate, endpoint_url: str, register: Register) -> None:
    """Registers each resource's Ref and GetAtt values; user pools and their clients get theirs
    when moto creates them."""
    region = template.context.region
    for logical_id, resource in template.resources.items():
        kind = resource.get("Type", "")
        if kind in ("AWS::Lambda::Version", "AWS::Lambda::Alias"):
            continue  # named after their function, below
        if kind == "AWS::Lambda::Function":
            name = physical_name(template, logical_id, "FunctionName")
            arn = resource_arn("lambda", region, f"function:{name}")
            register(logical_id, name, Arn=arn)
        elif kind == "AWS::Lambda::LayerVersion":
            name = physical_name(template, logical_id, "LayerName")
            register(logical_id, resource_arn("lambda", region, f"layer:{name}:1"))
        elif kind == "AWS::DynamoDB::Table":
            name = physical_name(template, logical_id, "TableName")
            arn = resource_arn("dynamodb", region, f"table/{name}")
            register(logical_id, name, Arn=arn, StreamArn=f"{arn}/stream/local")
        elif kind == "AWS::S3::Bucket":
            name = physical_name(template, logical_id, "BucketName", lower=True)
            register(
                logical_id,
                name,
                Arn=f"arn:aws:s3:::{name}",
                DomainName=f"{name}.s3.amazonaws.com",
                RegionalDomainName=f"{name}.s3.{region}.amazonaws.com",
                WebsiteURL=f"http://{name}.s3-website-{region}.amazonaws.com",
            )
        elif kind == "AWS::SQS::Queue":
            name = physical_name(template, logical_id, "QueueName")
            fifo = template.resolved_property(logical_id, "FifoQueue", False)
            if str(fifo).lower() == "true" and not name.endswith(".fifo"):
                name += ".fifo"
            url = f"{endpoint_url}/{ACCOUNT_ID}/{name}"
            arn = resource_arn("sqs", region, name)
            register(logical_id, url, Arn=arn, QueueName=name, QueueUrl=url)
        elif kind in ("AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient"):
            continue
        elif kind == "AWS::ApiGateway::RestApi":
            register(logical_id, local_api_id(logical_id), RootResourceId="root")
        elif kind == "AWS::ApiGateway::Stage":
            # A stage's Ref is its name (usage plans' ApiStages refer to it so).
            register(logical_id, str(template.resolved_property(logical_id, "StageName")))
        else:
            name = f"{template.context.stack_name}-{logical_id}"
            service = kind.split("::")[1].lower() if kind.count("::") == 2 else "local"
            register(
                logical_id,
                name,
                Arn=resource_arn(service, region, name),
                RootResourceId="root",
                APIKeyId=name,
            )
    _name_versions_and_aliases(template, register)


def _name_versions_and_aliases(template: LoadedTemplate, register: Register) -> None:
    """A version or alias ARN is its function's ARN with a qualifier.

    Locally each function has one version, its code on disk: whatever qualifier an
    integration URI, authorizer or event source mapping names, the function answers.
    """
    for kind in ("AWS::Lambda::Version", "AWS::Lambda::Alias"):
        for logical_id in template.of_type(kind):
            where = f"Resources.{logical_id}.Properties.FunctionName"
            name = function_name_of(str(template.resolved_property(logical_id, "FunctionName")))
            function_arn = resource_arn("lambda", template.context.region, f"function:{name}")
            if kind == "AWS::Lambda::Version":
                register(logical_id, f"{function_arn}:1", Version="1", FunctionArn=function_arn)
                continue
            alias = template.resolved_property(logical_id, "Name")
            if not name or not alias:
                raise TemplateError(where, "an alias needs FunctionName and Name")
            register(logical_id, f"{function_arn}:{alias}")
