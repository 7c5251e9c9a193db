"""Users: models, errors, the rules (logic), the storage they need (ports) and DynamoDB's
(repository, the AWS adapter).

Handlers in ``functions/*_user*/`` call :mod:`sample_api.users.logic` with the repository;
only :mod:`sample_api.users.repository` talks to DynamoDB.
"""

DOMAIN = "users"  # its owner, for `make rename KEEP=` (README, "Make it yours")
