"""Examples for the client contract: every request and response body shows one.

API Gateway does not support `example` in models or in the definition, so the template keeps
them in the API resource's `Metadata.Examples` (or in the YAML file it names there): one per
model by its `title`, one per body without a model by `"<METHOD> <path> <status>"`
(`"POST /v1/things request"` for a request), and one per parameter by `"parameter <name>"`.
Error bodies are written here, from the status and the response's description, in the error
envelope every error of the API has.
"""

from __future__ import annotations

import copy
from typing import Any

REFERENCE_PREFIX = "#/components/schemas/"
# The envelope's code for each error status: the codes the handlers and the gateway responses use.
ERROR_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: "THROTTLED",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    504: "GATEWAY_TIMEOUT",
}
EXAMPLE_REQUEST_ID = "c5e2f1d0-8a3b-4f6e-9d21-7b0a4e6c3f19"


def error_example(status: str, description: str) -> dict[str, Any]:
    """An error envelope for `status`, its message the description's first sentence."""
    number = int(status) if status.isdigit() else 500
    code = ERROR_CODES.get(number, "INTERNAL_ERROR" if number >= 500 else "BAD_REQUEST")
    message = description.split(". ")[0].rstrip(".") + "." if description else code
    return {"error": {"code": code, "message": message, "requestId": EXAMPLE_REQUEST_ID}}


def _example_for(media: dict[str, Any], key: str, examples: dict[str, Any]) -> Any:
    reference = (media.get("schema") or {}).get("$ref")
    if isinstance(reference, str) and reference.startswith(REFERENCE_PREFIX):
        return examples.get(reference.removeprefix(REFERENCE_PREFIX))
    return examples.get(key)


def _parameter_examples(parameters: list[dict[str, Any]], examples: dict[str, Any]) -> None:
    for parameter in parameters:
        example = examples.get(f"parameter {parameter.get('name')}")
        if example is not None:
            parameter["example"] = example


def add_examples(paths: dict[str, Any], examples: dict[str, Any]) -> None:
    """Give each body in `paths` (titled `$ref`s) and each parameter its example, where the
    template has one (a parameter's by `"parameter <name>"`)."""
    for path, item in paths.items():
        for method, operation in item.items():
            if method == "parameters":
                _parameter_examples(operation, examples)
                continue
            _parameter_examples(operation.get("parameters", []), examples)
            name = f"{method.upper()} {path}"
            body = operation.get("requestBody") or {}
            for media in (body.get("content") or {}).values():
                example = _example_for(media, f"{name} request", examples)
                if example is not None:
                    media["example"] = copy.deepcopy(example)
            for status, response in operation.get("responses", {}).items():
                for media in (response.get("content") or {}).values():
                    if status[:1] in ("4", "5"):
                        example = error_example(status, str(response.get("description", "")))
                    else:
                        example = _example_for(media, f"{name} {status}", examples)
                    if example is not None:
                        media["example"] = copy.deepcopy(example)


def missing_examples(document: dict[str, Any]) -> list[str]:
    """The bodies of a contract that show no example, e.g. `POST /v1/users 201 application/json`."""
    missing = []
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            name = f"{method.upper()} {path}"
            body = operation.get("requestBody") or {}
            for media_type, media in (body.get("content") or {}).items():
                if "example" not in media:
                    missing.append(f"{name} request {media_type}")
            for status, response in operation.get("responses", {}).items():
                for media_type, media in (response.get("content") or {}).items():
                    if "example" not in media:
                        missing.append(f"{name} {status} {media_type}")
    return missing
