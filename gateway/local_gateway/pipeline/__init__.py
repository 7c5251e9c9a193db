"""One request through API Gateway's steps, one module per step.

`driver.run` calls them in order on one `context.ApiCall`: route → payload limit → authorize
→ API key and throttle → validate → integration request → integration → integration response,
and on a rejection the gateway response; access logging last. A step reads and writes the
context and imports only what lies below it (gateway/tests/test_import_graph.py checks it).
"""
