"""The scaffold's files, rendered from the Jinja templates beside this module."""

import textwrap
from pathlib import Path
from typing import Any

import jinja2

from scripts.route.spec import Route

TEMPLATES = Path(__file__).resolve().parent / "templates"
SUMMARIES = {
    "read": "One {noun} by id.",
    "create": "Create {a} {noun}.",
    "delete": "Delete {a} {noun}.",
}
BEHAVIOURS = {
    "read": "the {noun} with that id; an unknown id is the 404 envelope.",
    "create": "a valid {noun} is stored with a new id; an invalid body is the 400 envelope.",
    "delete": "the {noun} with that id is removed; an unknown id is the 404 envelope.",
}
LINE_LENGTH = 100
ACTIONS = {"read": "GetItem", "create": "PutItem", "delete": "DeleteItem"}

_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    autoescape=False,  # noqa: S701 - Python, YAML and Markdown, never HTML
)


def docstring(text: str) -> str:
    """A module docstring of ``text``, wrapped so that its quotes fit the line length too."""
    lines = textwrap.wrap('"""' + text, width=LINE_LENGTH - 3, break_long_words=False)
    if len(lines) == 1:
        return lines[0] + '"""'
    return "\n".join(lines) + '\n"""'


_environment.filters["docstring"] = docstring


def article(noun: str) -> str:
    return "an" if noun[:1] in "aeiou" else "a"


def context(route: Route, package: str) -> dict[str, Any]:
    """Every value the templates use, from the route and the project's package name."""
    noun = route.noun.replace("_", " ")
    words = {"noun": noun, "a": article(noun)}
    return {
        "route": route,
        "package": package,
        "article": article(noun),
        "words": noun,
        "domain_words": route.domain.replace("_", " "),
        "summary": SUMMARIES[route.kind].format(**words),
        "behaviour": BEHAVIOURS[route.kind].format(**words),
        "action": ACTIONS[route.kind],
        "example_name": f"The first {noun}",
        "auth_words": (
            "a signed-in Cognito user"
            if route.auth == "cognito"
            else f"an access token with the {route.scope} scope"
        ),
    }


def render(name: str, values: dict[str, Any]) -> str:
    return _environment.get_template(name).render(values)
