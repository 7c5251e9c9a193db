"""Checks run before a stage is deployed (`make preflight STAGE=...`, and first in `make deploy`).

- `stages`: the stage is one samconfig.toml deploys (standard library only, so an unknown STAGE
  is refused at once, before the virtual environment or `sam build`);
- `settings`: offline, the stage's parameters: every value a deployed stage needs is set in its
  samconfig section, none is a placeholder;
- `account`: with AWS credentials, the account and region: API Gateway's CloudWatch Logs role,
  Lambda concurrency for the stage, the OIDC issuer's JWKS.
Each failure says what to do.
"""
