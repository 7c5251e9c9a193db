"""Prose a domain owns leaves with it (scripts/rename/prose_marks.py): a section, a list item,
a table row or a paragraph whose line ends in `<!-- domain: ... -->`."""

import pytest

from scripts.rename.prose_marks import prune_marked_prose

pytestmark = pytest.mark.domain("core")

PAGE = """# Contract

## Bodies
- User: `{"id", "name"}`. <!-- domain: users -->
- Product: `{"id", "price"}`, the price a number <!-- domain: products -->
  of the catalog's currency.
- Errors: one envelope.

| Plan | Rate |
|---|---|
| free | 5 <!-- domain: products --> |
| devices | 500 <!-- domain: telemetry --> |

The catalog reads degrade gracefully: when DynamoDB <!-- domain: products -->
fails, the answer is 503.

Every route has a version.

## Downloads <!-- domain: files -->
The bytes never pass through API Gateway.

### Limits
None.

## Errors
One shape.
"""


def test_a_dropped_owners_marked_item_row_paragraph_and_section_go_whole():
    # Given a page with list items, table rows, a paragraph and a section marked per domain
    # When products and files go
    pruned = prune_marked_prose(PAGE, frozenset({"products", "files"}))
    # Then their item (with its continuation line), row, paragraph and section (with its
    # subsection) go; what is unmarked or marked with a kept domain stays as written
    assert (
        pruned
        == """# Contract

## Bodies
- User: `{"id", "name"}`. <!-- domain: users -->
- Errors: one envelope.

| Plan | Rate |
|---|---|
| devices | 500 <!-- domain: telemetry --> |

Every route has a version.

## Errors
One shape.
"""
    )


def test_nothing_changes_when_no_marked_owner_goes():
    # When only an owner the page never names goes, Then the page is the same
    assert prune_marked_prose(PAGE, frozenset({"orders"})) == PAGE
