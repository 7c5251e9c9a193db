"""A warm Lambda worker: one process per concurrent execution of one function.

Started by the gateway as `python -m local_gateway.worker`, with the function's own
environment. It imports the handler once (Lambda's init phase), then answers invocations
read from stdin, one frame at a time, on the original stdout. The function's own output
(print, logging) goes to stderr, which the gateway labels with the function's name.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

from local_gateway.framing import encode, read_frame, write_all, write_frame

DEBUG_HOST = "127.0.0.1"


class LambdaContext:
    """The `context` argument a Python handler receives in Lambda."""

    def __init__(self, invocation: dict[str, Any]) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = str(invocation["function_arn"])
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.aws_request_id = str(invocation["request_id"])
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = float(invocation["deadline_epoch_ms"])

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline - time.time() * 1000))


def _error(error: BaseException) -> dict[str, Any]:
    return {
        "errorType": type(error).__name__,
        "errorMessage": str(error),
        "stackTrace": traceback.format_exception(error),
    }


def _load_handler(handler: str) -> Callable[[Any, Any], Any]:
    module_name, _, function_name = handler.rpartition(".")
    module = importlib.import_module(module_name)
    found: Callable[[Any, Any], Any] = getattr(module, function_name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--handler", required=True)
    parser.add_argument("--path", action="append", default=[])
    parser.add_argument("--debug-port", type=int, help="listen for a debugger there, and wait")
    arguments = parser.parse_args()
    run(arguments.handler, arguments.path, arguments.debug_port)


def _wait_for_debugger(answers: int, port: int) -> None:
    """debugpy listens on 127.0.0.1:port; the gateway hears it does, then init waits for a
    debugger to attach, so a breakpoint in module code is hit too."""
    import debugpy

    debugpy.listen((DEBUG_HOST, port))
    write_frame(answers, {"debugger_listening": port})
    debugpy.wait_for_client()


def run(handler_name: str, paths: list[str], debug_port: int | None = None) -> None:
    """Imports the handler (init), then answers invocations until stdin closes."""
    # Keep the pipe the gateway reads answers from; send everything the function prints to stderr.
    answers = os.dup(1)
    os.dup2(2, 1)
    if debug_port is not None:
        _wait_for_debugger(answers, debug_port)
    requests = 0
    gateway_path = os.environ.pop("LOCAL_GATEWAY_PATH", "")
    sys.path[:] = [*paths, *(p for p in sys.path if p not in ("", gateway_path))]

    handler: Callable[[Any, Any], Any] | None = None
    init_error: dict[str, Any] | None = None
    try:
        handler = _load_handler(handler_name)
    except Exception as error:  # the init error is reported on each invocation, as Lambda does
        traceback.print_exc()
        init_error = _error(error)
    # Init is over: the gateway starts the first call's timeout now, as Lambda does.
    write_frame(answers, {"initialized": init_error is None})

    while True:
        try:
            invocation = read_frame(requests)
        except EOFError:
            return
        if handler is None:
            frame = encode({"error": init_error})
        else:
            try:
                result = handler(invocation["event"], LambdaContext(invocation))
                frame = encode({"result": result})  # a result JSON cannot carry is an error
            except Exception as error:
                traceback.print_exc()
                frame = encode({"error": _error(error)})
        # The call's own output goes out before its answer: once the gateway reads the answer,
        # the call's log lines are all in the log pipe already.
        sys.stdout.flush()
        sys.stderr.flush()
        write_all(answers, frame)


if __name__ == "__main__":
    main()
