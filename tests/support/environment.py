"""The environment the template gives the functions, with values that work in tests.

Every handler checks its settings when it is imported (sample_api.handlers), so the tests'
process carries a value for each variable any function gets (tests/conftest.py sets them
before collection); a test replaces a value with its moto resource's name, or removes one to
see the init fail. tests/unit/shared/test_settings_at_init.py keeps this list complete;
benchmarks/run.py holds the same values (it runs outside pytest).
"""

import json

FUNCTION_ENVIRONMENT = {
    "TABLE_NAME": "UsersTable",
    "IDEMPOTENCY_TABLE_NAME": "IdempotencyTable",
    "FILES_BUCKET_NAME": "files-bucket",
    "MAX_UPLOAD_BYTES": str(10 * 1024 * 1024),
    "API_KEY_GRACE_SECONDS": "86400",
    "RETIREMENT_ROLE_ARN": "arn:aws:iam::123456789012:role/retire-partner-keys",
    "OIDC_ISSUER": "https://issuer.example.test",
    "OIDC_AUDIENCE": "https://api.example.test",
    "OIDC_JWKS_URL": "https://issuer.example.test/.well-known/jwks.json",
    "SCOPE_ROUTES": json.dumps({"things:write": ["POST /v1/things"]}),
}
