"""`python -m scripts.models [--check]` (`make models`): render the request models API Gateway
validates bodies with from the pydantic models the handlers validate them with.

A model of api/openapi.yaml that a request body names (``$ref: "#/components/schemas/<name>"``)
is the pydantic model of a domain, ``layers/shared/<package>/<domain>/models.py``, whose title
(its class name, or ``model_config``'s ``title``) lower-cased is ``<name>``. Each is written in
API Gateway's JSON Schema draft 4 (scripts/models/draft4.py) between the BEGIN and END lines
of ``components.schemas``. ``--check`` (run by `make lint`) writes nothing and exits 1, with
the difference, when the committed file is not what this renders.

Exit 0 when the file is (now) as rendered, 1 when ``--check`` found it is not, 2 with the
reason when it cannot be rendered (a body without a model, a model draft 4 cannot say).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tomllib
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # (PyYAML ships no stubs; the venv has none)
from pydantic import BaseModel

from scripts.models.document import (
    API_FILE,
    DocumentError,
    difference,
    request_bodies,
    with_models,
)
from scripts.models.draft4 import DraftFourError, gateway_model


class ModelsError(ValueError):
    """A request body whose model cannot be found."""


def package_name(root: Path) -> str:
    """The layer's package, named after the project (``make rename`` renames both)."""
    with (root / "pyproject.toml").open("rb") as pyproject:
        name: str = tomllib.load(pyproject)["project"]["name"]
    return name.replace("-", "_")


def domain_models(root: Path) -> dict[str, list[type[BaseModel]]]:
    """Every pydantic model the domains' ``models.py`` define, by lower-cased title."""
    layer = root / "layers" / "shared"
    package = package_name(root)
    if str(layer) not in sys.path:
        sys.path.insert(0, str(layer))  # this repository's layer, not an installed copy
    found: dict[str, list[type[BaseModel]]] = {}
    for path in sorted((layer / package).glob("*/models.py")):
        module = f"{package}.{path.parent.name}.models"
        for value in vars(importlib.import_module(module)).values():
            is_model = isinstance(value, type) and issubclass(value, BaseModel)
            if is_model and value.__module__ == module:
                title = str(value.model_config.get("title") or value.__name__)
                found.setdefault(title.lower(), []).append(value)
    return found


def rendered_models(root: Path, document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The draft 4 model of each request body's model, by name, in name order."""
    models = domain_models(root)
    rendered: dict[str, dict[str, Any]] = {}
    for name, routes in sorted(request_bodies(document).items()):
        candidates = models.get(name, [])
        bodies = f"the body of {', '.join(routes)}"
        if not (name.isascii() and name.isalnum()):
            # API Gateway's model names are alphanumeric (API reference, GetModel: name).
            raise ModelsError(f"{API_FILE}: `{name}` ({bodies}) is no API Gateway model name")
        if len(candidates) != 1:
            found = ", ".join(f"{c.__module__}.{c.__qualname__}" for c in candidates)
            raise ModelsError(
                f"{API_FILE}: `{name}` ({bodies}) needs one pydantic model titled {name!r} "
                "(case aside) in layers/shared/*/<domain>/models.py; "
                + (f"found several: {found}" if found else "found none")
            )
        rendered[name] = gateway_model(candidates[0])
    return rendered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make models", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the file is not current"
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    path = args.root / API_FILE
    current = path.read_text()
    try:
        rendered = with_models(current, rendered_models(args.root, yaml.safe_load(current)))
    except (DocumentError, DraftFourError, ModelsError) as refused:
        print(f"make models: {refused}", file=sys.stderr)
        return 2
    if rendered == current:
        return 0
    if args.check:
        print(
            f"{API_FILE}'s request models are not what the pydantic models render: run "
            f"`make models` and commit the result.\n{difference(current, rendered)}",
            file=sys.stderr,
        )
        return 1
    path.write_text(rendered)
    print(f"make models: wrote the request models of {API_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
