"""The stages samconfig.toml deploys, and the refusal of any other STAGE (standard library only).

`python3 -m scripts.preflight.stages STAGE` exits 0 for a known stage, else 2 listing them.
"""

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMCONFIG = ROOT / "samconfig.toml"
# `default` holds what local runs use and every section shares; it is no stage.
NOT_STAGES = {"default"}


def deployable_stages(samconfig: Path = SAMCONFIG) -> list[str]:
    """Sections of samconfig.toml with deploy parameters, in the file's order."""
    config = tomllib.loads(samconfig.read_text())
    return [
        name
        for name, section in config.items()
        if isinstance(section, dict)
        and name not in NOT_STAGES
        and isinstance(section.get("deploy"), dict)
    ]


def unknown_stage_message(stage: str, stages: list[str]) -> str | None:
    """None for a stage samconfig deploys, else what to do."""
    if stage in stages:
        return None
    listed = ", ".join(stages) or "(none)"
    return (
        f"STAGE={stage!r} is not a stage of samconfig.toml. Stages: {listed}.\n"
        f"Deploy one of them (make deploy STAGE={stages[0] if stages else 'dev'}), or add a "
        f"[{stage}.deploy.parameters] section (docs/how-to/add-a-stage.md)."
    )


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python3 -m scripts.preflight.stages STAGE", file=sys.stderr)
        return 2
    message = unknown_stage_message(argv[0], deployable_stages())
    if message:
        print(message, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
