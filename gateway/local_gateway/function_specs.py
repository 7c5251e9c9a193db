"""The template's Lambda functions as what it takes to run each: code, handler, layers, limits,
and the environment Lambda's runtime would give it, pointed at the local moto.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_gateway.errors import TemplateError
from local_gateway.local_aws import LOCAL_CREDENTIALS
from local_gateway.template import LoadedTemplate

MAX_WORKERS_PER_FUNCTION = 8


@dataclass(frozen=True)
class FunctionSpec:
    """What it takes to run one function: code, handler, layers, limits and environment."""

    logical_id: str
    name: str
    arn: str
    code_dir: Path
    handler: str
    timeout_seconds: float
    memory_mb: int
    layer_dirs: tuple[Path, ...]
    environment: dict[str, str]
    max_workers: int = MAX_WORKERS_PER_FUNCTION
    debug_port: int | None = None  # its one worker runs under debugpy, listening there

    @property
    def watched_dirs(self) -> tuple[Path, ...]:
        return (self.code_dir, *self.layer_dirs)


def _layer_path(folder: Path) -> Path:
    """A layer's import root: its `python/` folder if it has one (prebuilt), else the folder."""
    return folder / "python" if (folder / "python").is_dir() else folder


def load_functions(
    template: LoadedTemplate,
    endpoint_url: str,
    *,
    region: str,
    service_endpoints: Mapping[str, str] | None = None,
) -> dict[str, FunctionSpec]:
    """The template's functions; `service_endpoints` (`{"S3": url}`) send one service's calls
    elsewhere than `endpoint_url` (AWS_ENDPOINT_URL_<SERVICE>, as the AWS SDKs read it)."""
    layers = {
        logical_id: _layer_path(
            template.local_folder(
                template.properties(logical_id).get("Content"),
                f"Resources.{logical_id}.Properties.Content",
            )
        )
        for logical_id in template.of_type("AWS::Lambda::LayerVersion")
    }
    layer_by_arn = {template.context.resource_refs[k]: path for k, path in layers.items()}
    functions = {}
    for logical_id in template.of_type("AWS::Lambda::Function"):
        where = f"Resources.{logical_id}.Properties"
        properties = template.properties(logical_id)
        runtime = str(template.resolved_property(logical_id, "Runtime", ""))
        if not runtime.startswith("python"):
            raise TemplateError(f"{where}.Runtime", f"{runtime or 'no runtime'} is not run locally")
        layer_dirs = []
        for index, arn in enumerate(template.resolved_property(logical_id, "Layers", []) or []):
            if arn not in layer_by_arn:
                raise TemplateError(
                    f"{where}.Layers[{index}]", f"{arn} is not a layer of the template"
                )
            layer_dirs.append(layer_by_arn[arn])
        variables = (template.resolved_property(logical_id, "Environment", {}) or {}).get(
            "Variables", {}
        )
        name = template.context.resource_refs[logical_id]
        reserved = template.resolved_property(logical_id, "ReservedConcurrentExecutions")
        functions[logical_id] = FunctionSpec(
            logical_id=logical_id,
            name=name,
            arn=template.context.resource_attributes[logical_id]("Arn"),
            code_dir=template.local_folder(properties.get("Code"), f"{where}.Code"),
            handler=str(template.resolved_property(logical_id, "Handler")),
            timeout_seconds=float(template.resolved_property(logical_id, "Timeout", 3)),
            memory_mb=int(template.resolved_property(logical_id, "MemorySize", 128)),
            layer_dirs=tuple(layer_dirs),
            environment={
                **lambda_environment(name, runtime, region, endpoint_url),
                **{f"AWS_ENDPOINT_URL_{k}": v for k, v in (service_endpoints or {}).items()},
                **{k: _env_value(v) for k, v in variables.items()},
            },
            max_workers=int(reserved) if reserved else MAX_WORKERS_PER_FUNCTION,
        )
    return functions


def _env_value(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def lambda_environment(name: str, runtime: str, region: str, endpoint_url: str) -> dict[str, str]:
    """The variables Lambda's runtime sets, pointed at the local moto."""
    return {
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "local",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{runtime}",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ENDPOINT_URL": endpoint_url,
        # Powertools (and many handlers) read this to know they run outside AWS: no X-Ray daemon.
        "AWS_SAM_LOCAL": "true",
        "TZ": "UTC",
        **LOCAL_CREDENTIALS,
    }
