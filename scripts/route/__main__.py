"""`python -m scripts.route --route "GET /v1/invoices/{id}" [--name get_invoice]
[--domain invoices] [--auth cognito|jwt] [--scope invoices:read]`: scaffold one Lambda route.

Exit 0 with the list of what was written, 2 with the reason when nothing was.
"""

import argparse
import sys
from pathlib import Path

from scripts.route.scaffold import plan, write
from scripts.route.spec import AUTHS, RouteError, parse_route


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make route", description=__doc__)
    parser.add_argument(
        "--route", required=True, help='"METHOD /path", e.g. "GET /v1/invoices/{id}"'
    )
    parser.add_argument(
        "--name", default="", help="the function's folder (default: from the route)"
    )
    parser.add_argument(
        "--domain", default="", help="the layer's package (default: the path's collection)"
    )
    parser.add_argument("--auth", default="cognito", help=f"one of {', '.join(AUTHS)}")
    parser.add_argument(
        "--scope", default="", help="the JWT scope that opens the route (--auth jwt)"
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        route = parse_route(
            args.route, name=args.name, domain=args.domain, auth=args.auth, scope=args.scope
        )
        scaffold = plan(args.root, route)
        write(args.root, scaffold)
    except RouteError as refused:
        print(f"make route: {refused}", file=sys.stderr)
        return 2
    print(f"{route.route_key} -> functions/{route.name}/ ({route.logical}Function)")
    for path in [*scaffold.files, *scaffold.edits]:
        print(f"  wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
