"""Conformance: access-log lines follow the stage's format with `$context` variables.

AWS doc (developerguide): set-up-logging.html, api-gateway-variables-for-access-logging.html.
"""

import json

from local_gateway.access_log import format_access_log, response_context

CONTEXT = {
    "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    "httpMethod": "GET",
    "resourcePath": "/v1/users/{id}",
    "protocol": "HTTP/1.1",
    "requestTime": "21/Nov/2026:05:38:38 +0000",
    "identity": {"sourceIp": "127.0.0.1", "apiKeyId": None},
    "authorizer": {"claims": {"sub": "user-1"}},
}


def test_common_log_format_substitutes_context_variables():
    """A CLF format (as the console's preset) gets each `$context` variable substituted.

    AWS doc: set-up-logging.html (CLF example)
    """
    # Given the CLF preset and a finished request
    log_format = (
        "$context.identity.sourceIp $context.identity.caller $context.identity.user "
        '[$context.requestTime] "$context.httpMethod $context.resourcePath $context.protocol" '
        "$context.status $context.responseLength $context.requestId"
    )
    context = {**CONTEXT, **response_context(status=200, response_length=42, response_latency_ms=7)}

    # When the line is formatted
    line = format_access_log(log_format, context)

    # Then values are in place and the unknown caller/user are "-"
    assert line == (
        '127.0.0.1 - - [21/Nov/2026:05:38:38 +0000] "GET /v1/users/{id} HTTP/1.1" '
        "200 42 c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    )


def test_json_format_stays_json_with_missing_values_as_dash():
    """A JSON format yields a JSON line; absent values (an API key id here) log as "-".

    AWS doc: set-up-logging.html (JSON example); api-gateway-variables-for-access-logging.html
    """
    # Given a JSON format with a nested authorizer claim and an absent value
    log_format = (
        '{"requestId":"$context.requestId","status":"$context.status",'
        '"sub":"$context.authorizer.claims.sub","apiKeyId":"$context.identity.apiKeyId",'
        '"latency":"$context.responseLatency","integrationStatus":"$context.integrationStatus"}'
    )
    context = {
        **CONTEXT,
        **response_context(
            status=404, response_length=10, response_latency_ms=3, integration_status=404
        ),
    }

    # When the line is formatted
    line = format_access_log(log_format, context)

    # Then it parses as JSON with every value in place
    assert json.loads(line) == {
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "status": "404",
        "sub": "user-1",
        "apiKeyId": "-",
        "latency": "3",
        "integrationStatus": "404",
    }
