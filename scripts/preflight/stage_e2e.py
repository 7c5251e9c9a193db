"""After a deploy: the end-to-end suite against the stage just deployed (`make stage-test`).

Finds the stage's URL (the stack's `ApiUrl` output) and its demo API keys (outside prod), sets
the variables tests/support/e2e.py reads, and runs every e2e test that is not local-only. What
the account cannot give (Cognito ID tokens, the OIDC client's secret) comes from the
environment (`E2E_*`, docs/how-to/run-against-a-deployed-stage.md); a test whose credential is
missing skips, naming the variable.
"""

import argparse
import os
import sys
from typing import Any

PLANS = ("free", "partner", "devices")


def stage_variables(stack_name: str, cloudformation: Any, apigateway: Any) -> dict[str, str]:
    """API_URL and the E2E_API_KEY_* of the stage's demo keys (`<stack>-<plan>-demo`)."""
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if "ApiUrl" not in outputs:
        raise SystemExit(f"{stack_name} has no ApiUrl output: is it deployed?")
    variables = {"API_URL": outputs["ApiUrl"]}
    keys = apigateway.get_api_keys(nameQuery=f"{stack_name}-", includeValues=True)["items"]
    by_name = {key["name"]: key["value"] for key in keys}
    for plan in PLANS:
        value = by_name.get(f"{stack_name}-{plan}-demo")
        if value:
            variables[f"E2E_API_KEY_{plan.upper()}"] = value
    return variables


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="make stage-test", description=__doc__)
    parser.add_argument("--stage", required=True)
    parser.add_argument("--stack-prefix", default="sample-api")
    args = parser.parse_args(argv)

    import boto3

    from scripts.preflight.settings import stage_region

    session = boto3.Session(region_name=stage_region(args.stage))
    variables = stage_variables(
        f"{args.stack_prefix}-{args.stage}",
        session.client("cloudformation"),
        session.client("apigateway"),
    )
    print(f"End-to-end against {variables['API_URL']}", flush=True)
    command = [
        sys.executable,
        "-m",
        "pytest",
        "tests/e2e",
        "-m",
        "e2e",
        "-rs",
        "-p",
        "no:cacheprovider",
    ]
    os.execvpe(command[0], command, os.environ | variables)  # noqa: S606 - pytest, fixed arguments


if __name__ == "__main__":
    main()
