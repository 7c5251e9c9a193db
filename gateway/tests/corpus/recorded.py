"""The mark every corpus case carries: where real API Gateway's answer was recorded or stated.

A source is one of
- a LocalStack snapshot recorded against real AWS, named as
  `localstack tests/aws/services/apigateway/<file>.py::<test> (snapshot <key>)`;
- the API Gateway developer guide, named by page title and the table or example used;
so a reader can open the recording and compare it with the case's expectation.
"""

import pytest


def recorded(source: str) -> pytest.MarkDecorator:
    """`@recorded("localstack tests/aws/...::test_x (snapshot ...)")` on every corpus case."""
    if not source.strip():
        raise ValueError("a corpus case names where AWS's answer was recorded")
    return pytest.mark.recorded(source)
