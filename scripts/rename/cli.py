"""`make rename NAME=orders-api KEEP="users products"`: the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.rename import __doc__ as description
from scripts.rename.keep import keep_domains
from scripts.rename.ownership import Owners
from scripts.rename.text_renames import rename, validated_name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.rename", description=(description or "").splitlines()[0]
    )
    parser.add_argument("--name", help="the new service name, like orders-api")
    parser.add_argument("--keep", help='the sample domains to keep, like "users products"')
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the repository root")
    arguments = parser.parse_args(argv)
    if arguments.name is None and arguments.keep is None:
        parser.error("give --name, --keep or both")
    root = arguments.root.resolve()
    try:
        if arguments.name is not None:
            validated_name(arguments.name)
        if arguments.keep is not None:
            keep = Owners.of(root).validated_keep(arguments.keep.replace(",", " ").split())
            removed = keep_domains(root, keep)
            kept = " ".join(sorted(keep)) or "no sample domain"
            print(f"Kept {kept}: {len(removed)} paths removed.")
        if arguments.name is not None:
            changed = rename(root, arguments.name)
            print(f"Renamed to {arguments.name}: {len(changed)} files changed.")
    except ValueError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return 0
