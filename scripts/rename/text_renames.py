"""The service's name in every tracked text file, in its three spellings."""

from __future__ import annotations

import re
import subprocess
import tomllib
from dataclasses import dataclass
from pathlib import Path

from scripts.rename.file_moves import tidy_python

# A CloudFormation stack name allows letters, digits and hyphens; a Python package name needs
# the snake spelling to be an identifier, so the name is lowercase words joined by hyphens.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
# Room for "-staging" and the longest suffix CloudFormation adds to physical names.
MAX_NAME_LENGTH = 40
# Generic code that must not learn the service's name (this tool reads it from pyproject).
UNTOUCHED = ("gateway/", "scripts/rename/")


@dataclass(frozen=True)
class Spellings:
    """The three ways the service's name is written in the repository."""

    kebab: str
    snake: str
    pascal: str

    @classmethod
    def of(cls, name: str) -> Spellings:
        words = name.split("-")
        return cls(
            kebab=name,
            snake="_".join(words),
            pascal="".join(word.capitalize() for word in words),
        )


def validated_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name) or len(name) > MAX_NAME_LENGTH:
        raise ValueError(
            f"NAME must be lowercase words joined by hyphens, at most {MAX_NAME_LENGTH} "
            f"characters (like orders-api), not {name!r}"
        )
    return name


def current_name(root: Path) -> str:
    with (root / "pyproject.toml").open("rb") as pyproject:
        name: str = tomllib.load(pyproject)["project"]["name"]
    return name


def layer_package(root: Path) -> Path:
    """The shared layer's package folder, named after the service."""
    return root / "layers" / "shared" / Spellings.of(current_name(root)).snake


def tracked_files(root: Path) -> list[Path]:
    """The files git tracks (nothing built, cached or git-ignored is rewritten)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z"],  # noqa: S607 (git from PATH, as a developer runs it)
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [root / path for path in listing.split("\0") if path]


def replace_spellings(text: str, old: Spellings, new: Spellings) -> str:
    """Replace whole-word spellings only: `SampledRequests` or `my_sample_api_x` stay."""
    for before, after in (
        (old.kebab, new.kebab),
        (old.snake, new.snake),
        (old.pascal, new.pascal),
    ):
        # No letter or digit before; after, no lowercase letter, digit or underscore, so
        # `SampleApiTests` and `sample-api-dev` are renamed but `sample_apis` is not.
        pattern = rf"(?<![A-Za-z0-9_]){re.escape(before)}(?![a-z0-9_])"
        text = re.sub(pattern, after, text)
    return text


def rename(root: Path, name: str) -> list[Path]:
    """Rename the service in place; return the files whose content changed."""
    new = Spellings.of(validated_name(name))
    old = Spellings.of(current_name(root))
    if old == new:
        return []
    changed = []
    for path in tracked_files(root):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(UNTOUCHED) or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary (the diagram's PNG): no name inside to rename
        renamed = replace_spellings(text, old, new)
        if renamed != text:
            path.write_text(renamed, encoding="utf-8")
            changed.append(path)
    old_package = root / "layers" / "shared" / old.snake
    new_package = root / "layers" / "shared" / new.snake
    if old_package.is_dir():
        old_package.rename(new_package)
        changed = [moved(path, old_package, new_package) for path in changed]
    tidy_python([path for path in changed if path.suffix == ".py"], root)
    return changed


def moved(path: Path, old_folder: Path, new_folder: Path) -> Path:
    if path.is_relative_to(old_folder):
        return new_folder / path.relative_to(old_folder)
    return path
