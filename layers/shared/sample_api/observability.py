"""The Powertools logger, tracer and metrics every function shares.

One instance each per execution environment. Service name, namespace and log level come from
the ``POWERTOOLS_*`` variables the template sets, so handlers configure nothing.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger()
tracer = Tracer()
metrics = Metrics()
