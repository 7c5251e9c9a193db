"""A handler's import loads what its route needs, nothing heavier: no boto3, no tracing SDK.

Each function's module is imported as Lambda imports it (its folder and the layer's package on
the path) in a fresh interpreter, and the modules loaded are read from ``sys.modules``. boto3,
the OpenTelemetry SDK and Powertools' idempotency load on first use instead (or before a
SnapStart snapshot); the X-Ray SDK never (it is installed here for moto, not in the layer).
"""

import json
import os
import subprocess
import sys

import pytest

from tests.support.environment import FUNCTION_ENVIRONMENT
from tests.support.functions import ROOT, TemplateFunction, template_functions

pytestmark = pytest.mark.domain("core")

NEVER_AT_IMPORT = (
    "boto3",
    "botocore.session",
    "botocore.client",
    "aws_xray_sdk",
    "opentelemetry.sdk",
    "aws_lambda_powertools.utilities.idempotency",
)
LOADED = (
    "import json, sys; sys.path[:0] = sys.argv[1:]; import {module}; "
    "print(json.dumps(sorted(sys.modules)))"
)


@pytest.mark.parametrize("function", template_functions(), ids=lambda f: f.name)
def test_importing_a_handler_loads_no_aws_sdk_and_no_tracing_sdk(function: TemplateFunction):
    # Given the function's environment as the template gives it (tracing on, as in Lambda)
    environment = {
        **FUNCTION_ENVIRONMENT,
        "PATH": os.environ["PATH"],
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "POWERTOOLS_SERVICE_NAME": "tests",
    }

    # When Lambda's init imports its handler module
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            LOADED.format(module=function.module),
            str(function.folder),
            str(ROOT / "layers/shared"),
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=function.folder,
        env=environment,
    )

    # Then none of the heavy modules is loaded yet
    loaded = json.loads(result.stdout)
    heavy = [m for m in loaded if any(m == n or m.startswith(f"{n}.") for n in NEVER_AT_IMPORT)]
    assert heavy == [], f"{function.name} imports at init: {heavy}"
