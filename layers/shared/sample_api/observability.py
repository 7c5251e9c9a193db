"""The Powertools logger, tracer and metrics every function shares.

One instance each per execution environment. Service name, namespace and log level come from
the ``POWERTOOLS_*`` variables the template sets, so handlers configure nothing.
"""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# A read records no metric of its own; Powertools would warn so in the logs on every call
# (the filter its docs give for routes that publish nothing).
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

logger = Logger()
tracer = Tracer()
metrics = Metrics()
