"""The `Fn::ForEach` loops of CloudFormation's `AWS::LanguageExtensions` transform, unrolled.

CloudFormation runs the transforms a template lists in order, so a template declaring
`Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]` reaches the SAM transform
with every loop already unrolled. This does the same, following the documented behaviour
(Template Reference, "Fn::ForEach" and its examples for Resources, Outputs and Conditions):

- `Fn::ForEach::<LoopName>: [Identifier, Collection, {OutputKey: OutputValue, ...}]` in
  `Conditions`, `Resources` (resource properties included) and `Outputs`;
- the collection is a list of strings, or a `Ref` to a list parameter (CommaDelimitedList);
- for each item, `${Identifier}` in every string becomes the item, `&{Identifier}` the item with
  its non-alphanumeric characters dropped, and `{"Ref": Identifier}` the item itself;
- loops nest (at most five deep), output keys are alphanumeric and unique.

Other intrinsics are left for the gateway's resolver; the transform itself leaves the list.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from local_gateway.errors import TemplateError

TRANSFORM = "AWS::LanguageExtensions"
LOOP_PREFIX = "Fn::ForEach::"
MAX_DEPTH = 5
_SECTIONS = ("Conditions", "Resources", "Outputs")
_ALPHANUMERIC = re.compile(r"^[A-Za-z0-9]+$")


def unroll(template: dict[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The template as the SAM transform receives it: `Fn::ForEach` loops unrolled.

    `parameters` are the values a loop's collection may `Ref`. A loop in a template that does
    not declare `AWS::LanguageExtensions` is refused, as CloudFormation refuses it.
    """
    if declares_transform(template):
        return apply(template, parameters)
    loop = first_loop(template)
    if loop:
        raise TemplateError(loop, f"needs `Transform: {TRANSFORM}`")
    return template


def declares_transform(template: Mapping[str, Any]) -> bool:
    transform = template.get("Transform")
    listed = transform if isinstance(transform, list) else [transform]
    return TRANSFORM in listed


def first_loop(template: Mapping[str, Any]) -> str | None:
    """Where the first `Fn::ForEach` of the template is (`Resources.Fn::ForEach::Logs`), if any."""

    def search(value: Any, where: str) -> str | None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(key, str) and key.startswith(LOOP_PREFIX):
                    return f"{where}.{key}"
                found = search(inner, f"{where}.{key}")
                if found:
                    return found
        elif isinstance(value, list):
            for inner in value:
                found = search(inner, where)
                if found:
                    return found
        return None

    return next(filter(None, (search(template.get(s), s) for s in _SECTIONS)), None)


def apply(template: dict[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The template with its loops unrolled and the transform gone from `Transform`.

    `parameters` are the parameter values a collection may `Ref` (lists for list parameters).
    """
    expanded = dict(template)
    for section in _SECTIONS:
        if isinstance(template.get(section), dict):
            expanded[section] = _expand_mapping(template[section], section, parameters, 0)
    transform = template.get("Transform")
    if isinstance(transform, list):
        remaining = [name for name in transform if name != TRANSFORM]
        expanded["Transform"] = remaining
        if not remaining:
            del expanded["Transform"]
    elif transform == TRANSFORM:
        del expanded["Transform"]
    return expanded


def _expand_mapping(
    mapping: Mapping[str, Any], where: str, parameters: Mapping[str, Any], depth: int
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(key, str) and key.startswith(LOOP_PREFIX):
            unrolled = _unroll(key, value, f"{where}.{key}", parameters, depth + 1)
            for output_key, output_value in unrolled.items():
                _add(result, output_key, output_value, f"{where}.{key}")
        else:
            _add(result, key, _expand_value(value, f"{where}.{key}", parameters, depth), where)
    return result


def _expand_value(value: Any, where: str, parameters: Mapping[str, Any], depth: int) -> Any:
    if isinstance(value, dict):
        return _expand_mapping(value, where, parameters, depth)
    if isinstance(value, list):
        return [_expand_value(item, where, parameters, depth) for item in value]
    return value


def _add(result: dict[str, Any], key: str, value: Any, where: str) -> None:
    if key in result:
        raise TemplateError(where, f"Fn::ForEach makes {key!r}, which is already declared")
    result[key] = value


def _unroll(
    key: str, value: Any, where: str, parameters: Mapping[str, Any], depth: int
) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise TemplateError(where, f"Fn::ForEach loops nest at most {MAX_DEPTH} deep")
    if not (isinstance(value, list) and len(value) == 3 and isinstance(value[2], dict)):
        raise TemplateError(where, "takes [Identifier, Collection, {OutputKey: OutputValue}]")
    identifier, collection, fragment = value
    if not (isinstance(identifier, str) and _ALPHANUMERIC.match(identifier)):
        raise TemplateError(where, f"the identifier {identifier!r} is not alphanumeric")
    if identifier in parameters:
        raise TemplateError(where, f"the identifier {identifier!r} is also a parameter's name")
    unrolled: dict[str, Any] = {}
    for item in _collection(collection, where, parameters):
        body = _substitute(fragment, identifier, item)
        for output_key, output_value in _expand_mapping(body, where, parameters, depth).items():
            if not _ALPHANUMERIC.match(output_key):
                raise TemplateError(where, f"the output key {output_key!r} is not alphanumeric")
            _add(unrolled, output_key, output_value, where)
    return unrolled


def _collection(collection: Any, where: str, parameters: Mapping[str, Any]) -> list[str]:
    if isinstance(collection, dict) and set(collection) == {"Ref"}:
        name = collection["Ref"]
        if name not in parameters:
            raise TemplateError(where, f"the collection refers to {name!r}, not a parameter")
        collection = parameters[name]
    if not isinstance(collection, list) or not all(
        isinstance(item, str | int | float) and not isinstance(item, bool) for item in collection
    ):
        raise TemplateError(where, "the collection is not a list of strings (or a list parameter)")
    return [str(item) for item in collection]


def _substitute(value: Any, identifier: str, item: str) -> Any:
    if isinstance(value, str):
        stripped = re.sub(r"[^A-Za-z0-9]", "", item)
        return value.replace(f"${{{identifier}}}", item).replace(f"&{{{identifier}}}", stripped)
    if isinstance(value, dict):
        if value == {"Ref": identifier}:
            return item
        return {
            _substitute(key, identifier, item): _substitute(inner, identifier, item)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [_substitute(inner, identifier, item) for inner in value]
    return value
