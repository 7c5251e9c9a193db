"""Resolves CloudFormation intrinsic functions against locally provisioned resources.

Values are resolved lazily, property by property, so a construct the gateway has no local
equivalent for (say `Fn::ImportValue` in an alarm) only fails when something the gateway
runs actually needs it, and the error names the resource and property.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from local_gateway.errors import TemplateError

NO_VALUE = object()  # AWS::NoValue: the enclosing key or list item disappears

_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


@dataclass
class ResolutionContext:
    """What Ref and Fn::GetAtt resolve to: parameters, pseudo parameters and resources."""

    region: str
    account_id: str
    stack_name: str
    parameters: dict[str, Any]
    mappings: dict[str, Any]
    conditions: dict[str, Any]
    # Ref of a resource -> its physical id; GetAtt -> a function of the attribute name.
    resource_refs: dict[str, Any] = field(default_factory=dict)
    resource_attributes: dict[str, Callable[[str], Any]] = field(default_factory=dict)
    _condition_values: dict[str, bool] = field(default_factory=dict)

    def pseudo_parameters(self) -> dict[str, Any]:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": (
                f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/"
                f"{self.stack_name}/00000000-0000-0000-0000-000000000000"
            ),
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
        }

    def condition(self, name: str, where: str) -> bool:
        if name not in self._condition_values:
            if name not in self.conditions:
                raise TemplateError(where, f"unknown condition {name!r}")
            value = Resolver(self).resolve(self.conditions[name], f"Conditions.{name}")
            self._condition_values[name] = bool(value)
        return self._condition_values[name]


class Resolver:
    """Evaluates one value (any JSON shape) with its intrinsic functions."""

    def __init__(self, context: ResolutionContext) -> None:
        self.context = context

    def resolve(self, value: Any, where: str) -> Any:
        resolved = self._resolve(value, where)
        return None if resolved is NO_VALUE else resolved

    def _resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            items = [self._resolve(item, f"{where}[{i}]") for i, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, argument),) = value.items()
            if key == "Ref" or key.startswith("Fn::") or key == "Condition":
                return self._function(key, argument, f"{where}.{key}")
        resolved = {k: self._resolve(v, f"{where}.{k}") for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not NO_VALUE}

    def _function(self, name: str, argument: Any, where: str) -> Any:
        handlers: Mapping[str, Callable[[Any, str], Any]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::If": self._if,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::FindInMap": self._find_in_map,
            "Fn::Base64": lambda arg, w: base64.b64encode(
                str(self._resolve(arg, w)).encode()
            ).decode(),
            "Fn::Equals": self._equals,
            "Fn::And": lambda arg, w: all(self._resolve(arg, w)),
            "Fn::Or": lambda arg, w: any(self._resolve(arg, w)),
            "Fn::Not": lambda arg, w: not self._resolve(arg, w)[0],
            "Condition": lambda arg, w: self.context.condition(arg, w),
            "Fn::GetAZs": lambda arg, w: [f"{self.context.region}{z}" for z in "abc"],
        }
        handler = handlers.get(name)
        if handler is None:
            raise TemplateError(where, f"{name} has no local equivalent")
        return handler(argument, where)

    def _ref(self, name: Any, where: str) -> Any:
        if not isinstance(name, str):
            name = self._resolve(name, where)
        if name == "AWS::NoValue":
            return NO_VALUE
        pseudo = self.context.pseudo_parameters()
        if name in pseudo:
            return pseudo[name]
        if name in self.context.parameters:
            return self.context.parameters[name]
        if name in self.context.resource_refs:
            return self.context.resource_refs[name]
        raise TemplateError(where, f"Ref to {name!r}, which is no parameter or resource")

    def _get_att(self, argument: Any, where: str) -> Any:
        if isinstance(argument, str):
            logical_id, _, attribute = argument.partition(".")
        else:
            logical_id, attribute = self._resolve(argument, where)
        attributes = self.context.resource_attributes.get(logical_id)
        if attributes is None:
            raise TemplateError(where, f"Fn::GetAtt of unknown resource {logical_id!r}")
        value = attributes(attribute)
        if value is None:
            raise TemplateError(
                where, f"Fn::GetAtt {logical_id}.{attribute}: attribute has no local value"
            )
        return value

    def _sub(self, argument: Any, where: str) -> str:
        if isinstance(argument, str):
            text, variables = argument, {}
        else:
            text, raw_variables = argument
            variables = {k: self._resolve(v, f"{where}.{k}") for k, v in raw_variables.items()}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name and not name.startswith("AWS::"):
                return str(self._get_att(name, where))
            return str(self._ref(name, where))

        substituted = _SUB_VARIABLE.sub(replace, text)
        return substituted.replace("${!", "${")

    def _join(self, argument: Any, where: str) -> str:
        delimiter, items = argument
        values = self._resolve(items, where)
        return str(delimiter).join(str(v) for v in values)

    def _if(self, argument: Any, where: str) -> Any:
        condition, when_true, when_false = argument
        chosen = when_true if self.context.condition(condition, where) else when_false
        return self._resolve(chosen, where)

    def _select(self, argument: Any, where: str) -> Any:
        index, items = argument
        values = self._resolve(items, where)
        return values[int(self._resolve(index, where))]

    def _split(self, argument: Any, where: str) -> list[str]:
        delimiter, text = argument
        return str(self._resolve(text, where)).split(delimiter)

    def _find_in_map(self, argument: Any, where: str) -> Any:
        map_name, top_key, second_key = (self._resolve(part, where) for part in argument[:3])
        try:
            return self.context.mappings[map_name][top_key][second_key]
        except KeyError:
            raise TemplateError(
                where, f"Fn::FindInMap: no {map_name}.{top_key}.{second_key} in Mappings"
            ) from None

    def _equals(self, argument: Any, where: str) -> bool:
        left, right = self._resolve(argument, where)
        return str(left) == str(right)
