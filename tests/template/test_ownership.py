"""Every resource, folder and document says which owner it belongs to (core, a sample domain, a
shared piece; `[tool.rename.domains]` in pyproject.toml), and the marks agree with each other,
so `make rename KEEP=` can remove by them (README, "Make it yours")."""

import itertools
import re
from pathlib import Path
from typing import Any

import pytest

from scripts.rename.ownership import Owners, document_owners, goes, module_owners, package_owners

pytestmark = pytest.mark.domain("core")

ROOT = Path(__file__).resolve().parents[2]
OWNERS = Owners.of(ROOT)
SUB_NAMES = re.compile(r"\$\{([A-Za-z0-9]+)")


def owners_of(resource: dict[str, Any]) -> tuple[str, ...]:
    domain = (resource.get("Metadata") or {}).get("Domain", ())
    return (domain,) if isinstance(domain, str) else tuple(domain)


def referenced(node: Any) -> set[str]:
    """Logical ids a raw template node names (Ref, GetAtt, Sub, DependsOn)."""
    if isinstance(node, dict):
        found = set().union(*(referenced(value) for value in node.values())) if node else set()
        for key, value in node.items():
            if key in ("Ref", "DependsOn") and isinstance(value, str):
                found.add(value.split(".")[0])
            elif key == "Fn::GetAtt":
                found.add((value[0] if isinstance(value, list) else value).split(".")[0])
            elif key == "Fn::Sub":
                found |= set(SUB_NAMES.findall(value if isinstance(value, str) else value[0]))
        return found
    if isinstance(node, list):
        return set().union(*(referenced(item) for item in node)) if node else set()
    return set()


def every_dropped_set() -> list[frozenset[str]]:
    return [
        OWNERS.dropped(set(keep))
        for size in range(len(OWNERS.sample) + 1)
        for keep in itertools.combinations(OWNERS.sample, size)
    ]


def test_every_resources_mark_names_a_known_owner(raw_template):
    marks = {name: owners_of(r) for name, r in raw_template["Resources"].items()}
    assert {name: m for name, m in marks.items() if OWNERS.unknown(m)} == {}


def test_a_marked_resource_refers_to_nothing_that_can_go_without_it(raw_template):
    # Given every choice of domains a fork could keep
    resources = raw_template["Resources"]
    problems = set()
    for dropped in every_dropped_set():
        for name, resource in resources.items():
            if not owners_of(resource) or goes(owners_of(resource), dropped):
                continue
            # When a marked resource stays, Then nothing it refers to goes
            for target in referenced(resource) & set(resources):
                if goes(owners_of(resources[target]), dropped):
                    problems.add(f"{name} {owners_of(resource)} -> {target}")
    assert sorted(problems) == []


def test_every_function_folder_says_the_owner_its_template_function_has(raw_template):
    functions = {
        Path(r["Properties"]["CodeUri"]).name: owners_of(r)
        for r in raw_template["Resources"].values()
        if r["Type"] == "AWS::Serverless::Function"
        and str(r["Properties"].get("CodeUri", "")).startswith("functions/")
    }
    folders = {
        folder.name: package_owners(folder) or ()
        for folder in (ROOT / "functions").iterdir()
        if (folder / "app.py").is_file()
    }
    assert folders == functions


def test_every_domain_package_of_the_layer_says_its_known_owner():
    layer = ROOT / "layers" / "shared"
    (package,) = [path for path in layer.iterdir() if (path / "__init__.py").is_file()]
    marks = {
        folder.name: package_owners(folder)
        for folder in package.iterdir()
        if (folder / "__init__.py").is_file()
    }
    assert marks
    assert {name: m for name, m in marks.items() if m is None or OWNERS.unknown(m)} == {}


def test_every_event_is_named_after_a_function_folder_it_goes_with():
    bases = [ROOT / name for name in ("functions", "authorizers") if (ROOT / name).is_dir()]
    folders = {folder.name for base in bases for folder in base.iterdir()}
    assert [e.name for e in (ROOT / "events").glob("*.json") if e.stem not in folders] == []


def test_document_marks_name_known_owners():
    marks = {
        path.relative_to(ROOT).as_posix(): document_owners(path)
        for path in (ROOT / "docs").rglob("*.md")
    }
    assert {path: m for path, m in marks.items() if m and OWNERS.unknown(m)} == {}


def test_test_helper_marks_name_known_owners():
    # Given the test helper modules that say which domain's tests alone use them
    marks = {
        path.relative_to(ROOT).as_posix(): module_owners(path)
        for path in (ROOT / "tests").rglob("*.py")
        if path.name != "__init__.py"
    }
    # Then each names a known owner (make rename removes it with that owner)
    assert {path: m for path, m in marks.items() if m and OWNERS.unknown(m)} == {}


@pytest.mark.domain("telemetry")
def test_the_readings_helper_goes_with_the_telemetry_tests():
    # Given the helper only the telemetry tests import, Then it says so (make rename keys on it)
    assert module_owners(ROOT / "tests" / "support" / "telemetry.py") == ("telemetry",)
