"""A template that includes a file with `Fn::Transform: AWS::Include`, as CloudFormation sees it.

What AWS does, from the CloudFormation user guide (awsdocs/aws-cloudformation-user-guide,
doc_source/create-reusable-transform-function-snippets-and-add-to-your-template-with-aws-include-
transform.md, "Remarks"; doc_source/template-macros.md, "macro evaluation order"):
- macros run from the most deeply nested outward, so an include inside a resource is inlined
  before the template's `Transform: AWS::Serverless-2016-10-31` reads the resource;
- a YAML snippet cannot use the short forms (`!Sub`, `!Ref` ...);
- a snippet cannot use `AWS::Include` itself;
- the snippet's keys take the place of the `Fn::Transform` among its siblings (the guide's
  example includes resources beside a resource written in the template).
Locally the Location is the file `sam package` would upload, relative to the template.
"""

import os
from pathlib import Path

import pytest
import requests

from local_gateway.errors import TemplateError
from local_gateway.template import load_template, read_template
from local_gateway.testing import start_gateway

API = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Origin: {Type: String, Default: "https://example.com"}
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      OpenApiVersion: "3.0.1"
      DefinitionBody:
        Fn::Transform:
          Name: AWS::Include
          Parameters:
            Location: api/openapi.yaml
"""

PREFLIGHT_TWICE = """\
openapi: "3.0.1"
info: {title: {Fn::Sub: "${AWS::StackName}"}, version: "1"}
paths:
  /a:
    options: &preflight
      responses:
        "200":
          description: CORS
          headers:
            Access-Control-Allow-Origin: {type: string}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: "200"
            responseParameters:
              method.response.header.Access-Control-Allow-Origin: {Fn::Sub: "'${Origin}'"}
  /b:
    options: *preflight
"""


def _template(tmp_path: Path, template: str, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    path = tmp_path / "template.yaml"
    path.write_text('AWSTemplateFormatVersion: "2010-09-09"\n' + template)
    return path


def _load(path: Path):
    return load_template(path, {}, region="eu-west-1", stack_name="fixture")


def test_an_included_openapi_file_becomes_the_rest_apis_body(tmp_path):
    # Given a SAM API whose definition body is a separate file, with long-form intrinsics
    path = _template(tmp_path, API, {"api/openapi.yaml": PREFLIGHT_TWICE})
    # When the template is loaded (the include first, then the SAM transform)
    template = _load(path)
    # Then the REST API's body is the file's document, its intrinsics resolvable
    body = template.properties("Api")["Body"]
    assert sorted(body["paths"]) == ["/a", "/b"]
    assert template.resolve(body["info"]["title"], "title") == "fixture"
    integration = body["paths"]["/b"]["options"]["x-amazon-apigateway-integration"]
    origin = integration["responses"]["default"]["responseParameters"]
    assert template.resolve(origin, "origin") == {
        "method.response.header.Access-Control-Allow-Origin": "'https://example.com'"
    }


def test_an_alias_in_the_included_file_is_a_copy_as_in_the_json_cloudformation_passes(tmp_path):
    # Given one preflight written once and aliased on a second path
    path = _template(tmp_path, API, {"api/openapi.yaml": PREFLIGHT_TWICE})
    # When the SAM transform (which wraps each OPTIONS header in `schema:`) has run
    body = _load(path).properties("Api")["Body"]
    # Then each path's header is wrapped once, as the deployed API's is
    for route in ("/a", "/b"):
        headers = body["paths"][route]["options"]["responses"]["200"]["headers"]
        assert headers == {"Access-Control-Allow-Origin": {"schema": {"type": "string"}}}


def test_the_included_keys_join_the_keys_beside_the_transform(tmp_path):
    # Given resources written in the template beside an include of more resources
    path = _template(
        tmp_path,
        """
Resources:
  Written:
    Type: AWS::SQS::Queue
  Fn::Transform:
    Name: AWS::Include
    Parameters: {Location: queues.yaml}
""",
        {"queues.yaml": "Included:\n  Type: AWS::SQS::Queue\n"},
    )
    # When it is read as CloudFormation hands it to the transforms
    document = read_template(path)
    # Then both are resources, and no Fn::Transform is left
    assert document["Resources"] == {
        "Written": {"Type": "AWS::SQS::Queue"},
        "Included": {"Type": "AWS::SQS::Queue"},
    }


@pytest.mark.parametrize(
    ("snippet", "problem"),
    [
        # The short form fails the deploy: the error names the file, line and the long form.
        (
            "openapi: '3.0.1'\npaths: {}\ninfo:\n  title: !Sub '${AWS::StackName}'\n",
            r"api/openapi\.yaml:4:\d+: .*!Sub.*long forms only \(Fn::Sub",
        ),
        (
            "Fn::Transform: {Name: AWS::Include, Parameters: {Location: other.yaml}}\n",
            r"api/openapi\.yaml: an AWS::Include file cannot use Fn::Transform itself",
        ),
        ("- a list\n", r"api/openapi\.yaml: is not a mapping"),
    ],
)
def test_an_included_file_aws_would_refuse_is_refused_naming_it(tmp_path, snippet, problem):
    # Given an included file CloudFormation's AWS::Include would not accept
    path = _template(tmp_path, API, {"api/openapi.yaml": snippet})
    # When the template is loaded
    with pytest.raises(TemplateError, match=problem):
        _load(path)


@pytest.mark.parametrize(
    ("transform", "problem"),
    [
        (
            "{Name: AWS::Include, Parameters: {Location: api/absent.yaml}}",
            r"Resources\.Api\.Properties\.DefinitionBody\.Fn::Transform: no such file: .*absent",
        ),
        (
            "{Name: AWS::Include, Parameters: {Location: 's3://bucket/openapi.yaml'}}",
            r"s3://bucket/openapi\.yaml is in S3: give the local file \(sam package uploads it\)",
        ),
        ("{Name: AWS::Include}", r"AWS::Include needs Parameters\.Location"),
        ("{Name: MyMacro}", r"only AWS::Include runs locally"),
    ],
)
def test_an_include_that_cannot_be_read_locally_is_a_clear_error(tmp_path, transform, problem):
    # Given an include of a missing file, of an S3 object, without a location, or another macro
    template = API.replace(
        "        Fn::Transform:\n          Name: AWS::Include\n          Parameters:\n"
        "            Location: api/openapi.yaml\n",
        f"        Fn::Transform: {transform}\n",
    )
    path = _template(tmp_path, template, {})
    # When the template is loaded
    with pytest.raises(TemplateError, match=problem):
        _load(path)


def test_a_key_both_beside_and_inside_an_include_is_refused(tmp_path):
    # Given a body that writes `openapi` and includes a file that writes it too
    template = API.replace(
        "        Fn::Transform:", '        openapi: "3.0.1"\n        Fn::Transform:'
    )
    path = _template(tmp_path, template, {"api/openapi.yaml": PREFLIGHT_TWICE})
    # When the template is loaded
    with pytest.raises(TemplateError, match="keys both beside the include and in it: openapi"):
        _load(path)


def test_saving_the_included_file_reloads_the_running_api(tmp_path):
    # Given a running gateway whose API definition is an included file with one mock route
    route = """\
  /{name}:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {{application/json: '{{"statusCode": 200}}'}}
        responses:
          default: {{statusCode: "200", responseTemplates: {{application/json: '"{name}"'}}}}
"""
    definition = tmp_path / "api" / "openapi.yaml"
    head = 'openapi: "3.0.1"\ninfo: {title: included, version: "1"}\npaths:\n'
    path = _template(tmp_path, API, {"api/openapi.yaml": head + route.format(name="first")})
    with start_gateway(path) as local:
        assert requests.get(local.api_url + "/first", timeout=30).status_code == 200
        # When the included file is saved with a second route
        before = definition.stat().st_mtime_ns
        definition.write_text(head + route.format(name="first") + route.format(name="second"))
        os.utime(definition, ns=(before + 1_000_000_000, before + 1_000_000_000))
        # Then the template reloads and the new route answers
        assert local.gateway.watcher is not None
        assert local.gateway.watcher.check_sources() is True
        answer = requests.get(local.api_url + "/second", timeout=30)
        assert (answer.status_code, answer.json()) == (200, "second")
