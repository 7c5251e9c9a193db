"""Conformance: mapping templates render as API Gateway renders them.

Each test cites the page of https://docs.aws.amazon.com/apigateway/latest/developerguide/ it
follows, mostly "Variables for data transformations for API Gateway".
"""

import json

import pytest

from local_gateway.vtl import Rendered, VtlError, VtlRequest, render

# Quotes, backslashes, a newline, Velocity's own '#' and '$', and non-ASCII text.
HOSTILE = 'O\'Brien "the \\ one"\nsays #set($x = 1) ${y} café ✓ 😀'


def a_request(
    body: bytes = b"",
    *,
    path_params: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    context: dict[str, object] | None = None,
    stage_variables: dict[str, str] | None = None,
) -> VtlRequest:
    return VtlRequest(
        body=body,
        path_params=path_params or {},
        query=query or {},
        headers=headers or {},
        context=context or {},
        stage_variables=stage_variables or {},
    )


def rendered(template: str, request: VtlRequest | None = None) -> Rendered:
    return render(template, request or a_request())


def test_escape_javascript_escapes_quotes_backslashes_controls_and_non_ascii():
    """$util.escapeJavaScript uses JavaScript string rules; a ' becomes \\'.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a value with every character JavaScript escaping touches
    request = a_request(json.dumps({"v": "a\"b'c\\d/e\nf\tg é 😀"}).encode())

    # When the template escapes it
    result = rendered("$util.escapeJavaScript($input.path('$.v'))", request)

    # Then each is escaped as Java's StringEscapeUtils.escapeJavaScript does
    assert result.body == "a\\\"b\\'c\\\\d\\/e\\nf\\tg \\u00E9 \\uD83D\\uDE00"


def test_escaped_hostile_value_is_valid_json_once_single_quotes_are_restored():
    """The documented pattern escapeJavaScript(...).replaceAll("\\\\'","'") yields valid JSON.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a hostile path parameter
    request = a_request(path_params={"name": HOSTILE})
    template = (
        '{"name": "$util.escapeJavaScript($input.params(\'name\')).replaceAll("\\\\\'","\'")"}'
    )

    # When a JSON document is built from it
    result = rendered(template, request)

    # Then the document parses and carries the value unchanged
    assert json.loads(result.body) == {"name": HOSTILE}


def test_input_json_returns_the_selection_as_a_json_string():
    """$input.json(x) evaluates a JSONPath and returns a JSON string.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a body with a hostile string and nested values
    body = {"user": {"name": HOSTILE, "tags": ["a", "b"], "age": 3, "admin": False}}
    request = a_request(json.dumps(body).encode())

    # When a template embeds parts of it as JSON
    result = rendered("{\"who\": $input.json('$.user.name'), \"all\": $input.json('$')}", request)

    # Then the output is valid JSON with the values unchanged
    assert json.loads(result.body) == {"who": HOSTILE, "all": body}


def test_input_json_of_a_missing_field_is_an_empty_json_string():
    """$input.json on a path that matches nothing renders "".

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a body without the field
    request = a_request(b'{"present": 1}')

    # When the template selects the missing field
    result = rendered("{\"absent\": $input.json('$.absent.deeper')}", request)

    # Then it renders as an empty JSON string
    assert json.loads(result.body) == {"absent": ""}


def test_input_json_of_an_empty_body_is_an_empty_object():
    """$input.json('$') with no payload renders {}.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a request without a body
    # When the whole payload is selected
    result = rendered("$input.json('$')")

    # Then it is an empty JSON object
    assert result.body == "{}"


def test_input_path_returns_an_object_a_template_can_walk():
    """$input.path(x) returns an object (e.g. $input.path('$.pets').size()).

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a body with a list and a map
    request = a_request(b'{"pets": [{"id": 1}, {"id": 2}], "owner": {"a": 1, "b": true}}')
    template = (
        "#set($root = $input.path('$'))"
        "$root.pets.size();$root.pets[1].id;"
        "#foreach($key in $root.owner.keySet())$key=$root.owner.get($key)#if($foreach.hasNext),#end"
        "#end;$input.path('$.pets[*].id')"
    )

    # When the template walks it
    result = rendered(template, request)

    # Then sizes, indexes, keys and wildcards work as in API Gateway's Java engine, and a list
    # renders as JSON (recorded: gateway/tests/corpus/test_vtl.py)
    assert result.body == "2;2;a=1,b=true;[1,2]"


def test_input_body_is_the_raw_payload_and_its_velocity_characters_are_not_evaluated():
    """$input.body is the raw payload as a string.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a non-JSON body full of Velocity syntax
    request = a_request(HOSTILE.encode())

    # When it is rendered
    result = rendered("[$input.body]", request)

    # Then it comes out verbatim
    assert result.body == f"[{HOSTILE}]"


def test_input_params_name_searches_path_then_query_string_then_header():
    """$input.params(x) reads path, then query string, then header, in that order.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given 'id' in all three places and 'token' only in a header
    request = a_request(
        path_params={"id": "from-path"},
        query={"id": "from-query", "q": "from-query"},
        headers={"id": "from-header", "X-Token": "from-header"},
    )

    # When the template reads them
    result = rendered(
        "$input.params('id') $input.params('q') $input.params('X-Token') [$input.params('none')]",
        request,
    )

    # Then path wins over query, query over header, and a missing one is empty
    assert result.body == "from-path from-query from-header []"


def test_input_params_without_a_name_maps_every_location():
    """$input.params() returns a map of path, querystring and header parameters.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given one parameter in each location
    request = a_request(path_params={"p": "1"}, query={"q": "2"}, headers={"h": "3"})
    template = (
        "#foreach($type in $input.params().keySet())"
        "$type:#foreach($name in $input.params().get($type).keySet())"
        "$name=$input.params().get($type).get($name)#end;#end"
    )

    # When the template iterates over them
    result = rendered(template, request)

    # Then every location and value is there
    assert result.body == "path:p=1;querystring:q=2;header:h=3;"


def test_url_encode_and_decode_follow_form_encoding():
    """$util.urlEncode/urlDecode convert to and from application/x-www-form-urlencoded.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a value with spaces, reserved and non-ASCII characters
    request = a_request(query={"q": "a b&c=d/é*~"})

    # When it is encoded and decoded
    result = rendered(
        "$util.urlEncode($input.params('q'))|$util.urlDecode($util.urlEncode($input.params('q')))",
        request,
    )

    # Then encoding is Java's URLEncoder and decoding restores the value
    assert result.body == "a+b%26c%3Dd%2F%C3%A9*%7E|a b&c=d/é*~"


def test_base64_encode_and_decode_round_trip_unicode_text():
    """$util.base64Encode/base64Decode encode to and decode from base64.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a hostile value
    request = a_request(headers={"x-v": HOSTILE})

    # When it is encoded, then decoded
    result = rendered(
        "$util.base64Encode($input.params('x-v'))\n"
        "$util.base64Decode($util.base64Encode($input.params('x-v')))",
        request,
    )

    # Then the encoding is standard base64 of the UTF-8 bytes and decoding restores it
    encoded, decoded = result.body.split("\n", 1)
    assert encoded == "TydCcmllbiAidGhlIFwgb25lIgpzYXlzICNzZXQoJHggPSAxKSAke3l9IGNhZsOpIOKckyDwn5iA"
    assert decoded == HOSTILE


def test_parse_json_turns_a_stringified_json_into_an_object():
    """$util.parseJson takes stringified JSON and returns an object.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a field holding JSON as a string
    request = a_request(json.dumps({"payload": json.dumps({"n": 5, "s": HOSTILE})}).encode())

    # When the template parses it
    result = rendered("#set($p = $util.parseJson($input.path('$.payload')))$p.n", request)

    # Then its fields can be read
    assert result.body == "5"


def test_context_and_stage_variables_render_and_missing_ones_are_empty():
    """$context and $stageVariables variables render; undefined ones render empty.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a context with an authorizer's claims and a stage variable
    request = a_request(
        context={
            "requestId": "req-1",
            "authorizer": {"claims": {"sub": "user-1"}, "principalId": "p"},
            "identity": {"sourceIp": "127.0.0.1"},
        },
        stage_variables={"table": "Users"},
    )

    # When a template reads present and missing variables
    result = rendered(
        "$context.requestId|$context.authorizer.claims.sub|$context.identity.sourceIp|"
        "$stageVariables.table|$context.identity.apiKey|$stageVariables.none|$context.nothing.at.all",
        request,
    )

    # Then present ones render and missing ones are empty strings
    assert result.body == "req-1|user-1|127.0.0.1|Users|||"


def test_response_override_sets_status_and_headers():
    """#set($context.responseOverride.status/header.X) overrides the response.

    AWS doc: apigateway-override-request-response-parameters.html
    """
    # Given a template that overrides the status and a header
    template = (
        "#set($context.responseOverride.status = 404)\n"
        '#set($context.responseOverride.header.X-Reason = "not found")\n'
        '{"ok": false}'
    )

    # When it renders
    result = rendered(template)

    # Then the overrides are read back and the body is the rest
    assert (result.status_override, result.header_overrides, result.body) == (
        404,
        {"X-Reason": "not found"},
        '{"ok": false}',
    )


def test_request_override_sets_integration_request_parameters():
    """#set($context.requestOverride.header/querystring/path.X) overrides the integration
    request.

    AWS doc: apigateway-override-request-response-parameters.html
    """
    # Given a template overriding a header and a path parameter
    template = (
        '#set($context.requestOverride.header.X-Tenant = "t1")'
        '#set($context.requestOverride.path.key = "users/$context.authorizer.claims.sub")'
    )
    request = a_request(context={"authorizer": {"claims": {"sub": "u1"}}})

    # When it renders
    result = rendered(template, request)

    # Then only the overridden locations are reported
    assert result.request_overrides == {"header": {"X-Tenant": "t1"}, "path": {"key": "users/u1"}}


def test_template_with_no_override_reports_none():
    """Without responseOverride the method response status applies.

    AWS doc: apigateway-override-request-response-parameters.html
    """
    # Given a plain template
    # When it renders
    result = rendered('{"a": 1}')

    # Then nothing is overridden
    assert (result.status_override, result.header_overrides) == (None, {})


def test_template_that_does_not_parse_names_its_source_and_line():
    """A template that does not parse is a clear error naming the template and line.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a template with an unclosed #if on line 3
    template = '{\n  "a": 1,\n  #if($input.params("x")\n}'

    # When it is rendered
    with pytest.raises(VtlError) as caught:
        render(template, a_request(), source="template.yaml: ProductsApi GET /v1/products")

    # Then the error names the source and the line
    assert (caught.value.source, caught.value.line) == (
        "template.yaml: ProductsApi GET /v1/products",
        3,
    )
    assert str(caught.value).startswith("template.yaml: ProductsApi GET /v1/products, line 3:")


def test_template_failing_while_rendering_names_its_source_and_line():
    """A template failing at render time (here: base64Decode of non-base64) names source and line.

    AWS doc: api-gateway-mapping-template-reference.html
    """
    # Given a template whose second line decodes garbage
    template = 'ok\n$util.base64Decode("!!not base64!!")'

    # When it is rendered
    with pytest.raises(VtlError) as caught:
        render(template, a_request(), source="mock.vm")

    # Then the error says where
    assert (caught.value.source, caught.value.line) == ("mock.vm", 2)
