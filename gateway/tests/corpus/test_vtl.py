"""VTL mapping templates as API Gateway renders them: `$input`, `$util`, `$context`.

Each case posts to `/render/{name}` of `templates/integrations`: an HTTP integration whose
request template picks the expression by `{name}` and whose echo backend answers with the
rendered text, which passes through to the caller unchanged (no response template).
"""

import base64
import json

import pytest
import requests

from .recorded import recorded

INPUT_BODY = (
    "localstack tests/aws/services/apigateway/test_apigateway_common.py::"
    "TestApiGatewayCommon::test_input_body_formatting"
)
INPUT_PATH = (
    "localstack tests/aws/services/apigateway/test_apigateway_common.py::"
    "TestApiGatewayCommon::test_input_path_template_formatting"
)
VARIABLES = (
    "API Gateway developer guide, 'Variables for data transformations for API Gateway' "
    "($input, $util tables)"
)
VARIABLE_EXAMPLES = (
    "API Gateway developer guide, 'Examples using variables for mapping template "
    "transformations for API Gateway'"
)


def render(gateway, name: str, body: bytes | str | None = None, **kwargs) -> requests.Response:
    headers = {"Content-Type": "application/json", **kwargs.pop("headers", {})}
    return requests.post(
        f"{gateway.api_url}/render/{name}", data=body, headers=headers, timeout=10, **kwargs
    )


def render_json(gateway, name: str, document: object) -> str:
    response = render(gateway, name, json.dumps(document))
    assert response.status_code == 200, response.text
    return response.text


# -- $input.body ---------------------------------------------------------------------------


@recorded(INPUT_BODY + " (snapshot response-raw-body, empty-body)")
def test_input_body_of_an_empty_payload_is_an_empty_json_object(integrations):
    # Given a POST with no body, When the template renders $input.body
    response = render(integrations, "body")
    # Then it reads "{}"
    assert response.content == b"{}"


@recorded(INPUT_BODY + " (snapshot response-raw-body, json-body)")
def test_input_body_is_the_payload_as_sent(integrations):
    response = render(integrations, "body", b'{"some": "value"}')
    assert response.content == b'{"some": "value"}'


@recorded(INPUT_BODY + " (snapshot response-raw-body, str-body)")
def test_input_body_of_a_payload_that_is_not_json_is_its_text(integrations):
    response = render(integrations, "body", b"some raw data")
    assert response.content == b"some raw data"


@recorded(INPUT_BODY + " (snapshot response-str-body-input, empty-body)")
def test_input_body_of_an_empty_payload_inside_a_string(integrations):
    response = render(integrations, "body-in-string")
    assert response.content == b"Action=SendMessage&MessageBody={}"


@recorded(INPUT_BODY + " (snapshot response-body-attr-access)")
def test_a_property_of_input_body_renders_as_nothing(integrations):
    # Given a JSON payload, When the template reads $input.body.testAccess (body is a string)
    response = render(integrations, "body-attribute", b'{"testAccess": "x"}')
    # Then nothing is rendered
    assert response.content == b""


@recorded(INPUT_BODY + " (snapshot response-url-encode)")
@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (None, b"EncodedBody=%7B%7D&EncodedBodyAccess="),
        (b'{"some": "value"}', b"EncodedBody=%7B%22some%22%3A+%22value%22%7D&EncodedBodyAccess="),
        (b"some raw data", b"EncodedBody=some+raw+data&EncodedBodyAccess="),
    ],
    ids=["empty", "json", "text"],
)
def test_url_encode_of_the_body_and_of_null(integrations, payload, expected):
    # Given a payload, When the template URL-encodes $input.body and a null value
    response = render(integrations, "url-encode", payload)
    # Then the body is form-encoded (space as +) and null encodes to nothing
    assert response.content == expected


# -- $input.path: what a selection renders as ------------------------------------------------


@recorded(INPUT_PATH + " (snapshot dict-response)")
def test_input_path_of_an_object_renders_as_a_java_map(integrations):
    assert render_json(integrations, "path-map", {"foo": "bar"}) == "{foo=bar}"


@recorded(INPUT_PATH + " (snapshot bigger-dict)")
def test_input_path_of_a_bigger_object_keeps_its_order_and_separators(integrations):
    document = {"bigger": "dict", "to": "test", "with": "separators"}
    assert render_json(integrations, "path-map", document) == (
        "{bigger=dict, to=test, with=separators}"
    )


@recorded(INPUT_PATH + " (snapshot json-list)")
def test_input_path_of_a_list_renders_as_json(integrations):
    document = {"items": [{"foo": "bar"}]}
    assert render_json(integrations, "path-list", document) == '[{"foo":"bar"}]'


@recorded(INPUT_PATH + " (snapshot json-list: the whole payload is a list)")
def test_input_path_of_a_top_level_list_renders_as_json(integrations):
    assert render_json(integrations, "path-map", [{"foo": "bar"}]) == '[{"foo":"bar"}]'


@recorded(INPUT_PATH + " (snapshot nested-dict)")
def test_a_map_property_of_a_selection_renders_as_a_java_map(integrations):
    assert render_json(integrations, "path-nested", {"nested": {"foo": "bar"}}) == "{foo=bar}"


@recorded(INPUT_PATH + " (snapshot nested-list)")
def test_a_list_property_of_a_selection_renders_as_json(integrations):
    document = {"nested": [{"foo": "bar"}]}
    assert render_json(integrations, "path-nested", document) == '[{"foo":"bar"}]'


@recorded(INPUT_PATH + " (snapshot to-string)")
def test_to_string_of_a_map(integrations):
    assert render_json(integrations, "path-to-string", {"foo": "bar"}) == "{foo=bar}"


@recorded(
    INPUT_PATH + " (a list renders as JSON); " + VARIABLES + " ($input.path takes a JSONPath: "
    "[*] selects every element)"
)
def test_input_path_wildcard_selects_a_list_rendered_as_json(integrations):
    document = {"items": [{"id": 1}, {"id": "two"}]}
    assert render_json(integrations, "path-wildcard", document) == '[1,"two"]'


@recorded(INPUT_PATH + " (snapshot dict-in-list)")
def test_an_object_taken_from_a_list_renders_as_a_java_map(integrations):
    document = {"items": [{"foo": "bar"}]}
    assert render_json(integrations, "path-list-item", document) == "{foo=bar}"


@recorded(INPUT_PATH + " (snapshot list-with-nested-list)")
def test_a_list_taken_from_a_list_renders_as_json(integrations):
    document = {"items": [[{"foo": "bar"}]]}
    assert render_json(integrations, "path-list-item", document) == '[{"foo":"bar"}]'


@recorded(INPUT_PATH + " (snapshot dict-with-nested-list)")
def test_a_list_inside_a_map_renders_as_json_inside_the_java_map(integrations):
    document = {"outer": {"foo": [{"nested": "bar"}]}}
    assert render_json(integrations, "path-map-with-list", document) == '{foo=[{"nested":"bar"}]}'


@recorded(INPUT_PATH + " (snapshot list-to-string)")
def test_to_string_of_a_map_holding_a_list(integrations):
    document = {"list": [{"foo": "bar"}]}
    assert render_json(integrations, "path-to-string", document) == '{list=[{"foo":"bar"}]}'


@recorded(INPUT_PATH + " (snapshot empty-body)")
def test_input_path_that_matches_nothing_is_null_and_equals_the_empty_string(integrations):
    # Given no payload at all, When the template selects $.nothing
    response = render(integrations, "path-missing")
    # Then it renders as nothing, is null, and compares equal to ""
    assert response.text == "[][null][empty]"


@recorded(INPUT_PATH + " (snapshot nested-null-list)")
def test_input_path_of_a_json_null_is_null_and_equals_the_empty_string(integrations):
    assert render_json(integrations, "path-null", {"nothing": None}) == "[][null][empty]"


@recorded(INPUT_PATH + " (snapshot nested-empty-list)")
def test_input_path_of_an_empty_list_is_neither_null_nor_empty(integrations):
    assert render_json(integrations, "path-empty-list", {"nothing": []}) == "[[]][][]"


@recorded(VARIABLES + ": $input.path(x) returns an object a template can manipulate")
def test_input_path_of_a_number_renders_the_number(integrations):
    assert render_json(integrations, "path-scalar", {"count": 3}) == "3"


@recorded(VARIABLES + ": $input.path(x) - a list has size(), as a Java list")
def test_input_path_list_has_a_size(integrations):
    assert render_json(integrations, "path-size", {"items": [1, 2, 3]}) == "3"


@recorded(VARIABLE_EXAMPLES + " (iterating keySet() of a map with #foreach)")
def test_foreach_over_the_keys_of_a_map(integrations):
    rendered = render_json(integrations, "foreach-map", {"a": 1, "b": "two"})
    assert rendered == "a=1;b=two;"


@recorded(VARIABLE_EXAMPLES + " (#foreach with $foreach.hasNext)")
def test_foreach_over_a_list_with_has_next(integrations):
    assert render_json(integrations, "foreach-list", {"items": ["x", "y", "z"]}) == "x,y,z"


# -- $input.json -----------------------------------------------------------------------------


@recorded(VARIABLES + ": $input.json(x) returns the JSONPath result as a JSON string")
@pytest.mark.parametrize(
    ("name", "document", "expected"),
    [
        ("json-map", {"a": {"b": [1, True, None]}}, {"a": {"b": [1, True, None]}}),
        ("json-list", {"items": [{"foo": "bar"}, 2]}, [{"foo": "bar"}, 2]),
        ("json-string", {"name": 'say "hi"'}, 'say "hi"'),
        ("json-number", {"count": 2.5}, 2.5),
    ],
    ids=["object", "list", "string", "number"],
)
def test_input_json_renders_valid_json(integrations, name, document, expected):
    assert json.loads(render_json(integrations, name, document)) == expected


# -- $input.params ---------------------------------------------------------------------------


@recorded(
    VARIABLES + ": $input.params() map by location, $input.params(x) from path, then query "
    "string, then header; a missing one is an empty string"
)
def test_input_params_by_location_and_by_name(integrations):
    # Given a path parameter, a query string and a header
    response = render(integrations, "params", params={"q": "query"}, headers={"x-thing": "hdr"})
    # Then each is found, and a parameter nobody sent is empty
    assert response.text == "params|query|query|hdr|[]"


# -- $context and $stageVariables ------------------------------------------------------------


@recorded(
    "localstack tests/aws/services/apigateway/test_apigateway_sqs.py::test_sqs_amz_json_protocol"
    " (snapshot sqs-messages: context.httpMethod, resourcePath, stage, path with the stage;"
    " authorizer_keys empty without an authorizer)"
)
def test_context_variables_of_the_request(integrations):
    response = render(integrations, "context")
    assert response.text == "POST|/render/{name}|corpus|/corpus/render/context|[]"


@recorded(
    VARIABLES + ": $context.requestId is the request's id, which API Gateway also returns in "
    "the x-amzn-RequestId header"
)
def test_context_request_id_is_the_x_amzn_request_id(integrations):
    response = render(integrations, "request-id")
    assert response.text == response.headers["x-amzn-RequestId"]


@recorded(
    "localstack tests/aws/services/apigateway/test_apigateway_sqs.py::test_sqs_amz_json_protocol"
    " (snapshot sqs-messages: identity.sourceIp, identity.userAgent); "
    + VARIABLES
    + ": $context.identity.apiKey is null for a method that does not require an API key"
)
def test_context_identity_source_ip_user_agent_and_no_key_on_a_keyless_method(integrations):
    response = render(
        integrations, "identity", headers={"User-Agent": "corpus/1.0", "x-api-key": "sent-anyway"}
    )
    assert response.text == "127.0.0.1|corpus/1.0|[]"


@recorded(
    "localstack tests/aws/services/apigateway/test_apigateway_basic.py::TestAPIGateway::"
    "test_apigw_stage_variables (a stage variable renders its value; one not defined renders '')"
)
def test_stage_variables_in_a_template_defined_and_not(integrations):
    assert render(integrations, "stage-variables").text == "1.0|[]"


# -- $util -----------------------------------------------------------------------------------


@recorded(
    VARIABLES + ": $util.escapeJavaScript escapes with JavaScript string rules (a double "
    "quote, a backslash, a newline; a single quote becomes \\')"
)
def test_escape_javascript(integrations):
    text = 'He said "it\'s"\n\\done'
    rendered = render_json(integrations, "escape", {"text": text})
    assert rendered == 'He said \\"it\\\'s\\"\\n\\\\done'


@recorded(VARIABLES + ": $util.urlEncode converts a string to application/x-www-form-urlencoded")
def test_url_encode_of_reserved_characters(integrations):
    rendered = render_json(integrations, "url-encode-text", {"text": "a b&c=d/é*~"})
    assert rendered == "a+b%26c%3Dd%2F%C3%A9*%7E"


@recorded(VARIABLES + ": $util.urlDecode decodes application/x-www-form-urlencoded")
def test_url_decode(integrations):
    assert render_json(integrations, "url-decode", {"text": "a+b%26c%3Dd"}) == "a b&c=d"


@recorded(VARIABLES + ": $util.base64Encode encodes data into a base64-encoded string")
def test_base64_encode(integrations):
    rendered = render_json(integrations, "base64-encode", {"text": "héllo"})
    assert rendered == base64.b64encode("héllo".encode()).decode()


@recorded(VARIABLES + ": $util.base64Decode decodes data from a base64-encoded string")
def test_base64_decode(integrations):
    encoded = base64.b64encode(b"hello there").decode()
    assert render_json(integrations, "base64-decode", {"text": encoded}) == "hello there"


@recorded(VARIABLES + ": $util.parseJson takes stringified JSON and returns an object")
def test_parse_json_gives_an_object_to_walk(integrations):
    rendered = render_json(integrations, "parse-json", {"text": '{"inner": "deep"}'})
    assert rendered == "deep"


@recorded(VARIABLES + ": $util.parseJson returns an object: a JSON list is a list")
def test_parse_json_of_a_list(integrations):
    rendered = render_json(integrations, "parse-json-list", {"text": '[{"id": 1}, {"id": 2}]'})
    assert rendered == "2|2"


@recorded(
    INPUT_BODY + " (an empty payload reads as {}); " + VARIABLES + ": $input.json('$') is the "
    "whole payload as JSON"
)
def test_input_json_of_an_empty_payload_is_an_empty_object(integrations):
    assert render(integrations, "json-root").text == "{}"


@recorded(
    VARIABLES + ": templates run on Apache Velocity, whose values are Java objects: a string "
    "has java.lang.String's methods (length, toUpperCase, substring, replace, contains, "
    "startsWith, split, trim, indexOf)"
)
def test_java_string_methods(integrations):
    rendered = render_json(integrations, "string-methods", {"text": "Hello,all "})
    assert rendered == "10|HELLO,ALL |Hel|Hello,4ll |true|true|2|Hello,all|2"
