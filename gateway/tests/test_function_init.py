"""A function's init (imports, module code) runs before its first call, under its own limit.

Lambda gives init 10 s of its own and starts the function's timeout when the call starts, so
a cold worker whose imports are slow (a busy machine, a heavy dependency) is not a timeout.
"""

from pathlib import Path

import pytest

from local_gateway import functions
from local_gateway.function_specs import FunctionSpec
from local_gateway.functions import FunctionTimeout, WorkerPool

SLOW_INIT = """\
import time

time.sleep(1.5)  # a slow import: longer than the function's timeout


def handler(event, context):
    return {"statusCode": 200, "body": "initialized"}
"""


def slow_init_pool(code_dir: Path) -> WorkerPool:
    (code_dir / "app.py").write_text(SLOW_INIT)
    spec = FunctionSpec(
        logical_id="SlowInitFunction",
        name="slow-init",
        arn="arn:aws:lambda:us-east-1:123456789012:function:slow-init",
        code_dir=code_dir,
        handler="app.handler",
        timeout_seconds=1.0,
        memory_mb=128,
        layer_dirs=(),
        environment={},
    )
    return WorkerPool(spec)


def test_a_cold_start_longer_than_the_timeout_is_not_a_timeout(tmp_path):
    # Given a function with a 1 s timeout whose init takes 1.5 s
    pool = slow_init_pool(tmp_path)
    try:
        # When it is first called
        result = pool.invoke({}, "first-call")
    finally:
        pool.close()
    # Then the call runs once init is over, and answers
    assert result == {"statusCode": 200, "body": "initialized"}


def test_an_init_past_the_init_limit_is_a_timeout(tmp_path, monkeypatch):
    # Given an init limit shorter than the function's 1.5 s init
    monkeypatch.setattr(functions, "INIT_TIMEOUT_SECONDS", 0.5)
    pool = slow_init_pool(tmp_path)
    try:
        # When it is first called, then it times out and its worker is gone
        with pytest.raises(FunctionTimeout, match="init"):
            pool.invoke({}, "first-call")
        assert pool.worker_count == 0
    finally:
        pool.close()
