"""KEEP: the sample domains a fork keeps; every other owner's marked things leave, in order:
the template, then files and folders, then tests, then what pointed at them."""

from __future__ import annotations

from pathlib import Path

from scripts.rename.file_moves import (
    drop_gone_folders_from_tooling,
    module_name,
    owned_paths,
    prune_samconfig,
    regenerate_openapi,
    remove,
    remove_emptied_test_folders,
    tidy_python,
    unlink_removed_docs,
)
from scripts.rename.ownership import Owners, write_owners
from scripts.rename.prose_marks import prune_documents
from scripts.rename.template_surgery import (
    TemplateCut,
    api_definitions,
    drop_from_template,
    examples_files,
    included_location,
    resource_includes,
)
from scripts.rename.tests_by_mark import prune_module
from scripts.rename.text_renames import tracked_files
from scripts.rename.yaml_text import child, compose, entries


def keep_domains(root: Path, keep: set[str]) -> list[Path]:
    """Remove every owner that does not stay with `keep`; return the removed paths."""
    owners = Owners.of(root)
    dropped = owners.dropped(owners.validated_keep(keep))
    if not dropped:
        return []
    template = root / "template.yaml"
    original = template.read_text(encoding="utf-8")
    cut = cut_template(root, owners.known, dropped)
    template.write_text(cut.text, encoding="utf-8")
    for location, document in cut.documents.items():
        (root / location).write_text(document, encoding="utf-8")
    before = set(entries(child(compose(original), "Parameters")))
    after = set(entries(child(compose(cut.text), "Parameters")))
    prune_samconfig(root, before - after, cut.scopes)
    removed = [path for path in owned_paths(root, tracked_files(root), dropped) if remove(path)]
    removed += prune_tests(root, dropped, tuple(module_name(root, p) for p in removed))
    removed += remove_emptied_test_folders(root, removed)
    write_owners(root, owners.kept(keep))
    prune_documents(root, dropped)
    unlink_removed_docs(root)
    drop_gone_folders_from_tooling(root, removed)
    regenerate_openapi(root)
    tidy_python(sorted((root / "tests").rglob("*.py")), root, unused_imports=True)
    return removed


def cut_template(root: Path, known: frozenset[str], dropped: frozenset[str]) -> TemplateCut:
    """template.yaml and the files it includes, the dropped owners cut out (nothing written)."""
    original = (root / "template.yaml").read_text(encoding="utf-8")
    parsed = compose(original)
    included = [included_location(d) for d in api_definitions(parsed)]
    included += examples_files(parsed) + resource_includes(parsed)
    documents = {path: (root / path).read_text(encoding="utf-8") for path in included if path}
    return drop_from_template(original, known, dropped, documents)


def prune_tests(root: Path, dropped: frozenset[str], gone_modules: tuple[str, ...]) -> list[Path]:
    """Test modules whose mark goes are deleted; the others lose the marked tests that go and
    what imported a removed module (conftest and helper modules included)."""
    removed: list[Path] = []
    changed = True
    while changed:  # a removed module can take what imported it along: look again
        changed = False
        for module in sorted((root / "tests").rglob("*.py")):
            if module.is_relative_to(root / "tests" / "rename"):
                continue
            source = module.read_text(encoding="utf-8")
            is_test = module.name.startswith("test_")
            pruned = prune_module(source, dropped, gone_modules, is_test=is_test)
            if pruned is None:
                module.unlink()
                removed.append(module)
                gone_modules = (*gone_modules, module_name(root, module))
                changed = True
            elif pruned != source:
                module.write_text(pruned, encoding="utf-8")
                changed = True
    return removed
