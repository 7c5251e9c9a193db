"""With AWS credentials: what the account and region must hold before the stage's first deploy.

- API Gateway's account-level CloudWatch Logs role (`make bootstrap` sets it): without it the
  stage's access and execution logging fail the stage and the whole stack rolls back.
- Lambda concurrency: new accounts may start at 10 concurrent executions; the queue consumer's
  MaximumConcurrency must leave the API's functions room, and reserved concurrency must leave
  the 100 unreserved executions Lambda insists on.
- The OIDC issuer's JWKS answers with signing keys, or every partner and device token is 401.
"""

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from scripts.preflight.settings import Problem

# Lambda keeps this much of the account's concurrency unreserved.
UNRESERVED_MINIMUM = 100
LAMBDA_QUOTA = "Service Quotas: AWS Lambda, 'Concurrent executions' (L-B99A9384)"


@dataclass(frozen=True)
class StageNeeds:
    """What the stage's template asks of the account."""

    jwks_url: str
    reserved_concurrency: int
    consumer_maximum_concurrency: int


def cloudwatch_role_problems(apigateway: Any) -> list[Problem]:
    role = apigateway.get_account().get("cloudwatchRoleArn")
    if role:
        return []
    return [
        Problem(
            "API Gateway CloudWatch Logs role",
            "not set in this account and region: the stage's logging would fail and the stack "
            "roll back ('CloudWatch Logs role ARN must be set in account settings')",
            "run `make bootstrap` once for this account and region (docs/operations.md)",
        )
    ]


def concurrency_problems(settings: dict[str, Any], needs: StageNeeds) -> list[Problem]:
    """`settings` is Lambda's GetAccountSettings answer."""
    limit = int(settings["AccountLimit"]["ConcurrentExecutions"])
    unreserved = int(settings["AccountLimit"]["UnreservedConcurrentExecutions"])
    problems: list[Problem] = []
    if needs.reserved_concurrency and unreserved - needs.reserved_concurrency < UNRESERVED_MINIMUM:
        problems.append(
            Problem(
                "Lambda reserved concurrency",
                f"the stage reserves {needs.reserved_concurrency} of {unreserved} unreserved "
                f"executions; Lambda keeps {UNRESERVED_MINIMUM} unreserved",
                f"lower the functions' ReservedConcurrentExecutions, or raise {LAMBDA_QUOTA}",
            )
        )
    if needs.consumer_maximum_concurrency * 2 > limit:
        problems.append(
            Problem(
                "ConsumerMaximumConcurrency",
                f"the queue consumer may take {needs.consumer_maximum_concurrency} of the "
                f"account's {limit} concurrent executions, over half: API routes would be "
                "throttled while the queue drains",
                f"lower ConsumerMaximumConcurrency in samconfig.toml (2 at least), or raise "
                f"{LAMBDA_QUOTA}",
            )
        )
    return problems


def jwks_problems(jwks_url: str, timeout_seconds: float = 5) -> list[Problem]:
    what = "OidcJwksUrl"
    fix = "set OidcJwksUrl to the issuer's jwks_uri (its /.well-known/openid-configuration)"
    try:
        with urllib.request.urlopen(jwks_url, timeout=timeout_seconds) as response:  # noqa: S310
            document = json.loads(response.read())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        return [Problem(what, f"{jwks_url} cannot be read: {error}", fix)]
    except ValueError:
        return [Problem(what, f"{jwks_url} is not JSON", fix)]
    keys = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(keys, list) or not keys:
        return [Problem(what, f"{jwks_url} lists no signing keys", fix)]
    return []


def account_problems(session: Any, needs: StageNeeds) -> list[Problem]:
    """Every account check, with boto3 clients from `session`."""
    problems = cloudwatch_role_problems(session.client("apigateway"))
    problems += concurrency_problems(session.client("lambda").get_account_settings(), needs)
    problems += jwks_problems(needs.jwks_url)
    return problems
