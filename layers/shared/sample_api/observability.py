"""The logger, tracer and metrics every function shares, and its SnapStart hooks.

One instance each per execution environment. Service name, namespace and log level come from
the ``POWERTOOLS_*`` variables the template sets, so handlers configure nothing. ``tracer`` is
:class:`sample_api.tracing.Tracer` (OpenTelemetry, sent to X-Ray) with the names of Powertools'
Tracer, so a handler decorates with ``@tracer.capture_lambda_handler`` as before.

SnapStart: Lambda initializes a published version once and resumes every new execution
environment from a snapshot of it. :func:`warm_up` runs before the snapshot, so what this
package loads lazily (the OpenTelemetry SDK, boto3 and its clients) is in the snapshot instead
of in a first request; after a restore the random generator is re-seeded, so trace and span ids
differ between environments resumed from the same snapshot.
"""

import random
import warnings

from aws_lambda_powertools import Logger, Metrics

from sample_api.tracing import Tracer, otel_tracer

# A read records no metric of its own; Powertools would warn so in the logs on every call
# (the filter its docs give for routes that publish nothing).
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

logger = Logger()
metrics = Metrics()
tracer = Tracer(correlation_id=logger.get_correlation_id)


def warm_up() -> None:
    """Load now what the first request would otherwise load: tracing and the AWS clients."""
    from sample_api import aws

    otel_tracer()
    aws.warm_up()


def register_snapshot_hooks() -> bool:
    """Register :func:`warm_up` and the re-seed with SnapStart; False outside Lambda."""
    try:
        # Provided by the Lambda Python runtime (3.12 and later), not installable elsewhere.
        from snapshot_restore_py import (  # type: ignore[import-not-found]
            register_after_restore,
            register_before_snapshot,
        )
    except ImportError:
        return False
    register_before_snapshot(warm_up)
    register_after_restore(random.seed)  # no argument: seeded from os.urandom
    return True


register_snapshot_hooks()
