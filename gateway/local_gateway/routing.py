"""Matches a request to a method the way API Gateway does.

Paths are compared segment by segment, and the most specific resource wins: a literal
segment beats `{param}`, which beats greedy `{proxy+}`. Within the resource the exact HTTP
method beats `ANY`. A path no resource matches, or a method the resource lacks, is API
Gateway's 403 "Missing Authentication Token".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from local_gateway.api import Method

_LITERAL, _PARAMETER, _GREEDY = 0, 1, 2


@dataclass(frozen=True)
class Route:
    """A resource path split into segments, with its methods by HTTP verb."""

    resource_path: str
    segments: tuple[str, ...]
    methods: dict[str, Method]
    # Each segment's kind, worked out once (matching runs on every request).
    kinds: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "kinds", tuple(_kind(segment) for segment in self.segments))

    @property
    def specificity(self) -> tuple[int, ...]:
        """Sorts routes most specific first; ties keep template order."""
        return (*self.kinds, -1)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.segments) and _GREEDY not in self.kinds:
            return None
        parameters: dict[str, str] = {}
        for index, (segment, kind) in enumerate(zip(self.segments, self.kinds, strict=True)):
            if kind == _GREEDY:
                rest = parts[index:]
                if not rest or not any(rest):
                    return None
                parameters[segment[1:-2]] = "/".join(rest)
                return parameters
            if index >= len(parts):
                return None
            if kind == _PARAMETER:
                if not parts[index]:
                    return None
                parameters[segment[1:-1]] = parts[index]
            elif segment != parts[index]:
                return None
        return parameters if len(parts) == len(self.segments) else None


def _kind(segment: str) -> int:
    if segment.startswith("{") and segment.endswith("+}"):
        return _GREEDY
    if segment.startswith("{") and segment.endswith("}"):
        return _PARAMETER
    return _LITERAL


def _split(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


@dataclass(frozen=True)
class Match:
    method: Method
    path_parameters: dict[str, str]  # decoded, as non-proxy integrations receive them
    route: Route

    def raw_path_parameters(self, raw_path: str) -> dict[str, str]:
        """The parameters as sent, percent-encoding kept: what a proxy event's
        `pathParameters` holds. Decoded ones where the raw path splits otherwise (`%2F`)."""
        return self.route.match(_split(raw_path)) or self.path_parameters


class Router:
    def __init__(self, methods: list[Method]) -> None:
        routes: dict[str, Route] = {}
        for method in methods:
            route = routes.setdefault(
                method.resource_path,
                Route(method.resource_path, tuple(_split(method.resource_path)), {}),
            )
            route.methods[method.http_method] = method
        self.routes = sorted(routes.values(), key=lambda r: r.specificity)

    def match(self, http_method: str, path: str) -> Match | None:
        """The method serving `http_method path`, or None (Missing Authentication Token)."""
        parts = _split(path)
        for route in self.routes:
            parameters = route.match(parts)
            if parameters is None:
                continue
            method = route.methods.get(http_method.upper()) or route.methods.get("ANY")
            return Match(method, parameters, route) if method is not None else None
        return None
