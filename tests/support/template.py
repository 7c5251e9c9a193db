"""template.yaml as CloudFormation hands it to the SAM transform, for tests that read it.

It comes from the local gateway's loader (`local_gateway.template.read_template`), so tests and
the gateway read one template: its `Fn::ForEach` loops unrolled, the per-function log groups
and alarms resources like any other, under their own logical ids (`ListUsersLogGroup`).
"""

import copy
import functools
from pathlib import Path
from typing import Any

from local_gateway.template import read_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


@functools.cache
def _document() -> dict[str, Any]:
    return read_template(TEMPLATE)


def template_document() -> dict[str, Any]:
    """The whole document (a copy: a test may change it)."""
    return copy.deepcopy(_document())


def template_resources() -> dict[str, Any]:
    """Its `Resources`, read-only by convention (shared by every test of the process)."""
    resources: dict[str, Any] = _document()["Resources"]
    return resources
