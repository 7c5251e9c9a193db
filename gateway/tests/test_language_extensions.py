"""Fn::ForEach unrolled as CloudFormation's AWS::LanguageExtensions transform documents it.

The cases follow the examples of the CloudFormation Template Reference, "Fn::ForEach"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-foreach.html)
and its example pages for the Resources, Outputs and Conditions sections, written here in our
own words; the repository's template is checked against SAM CLI's port of the transform.
"""

from pathlib import Path
from typing import Any

import pytest

from local_gateway import language_extensions
from local_gateway.errors import TemplateError
from local_gateway.template import load_template, parse_template_text

ROOT = Path(__file__).resolve().parents[2]


def _unrolled(text: str, **parameters: Any) -> dict[str, Any]:
    return language_extensions.apply(parse_template_text(text), parameters)


def test_a_resource_is_replicated_for_each_item_of_a_list_parameter():
    # Given the reference's SNS example: a loop over a CommaDelimitedList parameter, the item
    # in the logical id and, through Ref, in a property
    template = """
Transform: AWS::LanguageExtensions
Parameters:
  Outcomes: {Type: CommaDelimitedList}
Resources:
  Fn::ForEach::Topics:
    - Outcome
    - !Ref Outcomes
    - Topic${Outcome}:
        Type: AWS::SNS::Topic
        Properties:
          TopicName: !Join [".", [!Ref Outcome, fifo]]
          FifoTopic: true
"""
    # When it is unrolled with two outcomes
    unrolled = _unrolled(template, Outcomes=["Success", "Failure"])
    # Then there is one topic per outcome, named after it, and the transform is gone
    assert unrolled["Resources"] == {
        f"Topic{outcome}": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": {"Fn::Join": [".", [outcome, "fifo"]]}, "FifoTopic": True},
        }
        for outcome in ("Success", "Failure")
    }
    assert "Transform" not in unrolled


def test_nested_loops_make_one_output_per_pair_with_sub_in_getatt():
    # Given the reference's Outputs example: buckets A and B, and for each an output per
    # attribute, the logical id built with Fn::Sub inside Fn::GetAtt
    template = """
Transform: [AWS::LanguageExtensions]
Resources:
  Fn::ForEach::Buckets:
    - Id
    - [A, B]
    - Bucket${Id}:
        Type: AWS::S3::Bucket
        Properties:
          MetricsConfigurations:
            - Id: !Sub Whole${Id}
Outputs:
  Fn::ForEach::BucketOutputs:
    - Id
    - [A, B]
    - Fn::ForEach::Attributes:
        - Attribute
        - [Arn, DomainName]
        - Bucket${Id}${Attribute}:
            Value: !GetAtt [!Sub "Bucket${Id}", !Ref Attribute]
"""
    # When it is unrolled
    unrolled = _unrolled(template)
    # Then each bucket and each (bucket, attribute) output exists, the identifiers replaced
    # inside Fn::Sub strings too
    assert unrolled["Resources"]["BucketB"]["Properties"]["MetricsConfigurations"] == [
        {"Id": {"Fn::Sub": "WholeB"}}
    ]
    assert unrolled["Outputs"] == {
        f"Bucket{bucket}{attribute}": {
            "Value": {"Fn::GetAtt": [{"Fn::Sub": f"Bucket{bucket}"}, attribute]}
        }
        for bucket in ("A", "B")
        for attribute in ("Arn", "DomainName")
    }


def test_ampersand_drops_the_characters_a_logical_id_cannot_hold():
    # Given a loop over CIDR blocks: `&{Cidr}` in the key, `${Cidr}` in the value (the
    # reference: "&{}" removes non-alphanumeric characters)
    template = """
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Ingress:
    - Cidr
    - [10.0.0.0/16, 10.1.0.0/16]
    - Ingress&{Cidr}:
        Type: AWS::EC2::SecurityGroupIngress
        Properties:
          CidrIp: ${Cidr}
"""
    # When it is unrolled
    resources = _unrolled(template)["Resources"]
    # Then the ids hold only the digits, the property the CIDR as given
    assert resources["Ingress1000016"]["Properties"]["CidrIp"] == "10.0.0.0/16"
    assert set(resources) == {"Ingress1000016", "Ingress1010016"}


def test_loops_unroll_in_conditions_and_inside_resource_properties():
    # Given a condition per stage and a loop among a resource's properties (the reference:
    # Conditions, Outputs and Resources, "including the resource properties")
    template = """
Transform: AWS::LanguageExtensions
Conditions:
  Fn::ForEach::Stages:
    - Stage
    - [Dev, Prod]
    - Is${Stage}: !Equals [!Ref AWS::StackName, !Ref Stage]
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      Tags:
        - Key: kept
          Value: as-is
      Fn::ForEach::Settings:
        - Setting
        - [BillingMode]
        - ${Setting}: PAY_PER_REQUEST
"""
    # When it is unrolled
    unrolled = _unrolled(template)
    # Then both conditions exist and the property sits beside the others
    assert unrolled["Conditions"] == {
        "IsDev": {"Fn::Equals": [{"Ref": "AWS::StackName"}, "Dev"]},
        "IsProd": {"Fn::Equals": [{"Ref": "AWS::StackName"}, "Prod"]},
    }
    assert unrolled["Resources"]["Table"]["Properties"] == {
        "Tags": [{"Key": "kept", "Value": "as-is"}],
        "BillingMode": "PAY_PER_REQUEST",
    }


@pytest.mark.parametrize(
    ("loop", "problem"),
    [
        ("- N\n    - [A, A]\n    - Topic${N}: {Type: AWS::SNS::Topic}", "already declared"),
        ("- N\n    - [a-b]\n    - Topic${N}: {Type: AWS::SNS::Topic}", "not alphanumeric"),
        ("- N\n    - [A]\n    - Kept: {Type: AWS::SNS::Topic}", "already declared"),
        ("- N\n    - !Ref Missing\n    - Topic${N}: {Type: AWS::SNS::Topic}", "not a parameter"),
        ("- N\n    - {A: 1}\n    - Topic${N}: {Type: AWS::SNS::Topic}", "not a list"),
        ("- N\n    - [A]", "takes [Identifier, Collection"),
    ],
)
def test_a_loop_cloudformation_would_refuse_is_refused_with_where(loop, problem):
    # Given a loop CloudFormation refuses: duplicate or non-alphanumeric ids, an unknown
    # collection, a malformed declaration
    template = f"""
Transform: AWS::LanguageExtensions
Resources:
  Kept: {{Type: AWS::SNS::Topic}}
  Fn::ForEach::Topics:
    {loop}
"""
    # When it is unrolled
    with pytest.raises(TemplateError) as raised:
        _unrolled(template)
    # Then the error names the loop and the problem
    assert raised.value.where.startswith("Resources.Fn::ForEach::Topics")
    assert problem in raised.value.problem


def test_a_loop_without_the_transform_is_refused_when_the_template_loads(tmp_path):
    # Given a loop in a template that does not declare AWS::LanguageExtensions
    path = tmp_path / "template.yaml"
    path.write_text(
        "Resources:\n"
        "  Fn::ForEach::Topics:\n"
        "    - N\n"
        "    - [A]\n"
        "    - Topic${N}: {Type: AWS::SNS::Topic}\n"
    )
    # When the gateway loads it
    with pytest.raises(TemplateError) as raised:
        load_template(path, {}, region="eu-west-1", stack_name="fixture")
    # Then it is refused as CloudFormation refuses it
    assert raised.value.where == "Resources.Fn::ForEach::Topics"
    assert "AWS::LanguageExtensions" in raised.value.problem


def test_the_gateway_loads_the_loops_resources_with_the_sam_transform(tmp_path):
    # Given a SAM template whose log groups come from a loop over its functions
    path = tmp_path / "template.yaml"
    (tmp_path / "fn").mkdir()
    path.write_text(
        "Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\n"
        "Resources:\n"
        "  EchoFunction:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties: {CodeUri: fn/, Handler: app.handler, Runtime: python3.13}\n"
        "  Fn::ForEach::Logs:\n"
        "    - Name\n"
        "    - [Echo]\n"
        "    - ${Name}LogGroup:\n"
        "        Type: AWS::Logs::LogGroup\n"
        "        Properties: {LogGroupName: !Sub '/aws/lambda/${${Name}Function}'}\n"
    )
    # When the gateway loads it
    loaded = load_template(path, {}, region="eu-west-1", stack_name="fixture")
    # Then the function is transformed and its log group names it
    assert loaded.resources["EchoFunction"]["Type"] == "AWS::Lambda::Function"
    assert loaded.properties("EchoLogGroup")["LogGroupName"] == {
        "Fn::Sub": "/aws/lambda/${EchoFunction}"
    }
