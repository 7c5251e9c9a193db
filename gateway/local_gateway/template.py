"""Loads `template.yaml` the way CloudFormation would see it, ready to run locally.

`read_template` gives the document CloudFormation hands the SAM transform, each step as
CloudFormation takes it: local `AWS::Include` files inlined (macros nested in the template run
first), then `AWS::LanguageExtensions` (its `Fn::ForEach` loops,
`local_gateway.language_extensions`), then the SAM transform, which is aws-sam-translator's own.
Local `CodeUri`/`ContentUri` folders are remembered before the SAM transform (it only accepts
S3 locations) and mapped back after it.
Parameters get their defaults, then the local overrides; resources whose `Condition` is
false are dropped.
"""

from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import yaml  # type: ignore[import-untyped]
from samtranslator.metrics.metrics import Metrics
from samtranslator.model.exceptions import InvalidDocumentException
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

from local_gateway import language_extensions
from local_gateway.errors import TemplateError
from local_gateway.intrinsics import ResolutionContext, Resolver

LOCAL_CODE_BUCKET = "local-gateway-code"  # stands in for local folders during the transform
ACCOUNT_ID = "123456789012"  # moto's default account


# libyaml's parser when PyYAML has it (its wheels do): a few times faster on a big template,
# which is most of what a reload under `make dev` costs.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _CloudFormationLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """YAML with CloudFormation's short forms (`!Ref`, `!Sub`, `!GetAtt` ...)."""


def _construct_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix == "Ref" or suffix == "Condition" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _construct_tag)
# CloudFormation keeps timestamps and dates as strings.
_CloudFormationLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _IncludedSnippetLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """An AWS::Include snippet: plain YAML, no short forms ("We do not currently support using
    shorthand notations for YAML snippets", the AWS::Include transform's remarks)."""


_IncludedSnippetLoader.yaml_implicit_resolvers = _CloudFormationLoader.yaml_implicit_resolvers


def parse_template_text(
    text: str, source: str = "template", *, loader: type[Any] = _CloudFormationLoader
) -> dict[str, Any]:
    """The YAML (or JSON) document; a syntax error names `source`, line and column, in one line."""
    try:
        document = yaml.load(text, Loader=loader)  # noqa: S506 - SafeLoader subclasses
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        place = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        problem = " ".join(filter(None, (error.context, error.problem)))
        if isinstance(error, yaml.constructor.ConstructorError) and "tag '!" in problem:
            problem = (
                f"{problem}; an AWS::Include file takes the long forms only "
                "(Fn::Sub, Fn::GetAtt, Ref, Fn::If ...), not !Sub, !GetAtt, !Ref ..."
            )
        raise TemplateError(place, f"YAML syntax error: {problem}") from None
    except yaml.YAMLError as error:
        raise TemplateError(source, f"YAML error: {' '.join(str(error).split())}") from None
    if not isinstance(document, dict):
        raise TemplateError(source, "is not a mapping")
    return document


@dataclass
class LoadedTemplate:
    """The transformed template, its folder, and the resolver for its values."""

    path: Path
    resources: dict[str, dict[str, Any]]  # after the transform, conditions applied
    outputs: dict[str, Any]
    context: ResolutionContext
    local_folders: dict[str, Path]  # S3Key placeholder -> the local folder it stands for
    included: tuple[Path, ...] = ()  # the files its AWS::Include transforms inlined

    @property
    def root(self) -> Path:
        return self.path.parent

    def resolve(self, value: Any, where: str) -> Any:
        return Resolver(self.context).resolve(value, where)

    def properties(self, logical_id: str) -> dict[str, Any]:
        properties: dict[str, Any] = self.resources[logical_id].get("Properties", {})
        return properties

    def resolved_property(self, logical_id: str, name: str, default: Any = None) -> Any:
        value = self.properties(logical_id).get(name, default)
        return self.resolve(value, f"Resources.{logical_id}.Properties.{name}")

    def of_type(self, resource_type: str) -> list[str]:
        return [k for k, v in self.resources.items() if v.get("Type") == resource_type]

    def local_folder(self, code: Any, where: str) -> Path:
        """The local folder behind a transformed `Code`/`Content` location."""
        if isinstance(code, dict) and code.get("S3Bucket") == LOCAL_CODE_BUCKET:
            return self.local_folders[str(code["S3Key"])]
        raise TemplateError(where, "code is not a local folder (S3 or inline code is not run)")


def _parameter_values(
    declared: dict[str, Any], overrides: dict[str, str], where: str
) -> dict[str, Any]:
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise TemplateError(where, f"overrides for undeclared parameters: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, declaration in declared.items():
        if name in overrides:
            value: Any = overrides[name]
        elif "Default" in declaration:
            value = declaration["Default"]
        else:
            raise TemplateError(f"Parameters.{name}", "has no Default and no override")
        if str(declaration.get("Type", "")).startswith(("CommaDelimitedList", "List<")):
            value = value if isinstance(value, list) else [v.strip() for v in str(value).split(",")]
        else:
            value = str(value)
        allowed = declaration.get("AllowedValues")
        if allowed is not None and value not in [str(a) for a in allowed]:
            raise TemplateError(f"Parameters.{name}", f"value {value!r} is not one of {allowed}")
        values[name] = value
    return values


def _swap_local_folders(template: dict[str, Any], root: Path) -> dict[str, Path]:
    """Replaces local CodeUri/ContentUri folders with S3 placeholders the transform accepts."""
    folders: dict[str, Path] = {}

    def placeholder(uri: Any) -> Any:
        if not isinstance(uri, str) or uri.startswith("s3://"):
            return uri
        folder = (root / uri).resolve()
        key = f"folder-{len(folders)}"  # the transform rewrites keys that look like paths
        folders[key] = folder
        return f"s3://{LOCAL_CODE_BUCKET}/{key}"

    global_function = template.get("Globals", {}).get("Function", {})
    if "CodeUri" in global_function:
        global_function["CodeUri"] = placeholder(global_function["CodeUri"])
    for resource in template.get("Resources", {}).values():
        properties = resource.get("Properties") or {}
        if resource.get("Type") == "AWS::Serverless::Function":
            if "CodeUri" in properties:
                properties["CodeUri"] = placeholder(properties["CodeUri"])
            elif "InlineCode" not in properties and "CodeUri" not in global_function:
                properties["CodeUri"] = placeholder(".")
        elif resource.get("Type") == "AWS::Serverless::LayerVersion":
            properties["ContentUri"] = placeholder(properties.get("ContentUri"))
        elif resource.get("Type") == "AWS::Serverless::Api":
            uri = properties.get("DefinitionUri")
            if isinstance(uri, str) and not uri.startswith("s3://"):
                text = (root / uri).read_text()
                properties["DefinitionBody"] = parse_template_text(text, uri)
                del properties["DefinitionUri"]
    return folders


class _UnconfiguredFeatures(logging.Filter):
    """The transform asks the SAM service's own dial-up config whether a feature is on; outside
    the service there is none, every feature is off (as under sam-cli), and it warns so on each
    transform. That warning says nothing about the template: it is dropped, nothing else."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "not available in Feature Toggle Config" not in record.getMessage()


logging.getLogger("samtranslator.feature_toggle.feature_toggle").addFilter(_UnconfiguredFeatures())


def _transform(
    template: dict[str, Any], parameters: dict[str, Any], region: str, path: Path
) -> dict[str, Any]:
    parser = Parser()
    # The transform records its metrics here; publishing them (to nowhere) once it is done
    # keeps it from warning "There are unpublished metrics" when it is collected.
    metrics = Metrics()
    translator = Translator(
        None, parser, boto_session=boto3.Session(region_name=region), metrics=metrics
    )
    try:
        transformed: dict[str, Any] = translator.translate(
            template, parameter_values=parameters, get_managed_policy_map=dict
        )
    except InvalidDocumentException as error:
        causes = "; ".join(str(cause) for cause in error.causes)
        raise TemplateError(str(path), f"the SAM transform failed: {causes}") from None
    finally:
        metrics.publish()
    return transformed


def _shown(path: Path) -> str:
    """The path as the user typed it, relative to the working folder where it can be."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def read_template(path: Path) -> dict[str, Any]:
    """The template as the SAM transform receives it, for readers that deploy nothing (tests,
    tooling): includes inlined, loops unrolled with the parameters' defaults."""
    document = _read_template(path, [])
    with_defaults = {
        name: declaration
        for name, declaration in (document.get("Parameters") or {}).items()
        if "Default" in declaration
    }
    defaults = _parameter_values(with_defaults, {}, "parameter defaults")
    return language_extensions.unroll(document, defaults)


def _read_template(path: Path, included: list[Path]) -> dict[str, Any]:
    if not path.exists():
        raise TemplateError(str(path), "no such template")
    document = parse_template_text(path.read_text(), _shown(path))
    inlined: dict[str, Any] = _inline_includes(document, path.parent, "", included)
    return inlined


def _inline_includes(value: Any, root: Path, where: str, included: list[Path]) -> Any:
    """Inlines each `Fn::Transform: {Name: AWS::Include, Parameters: {Location: <file>}}`.

    `sam package` uploads a local Location to S3; CloudFormation then evaluates macros from the
    most deeply nested outward, so the file is inlined before the template's SAM transform.
    The snippet's keys join the keys beside the `Fn::Transform`; a snippet may not include
    another. Other macros cannot run locally and are refused, as is an S3 location. Each file
    read is added to `included`.
    """
    if isinstance(value, list):
        return [
            _inline_includes(item, root, f"{where}[{n}]", included) for n, item in enumerate(value)
        ]
    if not isinstance(value, dict):
        return value
    here = f"{where}.Fn::Transform".lstrip(".")
    inlined = {
        key: _inline_includes(item, root, f"{where}.{key}".lstrip("."), included)
        for key, item in value.items()
        if key != "Fn::Transform"
    }
    if "Fn::Transform" not in value:
        return inlined
    transform = value["Fn::Transform"]
    if not isinstance(transform, dict) or transform.get("Name") != "AWS::Include":
        raise TemplateError(here, "only AWS::Include runs locally (a macro needs CloudFormation)")
    location = (transform.get("Parameters") or {}).get("Location")
    if not isinstance(location, str) or not location:
        raise TemplateError(here, "AWS::Include needs Parameters.Location, a file path")
    if location.startswith("s3://"):
        raise TemplateError(
            here, f"{location} is in S3: give the local file (sam package uploads it)"
        )
    file = root / location
    if not file.is_file():
        raise TemplateError(here, f"no such file: {_shown(file)}")
    included.append(file)
    snippet = parse_template_text(file.read_text(), _shown(file), loader=_IncludedSnippetLoader)
    # CloudFormation hands the transform JSON: a YAML alias becomes a copy, not a shared object.
    snippet = json.loads(json.dumps(snippet))
    if _uses_transform(snippet):
        raise TemplateError(_shown(file), "an AWS::Include file cannot use Fn::Transform itself")
    clashes = sorted(set(snippet) & set(inlined))
    if clashes:
        raise TemplateError(here, f"keys both beside the include and in it: {', '.join(clashes)}")
    return {**inlined, **snippet}


def _uses_transform(value: Any) -> bool:
    if isinstance(value, dict):
        return "Fn::Transform" in value or any(_uses_transform(v) for v in value.values())
    return isinstance(value, list) and any(_uses_transform(v) for v in value)


def load_template(
    path: Path,
    overrides: dict[str, str],
    *,
    region: str,
    stack_name: str,
) -> LoadedTemplate:
    """Reads, transforms and prepares `path` with parameter `overrides` applied."""
    included: list[Path] = []
    document = _read_template(path, included)
    declared = document.get("Parameters") or {}
    parameters = _parameter_values(declared, overrides, "parameter overrides")
    source = language_extensions.unroll(copy.deepcopy(document), parameters)
    folders = _swap_local_folders(source, path.parent.resolve())
    if "AWS::Serverless-2016-10-31" in json.dumps(source.get("Transform", "")):
        transformed = _transform(source, parameters, region, path)
    else:
        transformed = source
    context = ResolutionContext(
        region=region,
        account_id=ACCOUNT_ID,
        stack_name=stack_name,
        parameters=parameters,
        mappings=transformed.get("Mappings") or {},
        conditions=transformed.get("Conditions") or {},
    )
    resources = {
        logical_id: resource
        for logical_id, resource in (transformed.get("Resources") or {}).items()
        if "Condition" not in resource
        or context.condition(resource["Condition"], f"Resources.{logical_id}.Condition")
    }
    return LoadedTemplate(
        path=path,
        resources=resources,
        outputs=transformed.get("Outputs") or {},
        context=context,
        local_folders=folders,
        included=tuple(included),
    )
