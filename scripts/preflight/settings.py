"""Offline: the stage's parameters, as `sam deploy --config-env <stage>` would pass them.

A parameter without a `Default` in template.yaml must be set in the stage's samconfig section
(CloudFormation would refuse the change set, but only after `sam build` and an upload, and
without saying where the value goes). A value on a reserved example domain (RFC 2606:
example.com/.net/.org, *.example, *.invalid, *.test) is a placeholder, not a setting.
"""

import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samtranslator.yaml_helper import yaml_parse

from local_gateway.template import read_template
from scripts.preflight.stages import ROOT, SAMCONFIG

TEMPLATE = ROOT / "template.yaml"
_PLACEHOLDER_HOST = re.compile(
    r"://(?:[^/@\s]*@)?(?:[\w-]+\.)*(?:example\.(?:com|net|org)|example|invalid|test)(?=[:/\s]|$)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Problem:
    """One stage setting that is missing or wrong, and what to do about it."""

    parameter: str
    what: str
    fix: str

    def __str__(self) -> str:
        return f"{self.parameter}: {self.what}\n    {self.fix}"


def template_parameters(template: Path = TEMPLATE) -> dict[str, dict[str, Any]]:
    parsed = yaml_parse(template.read_text())
    return dict(parsed.get("Parameters") or {})


def stage_overrides(stage: str, samconfig: Path = SAMCONFIG) -> dict[str, str]:
    """`parameter_overrides` of `[<stage>.deploy.parameters]` as name -> value."""
    config = tomllib.loads(samconfig.read_text())
    deploy = config.get(stage, {}).get("deploy", {}).get("parameters", {})
    overrides = deploy.get("parameter_overrides", "")
    pairs = shlex.split(overrides) if isinstance(overrides, str) else list(overrides)
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def settings_problems(
    stage: str, *, template: Path = TEMPLATE, samconfig: Path = SAMCONFIG
) -> list[Problem]:
    """Every parameter the stage lacks, has as a placeholder, or that the template lacks."""
    parameters = template_parameters(template)
    overrides = stage_overrides(stage, samconfig)
    where = f"parameter_overrides of [{stage}.deploy.parameters] in samconfig.toml"
    problems: list[Problem] = []
    for name, declared in parameters.items():
        if "Default" in declared or name in overrides:
            continue
        description = str(declared.get("Description", "")).strip()
        problems.append(
            Problem(
                name, f"not set for stage {stage} ({description})", f"add {name}=... to {where}"
            )
        )
    for name, value in overrides.items():
        if name not in parameters:
            problems.append(
                Problem(name, "is not a parameter of template.yaml", f"remove it from {where}")
            )
        elif _PLACEHOLDER_HOST.search(value):
            problems.append(
                Problem(
                    name,
                    f"{value!r} is a placeholder (a reserved example domain)",
                    f"set the stage's real value in {where}",
                )
            )
    return problems


def stage_values(
    stage: str, *, template: Path = TEMPLATE, samconfig: Path = SAMCONFIG
) -> dict[str, str]:
    """Every parameter's value for the stage: its override, else the template's default."""
    values = {
        name: str(declared["Default"])
        for name, declared in template_parameters(template).items()
        if "Default" in declared
    }
    return values | stage_overrides(stage, samconfig)


def stage_region(stage: str, samconfig: Path = SAMCONFIG) -> str | None:
    config = tomllib.loads(samconfig.read_text())
    for section in (stage, "default"):
        region = config.get(section, {}).get("global", {}).get("parameters", {}).get("region")
        if region:
            return str(region)
    return None


def reserved_concurrency(values: dict[str, str], template: Path = TEMPLATE) -> int:
    """The sum of the functions' ReservedConcurrentExecutions for these parameter values."""
    parsed = read_template(template)  # its Fn::ForEach loops unrolled
    default = (parsed.get("Globals") or {}).get("Function", {}).get("ReservedConcurrentExecutions")
    total = 0
    for resource in (parsed.get("Resources") or {}).values():
        if resource.get("Type") not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        reserved = (resource.get("Properties") or {}).get("ReservedConcurrentExecutions", default)
        if isinstance(reserved, dict) and "Ref" in reserved:
            reserved = values.get(reserved["Ref"])
        if reserved is not None:
            total += int(reserved)
    return total
