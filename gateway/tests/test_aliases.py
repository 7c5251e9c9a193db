"""Published versions and aliases: a qualified ARN reaches the function, which has one version.

API Gateway invokes whatever ARN an integration URI or authorizer names, an alias ARN
included (the `live` alias SAM's AutoPublishAlias creates); Lambda accepts a name, an ARN or
a partial ARN, each optionally with a `:qualifier` (Lambda API reference, Invoke,
"FunctionName"). Locally there is one version of each function, its code on disk.
"""

from pathlib import Path

import pytest

from local_gateway.provisioning import Provisioner
from local_gateway.resource_names import function_name_of
from local_gateway.template import load_template

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: app.handler
      CodeUri: echo/
      AutoPublishAlias: live
Outputs:
  Alias:
    Value: !Ref EchoFunction.Alias
  Uri:
    Value: !Sub "lambda:path/functions/${EchoFunctionAliaslive}/invocations"
"""


@pytest.mark.parametrize(
    "reference",
    [
        "my-function",
        "my-function:live",
        "123456789012:function:my-function",
        "arn:aws:lambda:eu-west-1:123456789012:function:my-function",
        "arn:aws:lambda:eu-west-1:123456789012:function:my-function:live",
        "arn:aws:lambda:eu-west-1:123456789012:function:my-function:7",
    ],
)
def test_every_form_lambda_accepts_names_the_unqualified_function(reference):
    assert function_name_of(reference) == "my-function"


def test_an_auto_published_alias_resolves_to_the_functions_arn_with_its_name(tmp_path: Path):
    # Given a function SAM publishes behind the alias `live`
    (tmp_path / "echo").mkdir()
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE)
    template = load_template(path, {}, region="eu-west-1", stack_name="fixture")

    # When its resources are named as CloudFormation would
    Provisioner(template, "http://127.0.0.1:1").name_all()

    # Then Ref of the alias is the function's ARN qualified with `live`
    function_arn = template.context.resource_attributes["EchoFunction"]("Arn")
    alias = template.resolve(template.outputs["Alias"]["Value"], "Outputs.Alias")
    uri = template.resolve(template.outputs["Uri"]["Value"], "Outputs.Uri")
    assert alias == f"{function_arn}:live"
    assert uri.endswith(f"/functions/{function_arn}:live/invocations")
