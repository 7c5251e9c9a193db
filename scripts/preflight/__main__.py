"""`python -m scripts.preflight --stage dev [--require-account]`: the checks before a deploy.

Exit 0 when nothing is wrong, 1 listing every problem with what to do, 2 for an unknown stage.
Account checks run when AWS credentials are found (always with --require-account).
"""

import argparse
import sys
from pathlib import Path

from scripts.preflight.account import StageNeeds, account_problems
from scripts.preflight.settings import (
    TEMPLATE,
    Problem,
    reserved_concurrency,
    settings_problems,
    stage_region,
    stage_values,
)
from scripts.preflight.stages import SAMCONFIG, deployable_stages, unknown_stage_message


def _report(title: str, problems: list[Problem]) -> None:
    if not problems:
        print(f"ok    {title}")
        return
    print(f"FAIL  {title}:")
    for problem in problems:
        print(f"  - {problem}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make preflight", description=__doc__)
    parser.add_argument("--stage", required=True)
    parser.add_argument(
        "--require-account", action="store_true", help="fail when no AWS credentials are found"
    )
    parser.add_argument("--samconfig", type=Path, default=SAMCONFIG, help=argparse.SUPPRESS)
    parser.add_argument("--template", type=Path, default=TEMPLATE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    samconfig: Path = args.samconfig
    template: Path = args.template
    message = unknown_stage_message(args.stage, deployable_stages(samconfig))
    if message:
        print(message, file=sys.stderr)
        return 2

    problems = settings_problems(args.stage, template=template, samconfig=samconfig)
    _report(f"stage {args.stage}: settings in samconfig.toml", problems)
    if problems:
        print("Fix the settings above, then run `make preflight STAGE=...` again.")
        return 1

    import boto3  # only once the offline checks pass: they need no AWS SDK

    session = boto3.Session(region_name=stage_region(args.stage, samconfig))
    if session.get_credentials() is None:
        if args.require_account:
            print("FAIL  no AWS credentials: configure them (aws configure sso, or a profile)")
            return 1
        print("skip  account checks: no AWS credentials (make deploy runs them)")
        return 0
    values = stage_values(args.stage, template=template, samconfig=samconfig)
    needs = StageNeeds(
        jwks_url=values["OidcJwksUrl"],
        reserved_concurrency=reserved_concurrency(values, template),
        consumer_maximum_concurrency=int(values.get("ConsumerMaximumConcurrency", "2")),
    )
    account = account_problems(session, needs)
    _report(f"account and region {session.region_name}: ready for stage {args.stage}", account)
    return 1 if account else 0


if __name__ == "__main__":
    sys.exit(main())
