"""Prints template.yaml as the SAM transform receives it, its `Fn::ForEach` loops unrolled.

For tools that read the template but cannot unroll the loops themselves: checkov (3.x) skips
`Fn::ForEach` entries, so `make lint` scans this instead, where every per-function log group and
alarm is a resource of its own. Usage: python scripts/unrolled_template.py [template.yaml]
"""

import json
import sys
from pathlib import Path

from local_gateway.template import read_template


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "template.yaml")
    print(json.dumps(read_template(path), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
