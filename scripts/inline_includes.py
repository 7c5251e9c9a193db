"""Writes a template with its `AWS::Include` files inlined and its `Fn::ForEach` loops unrolled,
as CloudFormation hands it to the SAM transform at deploy (macros run from the most deeply
nested outward, then the template's transforms in order).

cfn-lint and checkov read only the file they are given: on template.yaml they cannot see
api/openapi.yaml. `make lint` runs them on this output too, so the API definition is linted as
part of the template (its Refs, GetAtts and Subs against the template's resources, and
the conditions only it uses).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from local_gateway.errors import TemplateError
from local_gateway.template import read_template


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Inline a template's AWS::Include files.")
    parser.add_argument("template", type=Path, help="the template, e.g. template.yaml")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the JSON to write")
    args = parser.parse_args(argv)
    try:
        document = read_template(args.template)
    except TemplateError as error:
        print(f"inline_includes: {error}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(document, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
