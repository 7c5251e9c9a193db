"""The template's Lambda functions as the tests import them: folder, handler module, settings.

Read from template.yaml through tests/support/template.py (loops expanded), so a function
added there is covered by every test iterating over :func:`template_functions` (handler import
cost, settings checked at init) without an edit.
"""

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from tests.support.template import template_resources

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class TemplateFunction:
    """One ``AWS::Serverless::Function``: where its code is and what its entry imports."""

    name: str
    folder: Path  # the CodeUri: what Lambda puts on the path
    module: str  # the Handler's module, as Lambda imports it from `folder`
    variables: tuple[str, ...]  # its own Environment.Variables (Globals' are everyone's)

    @property
    def import_name(self) -> str:
        """The module's name inside the repository: ``functions.get_user.app``."""
        path = self.folder.joinpath(*self.module.split(".")).relative_to(ROOT)
        return ".".join(path.parts)

    def import_fresh(self) -> ModuleType:
        """Run the handler module's init again, as a new Lambda execution environment does.

        It is loaded under a name of its own beside the real one (its relative imports find
        their package), and not registered in ``sys.modules``.
        """
        package, _, leaf = self.import_name.rpartition(".")
        importlib.import_module(package)
        path = self.folder.joinpath(*self.module.split(".")).with_suffix(".py")
        spec = importlib.util.spec_from_file_location(f"{package}.{leaf}_cold_start", path)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def template_functions() -> list[TemplateFunction]:
    """Every function of the template, by logical id."""
    found = []
    for name, resource in sorted(template_resources().items()):
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        properties = resource["Properties"]
        variables = (properties.get("Environment") or {}).get("Variables", {})
        found.append(
            TemplateFunction(
                name=name,
                folder=ROOT / properties["CodeUri"],
                module=properties.get("Handler", "app.handler").rpartition(".")[0],
                variables=tuple(sorted(variables)),
            )
        )
    return found
