"""The REST API as deployed: methods, authorizers, stage and gateway responses.

Read from each `AWS::ApiGateway::RestApi`'s OpenAPI `Body` (Swagger 2 or OpenAPI 3, which is
what the SAM transform writes), its `AWS::ApiGateway::Stage`, and any
`AWS::ApiGateway::GatewayResponse` resources. Values are resolved against the local resources,
so this is built after provisioning.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from typing import Any

from local_gateway import vtl
from local_gateway.errors import TemplateError
from local_gateway.template import LoadedTemplate

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
ANY_METHOD = "x-amazon-apigateway-any-method"


@dataclass(frozen=True)
class Authorizer:
    """An authorizer of the API: Cognito user pools, a Lambda (TOKEN or REQUEST) or AWS_IAM."""

    name: str
    kind: str  # COGNITO_USER_POOLS, TOKEN, REQUEST or AWS_IAM (SigV4)
    identity_sources: tuple[str, ...]  # e.g. ("method.request.header.Authorization",)
    provider_arns: tuple[str, ...] = ()
    function_uri: str | None = None
    ttl_seconds: int = 300
    validation_expression: str | None = None


@dataclass(frozen=True)
class Integration:
    """`x-amazon-apigateway-integration` with its type lower-cased (aws_proxy, mock...)."""

    kind: str
    uri: str | None
    definition: dict[str, Any]


@dataclass(frozen=True)
class Method:
    """One method of one resource, with everything that guards and serves it."""

    http_method: str  # upper case; ANY for x-amazon-apigateway-any-method
    resource_path: str
    integration: Integration
    authorizer: Authorizer | None
    scopes: tuple[str, ...]
    api_key_required: bool
    operation: dict[str, Any]  # the whole OpenAPI operation, for validators and models


@dataclass(frozen=True)
class GatewayResponse:
    """A customised gateway response: status, headers (mapping expressions), templates."""

    response_type: str
    status: int | None
    parameters: dict[str, str]
    templates: dict[str, str]


@dataclass
class RestApi:
    logical_id: str
    api_id: str
    stage_name: str
    stage_variables: dict[str, str]
    methods: list[Method]
    gateway_responses: dict[str, GatewayResponse]
    binary_media_types: list[str]
    access_log_format: str | None
    method_settings: list[dict[str, Any]]
    definition: dict[str, Any]  # the resolved OpenAPI document
    request_validators: dict[str, Any] = field(default_factory=dict)
    region: str = "us-east-1"
    api_key_source: str = "HEADER"  # or AUTHORIZER: the key comes from the Lambda authorizer


def local_api_id(logical_id: str) -> str:
    """A stable 10-character id, like API Gateway's, so URLs and ARNs stay the same per run."""
    return hashlib.sha256(logical_id.encode()).hexdigest()[:10]


@functools.cache
def local_deployment_id(api_id: str) -> str:
    """A stable 6-character deployment id for `requestContext.deploymentId`."""
    return hashlib.sha256(f"{api_id}/deployment".encode()).hexdigest()[:6]


def _security_schemes(definition: dict[str, Any]) -> dict[str, Any]:
    schemes: dict[str, Any] = dict(definition.get("securityDefinitions") or {})
    schemes.update((definition.get("components") or {}).get("securitySchemes") or {})
    return schemes


def _authorizer(name: str, scheme: dict[str, Any], where: str) -> Authorizer | None:
    """None for the API key scheme (it is not an authorizer); raises on what is not supported."""
    config = scheme.get("x-amazon-apigateway-authorizer")
    if str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
        return Authorizer(name, "AWS_IAM", ("method.request.header.Authorization",))
    if config is None:
        if scheme.get("in") == "header" and str(scheme.get("name", "")).lower() == "x-api-key":
            return None
        raise TemplateError(
            where, f"security scheme {name!r} is neither an authorizer nor an API key"
        )
    kind = str(config.get("type", "")).upper()
    header = scheme.get("name", "Authorization")
    sources = str(config.get("identitySource") or f"method.request.header.{header}")
    identity_sources = tuple(s.strip() for s in sources.split(",") if s.strip())
    ttl = int(config.get("authorizerResultTtlInSeconds", 300))
    if kind == "COGNITO_USER_POOLS":
        return Authorizer(
            name,
            kind,
            identity_sources,
            provider_arns=tuple(config.get("providerARNs") or ()),
            ttl_seconds=ttl,
        )
    if kind in ("TOKEN", "REQUEST"):
        return Authorizer(
            name,
            kind,
            identity_sources,
            function_uri=config.get("authorizerUri"),
            ttl_seconds=ttl,
            validation_expression=config.get("identityValidationExpression"),
        )
    raise TemplateError(
        where, f"authorizer {name!r} of type {kind or '?'} is not supported locally"
    )


def _method(
    path: str,
    verb: str,
    operation: dict[str, Any],
    authorizers: dict[str, Authorizer | None],
    default_security: list[dict[str, list[str]]],
    where: str,
) -> Method:
    definition = operation.get("x-amazon-apigateway-integration")
    if definition is None:
        raise TemplateError(where, "has no x-amazon-apigateway-integration")
    kind = str(definition.get("type", "")).lower()
    authorizer: Authorizer | None = None
    scopes: tuple[str, ...] = ()
    api_key_required = False
    for requirement in operation.get("security", default_security):
        for scheme_name, scheme_scopes in requirement.items():
            if scheme_name not in authorizers:
                raise TemplateError(where, f"security names unknown scheme {scheme_name!r}")
            found = authorizers[scheme_name]
            if found is None:
                api_key_required = True
            elif found.name != "NONE":
                authorizer, scopes = found, tuple(scheme_scopes or ())
    return Method(
        http_method="ANY" if verb == ANY_METHOD else verb.upper(),
        resource_path=path,
        integration=Integration(kind, definition.get("uri"), definition),
        authorizer=authorizer,
        scopes=scopes,
        api_key_required=api_key_required,
        operation=operation,
    )


def _gateway_response(response_type: str, raw: dict[str, Any]) -> GatewayResponse:
    status = raw.get("statusCode", raw.get("StatusCode"))
    return GatewayResponse(
        response_type=response_type,
        status=int(status) if status not in (None, "") else None,
        parameters=dict(raw.get("responseParameters", raw.get("ResponseParameters")) or {}),
        templates=dict(raw.get("responseTemplates", raw.get("ResponseTemplates")) or {}),
    )


def _stage_of(template: LoadedTemplate, logical_id: str) -> dict[str, Any]:
    for stage_id in template.of_type("AWS::ApiGateway::Stage"):
        if template.properties(stage_id).get("RestApiId") == {"Ref": logical_id}:
            resolved: dict[str, Any] = template.resolve(
                template.properties(stage_id), f"Resources.{stage_id}.Properties"
            )
            return resolved
    return {"StageName": "local"}


def load_apis(template: LoadedTemplate) -> list[RestApi]:
    apis = []
    for logical_id in template.of_type("AWS::ApiGateway::RestApi"):
        where = f"Resources.{logical_id}.Properties.Body"
        if "Body" not in template.properties(logical_id):
            raise TemplateError(
                f"Resources.{logical_id}.Properties",
                "only APIs with an OpenAPI Body (as AWS::Serverless::Api writes) run locally",
            )
        definition: dict[str, Any] = template.resolved_property(logical_id, "Body")
        schemes = _security_schemes(definition)
        authorizers = {
            name: _authorizer(name, scheme, f"{where}.securitySchemes.{name}")
            for name, scheme in schemes.items()
        }
        authorizers["NONE"] = Authorizer("NONE", "NONE", ())  # SAM's "no authorizer" marker
        default_security = definition.get("security") or []
        methods = [
            _method(
                path, verb, operation, authorizers, default_security, f"{where}.paths.{path}.{verb}"
            )
            for path, operations in (definition.get("paths") or {}).items()
            for verb, operation in operations.items()
            if verb in HTTP_METHODS or verb == ANY_METHOD
        ]
        responses = {
            kind: _gateway_response(kind, raw)
            for kind, raw in (definition.get("x-amazon-apigateway-gateway-responses") or {}).items()
        }
        for response_id in template.of_type("AWS::ApiGateway::GatewayResponse"):
            properties = template.properties(response_id)
            if properties.get("RestApiId") == {"Ref": logical_id}:
                resolved = template.resolve(properties, f"Resources.{response_id}.Properties")
                kind = resolved["ResponseType"]
                responses[kind] = _gateway_response(kind, resolved)
        stage = _stage_of(template, logical_id)
        access_log = stage.get("AccessLogSetting") or {}
        api_id = local_api_id(logical_id)
        template.context.resource_refs[logical_id] = api_id
        apis.append(
            RestApi(
                logical_id=logical_id,
                api_id=api_id,
                stage_name=str(stage.get("StageName", "local")),
                stage_variables={k: str(v) for k, v in (stage.get("Variables") or {}).items()},
                methods=methods,
                gateway_responses=responses,
                binary_media_types=list(
                    definition.get("x-amazon-apigateway-binary-media-types")
                    or template.resolved_property(logical_id, "BinaryMediaTypes", [])
                    or []
                ),
                access_log_format=access_log.get("Format"),
                method_settings=list(stage.get("MethodSettings") or []),
                definition=definition,
                request_validators=dict(
                    definition.get("x-amazon-apigateway-request-validators") or {}
                ),
                api_key_source=str(
                    definition.get("x-amazon-apigateway-api-key-source")
                    or template.resolved_property(logical_id, "ApiKeySourceType", "HEADER")
                    or "HEADER"
                ),
            )
        )
    return apis


def _mapping_templates(api: RestApi) -> list[tuple[str, str]]:
    """(where, template) for every mapping template the API declares."""
    where = f"Resources.{api.logical_id}.Properties.Body"
    found: list[tuple[str, str]] = []
    for method in api.methods:
        verb = ANY_METHOD if method.http_method == "ANY" else method.http_method.lower()
        at = f"{where}.paths.{method.resource_path}.{verb}.x-amazon-apigateway-integration"
        definition = method.integration.definition
        for content_type, template in (definition.get("requestTemplates") or {}).items():
            found.append((f"{at}.requestTemplates.{content_type}", template))
        for pattern, response in (definition.get("responses") or {}).items():
            for content_type, template in (response.get("responseTemplates") or {}).items():
                found.append(
                    (f"{at}.responses.{pattern}.responseTemplates.{content_type}", template)
                )
    for kind, response in api.gateway_responses.items():
        for content_type, template in response.templates.items():
            found.append((f"{where} gateway response {kind} {content_type}", template))
    return [(source, template) for source, template in found if isinstance(template, str)]


def check_mapping_templates(apis: list[RestApi]) -> None:
    """Fails at load, naming the template's place and line, when a mapping template won't parse.

    So a broken template stops `make dev` at once, not the first request that happens to use it.
    """
    for api in apis:
        for source, template in _mapping_templates(api):
            try:
                vtl.check_syntax(template, source=source)
            except vtl.VtlError as error:
                raise TemplateError(source, f"line {error.line}: {error.detail}") from None
