"""Users: the request/response models, the rules (logic) and the DynamoDB access (repository).

Handlers in ``functions/*_user*/`` call :mod:`sample_api.users.logic`; only
:mod:`sample_api.users.repository` talks to DynamoDB.
"""

DOMAIN = "users"  # its owner, for `make rename KEEP=` (README, "Make it yours")
