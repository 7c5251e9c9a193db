"""The sample service's shared code, shipped to every function in the shared Lambda layer.

Handlers import from here: settings, the error types and envelope, the REST resolver factory,
the observability singletons and the AWS clients. Domain packages (``users``, ...) hold each
resource's models, logic and data access.
"""
