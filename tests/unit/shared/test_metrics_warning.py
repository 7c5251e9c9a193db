"""A handler that records no metric (every read) leaves no Powertools warning in its log.

Run in a fresh interpreter, as a Lambda worker is: pytest's own warning capture would hide
what the function's log shows.
"""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.domain("core")

ROOT = Path(__file__).resolve().parents[3]
HANDLER = """
from sample_api.observability import metrics


class Context:
    function_name = "reader"


@metrics.log_metrics
def handler(event, context):
    return {"statusCode": 200}


print(handler({}, Context()))
"""


def test_a_handler_recording_no_metric_warns_nothing():
    # Given a handler under the shared metrics decorator that records no metric
    # When it runs in a fresh interpreter with the layer on its path
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", HANDLER],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={
            "PYTHONPATH": str(ROOT / "layers" / "shared"),
            "POWERTOOLS_METRICS_NAMESPACE": "Tests",
            "POWERTOOLS_SERVICE_NAME": "reader",
        },
    )
    # Then it answers, and its log has no "No application metrics to publish"
    assert "'statusCode': 200" in result.stdout
    assert "No application metrics" not in result.stderr
