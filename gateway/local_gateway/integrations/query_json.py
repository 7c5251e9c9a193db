"""Query-protocol replies in JSON, as AWS sends them when asked.

AWS's query-protocol services (SQS, SNS, ...) answer in JSON when the request's Accept asks
for it (`{"SendMessageResponse": {"SendMessageResult": {"MessageId": ...}}}`), which is why
integrations send `Accept: application/json` and read the reply with `$input.path`. moto
answers these requests in XML whatever the Accept header says, so the gateway translates:
elements become keys (namespaces dropped), leaves their text, repeated elements a list, and
an `<ErrorResponse>` becomes `{"Error": ..., "RequestId": ...}`. Fields AWS would send as
null because they are absent are absent here too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from xml.etree import ElementTree

from local_gateway.integrations.exchange import EndpointResponse, header


def asks_for_json(headers: Mapping[str, str]) -> bool:
    accept = header(headers, "accept") or ""
    return any(
        part.split(";")[0].strip().lower() == "application/json" for part in accept.split(",")
    )


def in_json(reply: EndpointResponse) -> EndpointResponse:
    """An XML reply translated to JSON; any other reply (or XML that does not parse) as it is."""
    content_type = (header(reply.headers, "content-type") or "").split(";")[0].strip().lower()
    if content_type not in ("text/xml", "application/xml") or not reply.body.strip():
        return reply
    try:
        body = query_reply_as_json(reply.body)
    except ElementTree.ParseError:
        return reply
    headers = {k: v for k, v in reply.headers.items() if k.lower() != "content-type"}
    return EndpointResponse(reply.status, {**headers, "Content-Type": "application/json"}, body)


def query_reply_as_json(xml: bytes) -> bytes:
    """A query-API XML reply as the JSON document AWS sends when asked for JSON."""
    # The reply comes from the local moto on loopback, a process this gateway started.
    root = ElementTree.fromstring(xml)  # noqa: S314
    if _local_name(root.tag) == "ErrorResponse":
        document = _element_value(root)
    else:
        document = {_local_name(root.tag): _element_value(root)}
    return json.dumps(document).encode()


def _local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _element_value(element: ElementTree.Element) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    value: dict[str, Any] = {}
    for child in children:
        name, child_value = _local_name(child.tag), _element_value(child)
        if name not in value:
            value[name] = child_value
        elif isinstance(value[name], list):
            value[name].append(child_value)
        else:
            value[name] = [value[name], child_value]
    return value
