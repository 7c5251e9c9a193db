"""Loading a template: the SAM transform, parameters, conditions, intrinsics and clear errors."""

from pathlib import Path

import pytest

from local_gateway.errors import TemplateError
from local_gateway.samconfig import load_settings
from local_gateway.template import load_template

FIXTURE = Path(__file__).parent / "fixtures" / "basic" / "template.yaml"


def _load(path: Path, **overrides: str):
    return load_template(path, overrides, region="eu-west-1", stack_name="fixture")


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text('AWSTemplateFormatVersion: "2010-09-09"\n' + body)
    return path


def test_sam_resources_are_transformed_to_cloudformation():
    # Given the fixture template with AWS::Serverless resources
    # When it is loaded
    template = _load(FIXTURE)
    # Then the functions and the API are CloudFormation resources, with local code folders
    assert template.resources["EchoFunction"]["Type"] == "AWS::Lambda::Function"
    assert template.resources["Api"]["Type"] == "AWS::ApiGateway::RestApi"
    code = template.properties("EchoFunction")["Code"]
    assert template.local_folder(code, "here") == FIXTURE.parent / "functions" / "echo"


def test_a_false_condition_drops_its_resource():
    # Given ProdOnlyTable exists only when Stage is prod
    # When the template is loaded for dev, then for prod
    dev = _load(FIXTURE)
    prod = _load(FIXTURE, Stage="prod")
    # Then only the prod load has the table
    assert "ProdOnlyTable" not in dev.resources
    assert "ProdOnlyTable" in prod.resources


def test_fn_if_find_in_map_and_globals_follow_the_parameters():
    # Given globals whose memory comes from a mapping and whose MODE depends on a condition
    template = _load(FIXTURE, Stage="prod")
    # When the function's properties are resolved
    memory = template.resolved_property("EchoFunction", "MemorySize")
    raw = template.properties("EchoFunction")["Environment"]["Variables"]
    variables = {name: template.resolve(raw[name], name) for name in ("MODE", "STAGE")}
    # Then the prod branch and the prod mapping entry are chosen
    assert memory == "1024"
    assert variables["MODE"] == "strict"
    assert variables["STAGE"] == "prod"


def test_sub_select_split_and_pseudo_parameters_resolve(tmp_path):
    # Given an output using Sub with pseudo parameters, Select/Split and Join
    path = _write(
        tmp_path,
        """
Parameters:
  Name: {Type: String, Default: world}
Resources:
  Topic: {Type: AWS::SNS::Topic}
Outputs:
  Greeting: {Value: !Sub "hello ${Name} in ${AWS::Region} of ${AWS::AccountId}"}
  Second: {Value: !Select [1, !Split [",", "a,b,c"]]}
  Joined: {Value: !Join ["/", [x, !Ref Name, "${!Literal}"]]}
  Escaped: {Value: !Sub "${!Literal}"}
""",
    )
    template = _load(path)
    # When the outputs are resolved
    values = {k: template.resolve(v["Value"], k) for k, v in template.outputs.items()}
    # Then each intrinsic gives CloudFormation's answer
    assert values["Greeting"] == "hello world in eu-west-1 of 123456789012"
    assert values["Second"] == "b"
    assert values["Joined"] == "x/world/${!Literal}"
    assert values["Escaped"] == "${Literal}"


def test_parameter_overrides_replace_defaults(tmp_path):
    # Given a parameter with a default
    path = _write(
        tmp_path,
        """
Parameters:
  Name: {Type: String, Default: world}
Resources:
  Topic: {Type: AWS::SNS::Topic}
Outputs:
  Name: {Value: !Ref Name}
""",
    )
    # When it is overridden
    template = _load(path, Name="local")
    # Then the override wins
    assert template.resolve(template.outputs["Name"]["Value"], "Name") == "local"


def test_samconfig_layers_gateway_overrides_over_start_api_and_fills_the_gateway_url(tmp_path):
    # Given samconfig with shared and gateway-specific overrides
    samconfig = tmp_path / "samconfig.toml"
    samconfig.write_text(
        """
version = 0.1
[default.global.parameters]
stack_name = "demo"
[default.local_start_api.parameters]
parameter_overrides = "Stage=dev Issuer=https://example.com"
[default.local_gateway.parameters]
parameter_overrides = ["Issuer=${LocalGatewayUrl}/_local/oidc"]
"""
    )
    # When the settings are read for a gateway on port 3001
    settings = load_settings(samconfig, "default", "http://127.0.0.1:3001")
    # Then the gateway's own value wins, with its URL filled in
    assert settings.parameter_overrides == {
        "Stage": "dev",
        "Issuer": "http://127.0.0.1:3001/_local/oidc",
    }
    assert settings.stack_name == "demo"


def test_a_value_outside_allowed_values_names_the_parameter():
    # Given Stage only allows dev and prod
    # When it is overridden with qa
    with pytest.raises(TemplateError) as raised:
        _load(FIXTURE, Stage="qa")
    # Then the error names the parameter
    assert "Parameters.Stage" in str(raised.value)


def test_an_override_for_an_undeclared_parameter_is_an_error():
    with pytest.raises(TemplateError, match="Nope"):
        _load(FIXTURE, Nope="1")


def test_an_unsupported_intrinsic_names_the_resource_and_property(tmp_path):
    # Given a function environment importing a value from another stack
    path = _write(
        tmp_path,
        """
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          SHARED: !ImportValue other-stack-output
""",
    )
    template = _load(path)
    # When the environment is resolved
    with pytest.raises(TemplateError) as raised:
        template.resolved_property("Fn", "Environment")
    # Then the message names where, and what cannot be done
    message = str(raised.value)
    assert "Resources.Fn.Properties.Environment.Variables.SHARED" in message
    assert "Fn::ImportValue" in message


def test_a_ref_to_nothing_names_the_property(tmp_path):
    path = _write(
        tmp_path,
        """
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref Missing
""",
    )
    template = _load(path)
    with pytest.raises(TemplateError, match=r"Resources\.Queue\.Properties\.QueueName.*Missing"):
        template.resolved_property("Queue", "QueueName")


def test_a_missing_template_is_a_clear_error(tmp_path):
    with pytest.raises(TemplateError, match="no such template"):
        _load(tmp_path / "absent.yaml")


def test_an_invalid_sam_resource_reports_the_transform_error(tmp_path):
    # Given a function without a handler
    path = _write(
        tmp_path,
        """
Transform: AWS::Serverless-2016-10-31
Resources:
  Broken:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Runtime: python3.13
      Events:
        Get:
          Type: Api
          Properties: {Path: /x, Method: get, RestApiId: NotAnApi}
""",
    )
    # When it is loaded
    with pytest.raises(TemplateError) as raised:
        _load(path)
    # Then the transform's own message names the resource
    assert "Broken" in str(raised.value)
