"""`make postman`: the contract as a Postman collection with a test per request, and an environment.

openapi-to-postmanv2 (pinned in package.json) converts docs/openapi.json; this script finishes
its collection, which would otherwise share one `{{apiKey}}` between the Cognito token and
the API key and test nothing:
- each request sends the credentials its operation's security asks for, one variable per
  credential: `{{cognitoIdToken}}` (a Cognito user pool authorizer), `{{issuerToken}}` (a
  Bearer token authorizer), `{{apiKey_<plan>}}` (the usage plan made for the method, by its
  per-method throttle, else the template's first plan);
- each request tests its documented success status and, for JSON, the contract's schema;
- requests run writes first (POST, then PUT), reads next, DELETE last; the `id` a POST
  answers is kept (`{{created_<resource>_id}}`) for the `{id}` of that resource's paths, in
  every version; other parameters take the contract's examples, optional ones are left out,
  and a request body's `email` is new each run (the API keeps emails unique).
The environment gives every variable its value from a running gateway's `.local/session.json`
(`make dev`), or leaves the credentials empty, with a note, when none runs.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from local_gateway.samconfig import load_settings
from local_gateway.template import LoadedTemplate, load_template

METHOD_ORDER = {"POST": 0, "PUT": 1, "PATCH": 1, "GET": 2, "HEAD": 2, "DELETE": 3}
REFERENCE_PREFIX = "#/components/schemas/"
NON_JSON_FORMATS = {"binary", "byte", "int32", "int64", "float", "double"}
COLLECTION_FILE = "collection.postman_collection.json"
ENVIRONMENT_FILE = "local.postman_environment.json"


def credential_kinds(template: LoadedTemplate) -> dict[str, str]:
    """Security scheme name -> `cognito`, `bearer` or `api_key`, from the template's API."""
    kinds: dict[str, str] = {}
    for api in template.of_type("AWS::ApiGateway::RestApi"):
        body = template.properties(api).get("Body") or {}
        for name, scheme in ((body.get("components") or {}).get("securitySchemes") or {}).items():
            authorizer = scheme.get("x-amazon-apigateway-authorizer")
            if str(scheme.get("x-amazon-apigateway-authtype", "")).lower() == "awssigv4":
                kinds[name] = "sigv4"
            elif authorizer is None:
                kinds[name] = "api_key"
            elif str(authorizer.get("type", "")).lower() == "cognito_user_pools":
                kinds[name] = "cognito"
            else:
                kinds[name] = "bearer"
    return kinds


def plan_for_methods(template: LoadedTemplate) -> tuple[dict[str, str], list[str]]:
    """`/v1/things/POST` -> the plan throttling that method; and every plan, in template order.

    Plans go by the names the session gives them (the stack name's prefix dropped).
    """
    by_method: dict[str, str] = {}
    names: list[str] = []
    for logical_id in template.of_type("AWS::ApiGateway::UsagePlan"):
        properties = template.properties(logical_id)
        where = f"Resources.{logical_id}.Properties.UsagePlanName"
        full = str(template.resolve(properties.get("UsagePlanName", logical_id), where))
        name = full.removeprefix(f"{template.context.stack_name}-") or full
        names.append(name)
        for api_stage in properties.get("ApiStages") or []:
            for method in api_stage.get("Throttle") or {}:
                by_method.setdefault(str(method), name)
    return by_method, names


def json_schema(schema: Any, components: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema for Postman's validator: refs inlined,
    `nullable` as a `null` type, formats JSON Schema does not know dropped."""
    if isinstance(schema, list):
        return [json_schema(item, components) for item in schema]
    if not isinstance(schema, dict):
        return schema
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith(REFERENCE_PREFIX):
        return json_schema(components[reference.removeprefix(REFERENCE_PREFIX)], components)
    converted = {
        key: json_schema(value, components)
        for key, value in schema.items()
        if key not in ("nullable", "example", "description")
        and not (key == "format" and value in NON_JSON_FORMATS)
    }
    if schema.get("nullable") and "type" in converted:
        converted["type"] = [converted["type"], "null"]
    return converted


def request_path(request: dict[str, Any]) -> str:
    segments = request["url"].get("path") or []
    return "/" + "/".join(f"{{{s[1:]}}}" if s.startswith(":") else s for s in segments)


def resource_of(path: str) -> str:
    """`/v1/users` and `/v2/users/{id}` are both the `users` resource."""
    parts = [p for p in path.strip("/").split("/") if p and not p.startswith("{")]
    if parts and parts[0][:1] == "v" and parts[0][1:].isdigit():
        parts = parts[1:]
    return "_".join(parts) or "root"


# Routes that read a resource created under another path: their `{id}` is that resource's.
READS_IDS_OF = {"directory": "users", "internal_users": "users"}


def headers_for(
    operation: dict[str, Any], kinds: dict[str, str], schemes: dict[str, Any], plan: str
) -> list[dict[str, str]]:
    headers = []
    for requirement in operation.get("security") or []:
        for name in requirement:
            kind = kinds.get(name, "api_key")
            header = str(schemes.get(name, {}).get("name", "Authorization"))
            if kind == "sigv4":
                continue  # signed by the request's auth (auth_for), not a header of ours
            if kind == "cognito":
                headers.append({"key": header, "value": "{{cognitoIdToken}}"})
            elif kind == "bearer":
                headers.append({"key": "Authorization", "value": "Bearer {{issuerToken}}"})
            else:
                headers.append({"key": header, "value": f"{{{{apiKey_{plan}}}}}"})
    return headers


def auth_for(operation: dict[str, Any], kinds: dict[str, str]) -> dict[str, Any]:
    """Postman's own SigV4 signing for IAM-guarded routes (service execute-api), else none."""
    schemes = [name for requirement in operation.get("security") or [] for name in requirement]
    if not any(kinds.get(name) == "sigv4" for name in schemes):
        return {"type": "noauth"}
    settings = {
        "accessKey": "{{awsAccessKeyId}}",
        "secretKey": "{{awsSecretAccessKey}}",
        "region": "{{awsRegion}}",
        "service": "execute-api",
    }
    return {
        "type": "awsv4",
        "awsv4": [{"key": k, "value": v, "type": "string"} for k, v in settings.items()],
    }


def success_status(operation: dict[str, Any]) -> str:
    """The first documented 2xx; a redirect (3xx) where the success is one."""
    statuses = sorted(str(status) for status in operation["responses"])
    successes = [s for s in statuses if s.startswith("2")] or [
        s for s in statuses if s.startswith("3")
    ]
    return successes[0]


def test_script(
    name: str, path: str, operation: dict[str, Any], components: dict[str, Any]
) -> list[str]:
    """Postman tests: the first documented 2xx status, the JSON body against its schema."""
    status = success_status(operation)
    # A proxied backend may answer any success it documents (an order created is 201).
    successes = sorted(int(s) for s in operation["responses"] if s[0] == status[0])
    media = (operation["responses"][status].get("content") or {}).get("application/json")
    lines = [
        f"pm.test({json.dumps(f'{name} answers {status}')}, function () {{",
        f"    pm.expect(pm.response.code).to.be.oneOf({successes});",
        "});",
    ]
    if media is None or name.startswith("HEAD "):  # HEAD answers headers only
        return lines
    schema = json.dumps(json_schema(media["schema"], components), sort_keys=True)
    lines += [
        f"pm.test({json.dumps(f'{name} answers what the contract says')}, function () {{",
        f"    pm.response.to.have.jsonSchema({schema});",
        "});",
    ]
    example = media.get("example")
    if name.startswith("POST ") and isinstance(example, dict) and "id" in example:
        variable = json.dumps(f"created_{resource_of(path)}_id")
        lines += [
            "if (pm.response.code < 300) {",
            f"    pm.collectionVariables.set({variable}, pm.response.json().id);",
            "}",
        ]
    return lines


def finish_request(item: dict[str, Any], contract: dict[str, Any], context: Context) -> None:
    """Credentials, parameter values and tests for one converted request."""
    request = item["request"]
    method, path = request["method"], request_path(request)
    operation = contract["paths"][path][method.lower()]
    name = f"{method} {path}"
    item["name"] = f"{name}: {operation.get('summary', '')}".rstrip(": ")
    plan = context.plan_by_method.get(f"{path}/{method}", context.first_plan)
    shared = contract["paths"][path].get("parameters", [])
    parameters = {p["name"]: p for p in [*shared, *operation.get("parameters", [])]}

    def wanted(entry: dict[str, Any]) -> bool:
        parameter = parameters.get(entry["key"])
        return parameter is None or bool(parameter.get("required"))

    request["auth"] = auth_for(operation, context.kinds)
    credentials = headers_for(operation, context.kinds, context.schemes, plan)
    request["header"] = [h for h in request.get("header", []) if wanted(h)] + credentials
    request["url"]["query"] = [q for q in request["url"].get("query") or [] if wanted(q)]
    resource = resource_of(path)
    created = f"created_{READS_IDS_OF.get(resource, resource)}_id"
    for variable in request["url"].get("variable") or []:
        if variable["key"] == "id" and created in context.created:
            variable["value"] = f"{{{{{created}}}}}"
    body = request.get("body") or {}
    if body.get("mode") == "raw" and body.get("raw"):
        example = json.loads(body["raw"])
        if isinstance(example, dict) and "email" in example:
            example["email"] = "newman-{{$guid}}@example.com"
            body["raw"] = json.dumps(example, indent=2)
    script = test_script(name, path, operation, context.components)
    item["event"] = [{"listen": "test", "script": {"type": "text/javascript", "exec": script}}]
    if success_status(operation).startswith("3"):
        # The redirect is the answer under test, not where it points.
        item["protocolProfileBehavior"] = {"followRedirects": False}
    item.pop("response", None)  # the converter's sample answers: the tests say it now


@dataclass
class Context:
    kinds: dict[str, str]
    plan_by_method: dict[str, str]
    first_plan: str
    schemes: dict[str, Any]
    components: dict[str, Any]
    created: set[str]


def run_order(item: dict[str, Any]) -> tuple[int, str]:
    request = item["request"]
    return METHOD_ORDER.get(request["method"], 2), request_path(request)


def finish_collection(
    converted: dict[str, Any], contract: dict[str, Any], template: LoadedTemplate
) -> dict[str, Any]:
    plan_by_method, plans = plan_for_methods(template)
    context = Context(
        kinds=credential_kinds(template),
        plan_by_method=plan_by_method,
        first_plan=plans[0] if plans else "none",
        schemes=contract["components"].get("securitySchemes") or {},
        components=contract["components"]["schemas"],
        created={
            f"created_{resource_of(p)}_id"
            for p, item in contract["paths"].items()
            if "post" in item
        },
    )
    for folder in converted["item"]:
        requests = folder.get("item", [folder])
        for item in requests:
            finish_request(item, contract, context)
        if "item" in folder:
            folder["item"] = sorted(requests, key=run_order)  # stable: ties keep their order
    converted.pop("auth", None)
    return converted


def environment(session: dict[str, Any] | None, template: LoadedTemplate) -> dict[str, Any]:
    """The local gateway's URL and one variable per credential, from its session facts."""
    _, plans = plan_for_methods(template)
    values: dict[str, str] = {"baseUrl": "", "cognitoIdToken": "", "issuerToken": ""}
    values.update({"awsAccessKeyId": "", "awsSecretAccessKey": "", "awsRegion": ""})
    values.update({f"apiKey_{plan}": "" for plan in plans})
    if session is not None:
        users = list(session["users"].items())
        # The demo user in the most groups (the admin), so admin-only routes answer too.
        user = max(users, key=lambda entry: len(entry[1].get("groups") or []), default=None)
        values["baseUrl"] = session["api_url"]  # no stage segment locally (as sam local)
        values["cognitoIdToken"] = user[1]["id_token"] if user else ""
        values["issuerToken"] = session["issuer"]["token"]
        values.update({f"apiKey_{plan}": key for plan, key in session["api_keys"].items()})
        caller = next(iter((session.get("iam_callers") or {}).values()), None)
        if caller is not None:  # the internal service make dev creates
            values["awsAccessKeyId"] = caller["access_key_id"]
            values["awsSecretAccessKey"] = caller["secret_access_key"]
        values["awsRegion"] = session.get("region", "")
    secret = {"cognitoIdToken", "issuerToken", "awsSecretAccessKey"}
    secret |= {f"apiKey_{plan}" for plan in plans}
    return {
        "name": "local gateway (make dev)",
        "values": [
            {
                "key": key,
                "value": value,
                "type": "secret" if key in secret else "default",
                "enabled": True,
            }
            for key, value in values.items()
        ],
        "_postman_variable_scope": "environment",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contract", type=Path, default=Path("docs/openapi.json"))
    parser.add_argument("--converted", type=Path, required=True, help="openapi2postmanv2's output")
    parser.add_argument("--template", type=Path, default=Path("template.yaml"))
    parser.add_argument("--session", type=Path, default=Path(".local/session.json"))
    parser.add_argument("--out", type=Path, default=Path(".local/postman"))
    arguments = parser.parse_args(argv)
    settings = load_settings(arguments.template.parent / "samconfig.toml", "default", "")
    template = load_template(
        arguments.template,
        settings.parameter_overrides,
        region=settings.region,
        stack_name=settings.stack_name,
    )
    contract = json.loads(arguments.contract.read_text())
    converted = json.loads(arguments.converted.read_text())
    session = json.loads(arguments.session.read_text()) if arguments.session.exists() else None
    arguments.out.mkdir(parents=True, exist_ok=True)
    collection_file = arguments.out / COLLECTION_FILE
    environment_file = arguments.out / ENVIRONMENT_FILE
    collection = finish_collection(converted, contract, template)
    collection_file.write_text(json.dumps(collection, indent=2) + "\n")
    environment_file.write_text(json.dumps(environment(session, template), indent=2) + "\n")
    print(f"Postman collection: {collection_file}\nPostman environment: {environment_file}")
    if session is None:
        print(
            f"No {arguments.session}: the environment's URL and credentials are empty. "
            "Start `make dev`, then run `make postman` again.",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
