"""A function's log (what it prints, its tracebacks) is forwarded with the call that wrote it.

Lambda writes a call's output to the function's log stream before the call ends. Locally the
worker writes a call's output before its answer, and the thread calling it forwards the log
before it returns the answer, so the lines of one call never trail into the next request's.
"""

import logging
from pathlib import Path

import pytest

from local_gateway.function_specs import FunctionSpec
from local_gateway.functions import FunctionFailed, WorkerPool

CHATTY = """\
import os
import sys

print("init line")


def handler(event, context):
    if event.get("crash"):
        print("about to crash", flush=True)
        os._exit(3)
    for index in range(event.get("lines", 1)):
        print(f"{context.aws_request_id} line {index}", file=sys.stderr)
    return {"statusCode": 200}
"""


@pytest.fixture
def pool(tmp_path: Path):
    (tmp_path / "app.py").write_text(CHATTY)
    spec = FunctionSpec(
        logical_id="ChattyFunction",
        name="chatty",
        arn="arn:aws:lambda:us-east-1:123456789012:function:chatty",
        code_dir=tmp_path,
        handler="app.handler",
        timeout_seconds=10.0,
        memory_mb=128,
        layer_dirs=(),
        environment={},
    )
    pool = WorkerPool(spec)
    yield pool
    pool.close()


def forwarded(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "local_gateway.functions"]


def test_a_calls_log_lines_are_out_when_its_answer_is(pool, caplog):
    # Given a warm worker
    with caplog.at_level(logging.INFO, logger="local_gateway.functions"):
        pool.invoke({}, "warm-up")
        # When two calls print
        pool.invoke({"lines": 2}, "first")
        after_first = forwarded(caplog)
        pool.invoke({"lines": 1}, "second")
    # Then each call's lines were forwarded, in order, by the time it answered
    assert after_first[-2:] == ["[ChattyFunction] first line 0", "[ChattyFunction] first line 1"]
    assert forwarded(caplog)[-1] == "[ChattyFunction] second line 0"
    # And init's output came with the first call
    assert "[ChattyFunction] init line" in forwarded(caplog)


def test_a_call_printing_more_than_a_pipe_holds_answers_with_all_its_lines(pool, caplog):
    # Given a call that prints ~1 MB, far more than a pipe buffers
    lines = 20_000
    with caplog.at_level(logging.INFO, logger="local_gateway.functions"):
        # When it is called
        result = pool.invoke({"lines": lines}, "chatty-call")
    # Then it answers, and every line was forwarded
    assert result == {"statusCode": 200}
    printed = [line for line in forwarded(caplog) if "chatty-call line" in line]
    assert len(printed) == lines
    assert printed[-1] == f"[ChattyFunction] chatty-call line {lines - 1}"


def test_a_worker_that_dies_mid_call_fails_the_call_and_its_last_words_are_logged(pool, caplog):
    # Given a call whose worker exits before answering
    # When it is called, then the call fails (the gateway's 502)
    with (
        caplog.at_level(logging.INFO, logger="local_gateway.functions"),
        pytest.raises(FunctionFailed, match="died"),
    ):
        pool.invoke({"crash": True}, "crash-call")
    # And what it printed before dying is in the log, and the pool has no dead worker left
    assert "[ChattyFunction] about to crash" in forwarded(caplog)
    assert pool.worker_count == 0
