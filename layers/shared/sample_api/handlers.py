"""The decorators every function's ``handler`` wears, from one place.

``@api_handler("table_name")`` on an API Gateway proxy handler, ``@lambda_handler(...)`` on
any other (queue, S3 event, Secrets Manager rotation, custom integration). Each one:

- checks, when Lambda imports the module (its init), that the settings named are there and
  parse (:func:`sample_api.settings.require_settings`): a missing ``TABLE_NAME`` fails the
  init with a message naming it, instead of the first request;
- wraps the handler in the shared Powertools stack, outermost first: the logger's Lambda
  context (and the correlation id), tracing, metrics flushed after each call.

The JWT authorizer is the one function without it: it does not log events, has no metrics,
and keeps its own settings (authorizers/README.md).
"""

from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools.logging import correlation_paths

from sample_api.observability import logger, metrics, tracer
from sample_api.settings import require_settings

Handler = TypeVar("Handler", bound=Callable[..., Any])


def lambda_handler(
    *settings: str, correlation_id_path: str | None = None
) -> Callable[[Handler], Handler]:
    """The entry-point decorator: settings checked now, logging, tracing and metrics per call.

    ``settings`` are :class:`sample_api.settings.Settings` field names (``"table_name"``);
    ``correlation_id_path`` is where the event carries the request id the logs are keyed on.
    """
    require_settings(*settings)

    def decorate(handler: Handler) -> Handler:
        traced = tracer.capture_lambda_handler(metrics.log_metrics(handler))
        logged = logger.inject_lambda_context(correlation_id_path=correlation_id_path)(traced)
        return cast(Handler, logged)

    return decorate


def api_handler(*settings: str) -> Callable[[Handler], Handler]:
    """:func:`lambda_handler` for an API Gateway REST proxy event (correlation: its request id)."""
    return lambda_handler(*settings, correlation_id_path=correlation_paths.API_GATEWAY_REST)
