"""`make models` (python -m scripts.models): the request models of api/openapi.yaml are rendered
from the domains' pydantic models; `--check` (in `make lint`) fails, naming the command, while
the committed file is not what it renders; what cannot be rendered is refused with the reason."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from scripts.models.__main__ import main
from scripts.models.document import BEGIN, END, with_models
from scripts.rename.yaml_text import LineCuts, child, compose, entries
from tests.support.functions import ROOT

pytestmark = pytest.mark.domain("core")

# Each fork gets its own package name: the domains' modules are imported by name.
FORK_NUMBERS = itertools.count()
MODELS = """
from pydantic import BaseModel, ConfigDict, Field


class NewWidget(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length={max_length})
"""
API = f"""openapi: 3.0.1
paths:
  /v1/widgets:
    post:
      requestBody:
        content:
          application/json:
            schema:
              {{body}}
components:
  # The schemas, hand-written below the rendered ones.
  schemas:
    {BEGIN}
    {END}
    widget:
      type: object
"""


def a_fork(tmp_path: Path, *, max_length: int = 50, body: str = "") -> Path:
    """A repository with one domain, `widgets`, whose NewWidget is the body of POST /v1/widgets."""
    package = f"fork_{next(FORK_NUMBERS)}_api"
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(f'[project]\nname = "{package}"\n')
    domain = tmp_path / "layers" / "shared" / package / "widgets"
    domain.mkdir(parents=True)
    (domain.parent / "__init__.py").write_text("")
    (domain / "__init__.py").write_text("")
    (domain / "models.py").write_text(MODELS.format(max_length=max_length))
    (tmp_path / "api").mkdir()
    reference = body or '$ref: "#/components/schemas/newwidget"'
    (tmp_path / "api" / "openapi.yaml").write_text(API.format(body=reference))
    return tmp_path


def api_text(fork: Path) -> str:
    return (fork / "api" / "openapi.yaml").read_text()


def test_make_models_writes_each_body_model_between_the_markers_and_nothing_else(tmp_path):
    # Given a fork whose request model is not rendered yet
    fork = a_fork(tmp_path)
    before = api_text(fork)
    # When make models runs
    assert main(["--root", str(fork)]) == 0
    # Then the model is between the markers, in draft 4, and every other line is as it was
    after = api_text(fork)
    rendered = after[after.index(BEGIN) : after.index(END)]
    assert "newwidget:\n" in rendered
    assert "$schema: http://json-schema.org/draft-04/schema#" in rendered
    assert "name: {type: string, minLength: 1, maxLength: 50}" in rendered
    assert after.replace(rendered, BEGIN + "\n    ") == before


def test_check_passes_on_a_current_file_and_writes_nothing(tmp_path):
    # Given a fork whose models were rendered
    fork = a_fork(tmp_path)
    main(["--root", str(fork)])
    before = api_text(fork)
    # When the check runs
    status = main(["--check", "--root", str(fork)])
    # Then it passes and leaves the file alone
    assert status == 0
    assert api_text(fork) == before


def test_check_fails_naming_make_models_when_a_pydantic_model_changed(tmp_path, capsys):
    # Given a rendered fork whose pydantic model then changed (a new maximum length)
    fork = a_fork(tmp_path)
    main(["--root", str(fork)])
    stale = api_text(fork)
    fresh = a_fork(tmp_path / "changed", max_length=80)
    (fresh / "api" / "openapi.yaml").write_text(stale)
    # When the check runs
    status = main(["--check", "--root", str(fresh)])
    # Then it fails, says which command makes the file current, shows the difference and
    # writes nothing
    error = capsys.readouterr().err
    assert status == 1
    assert "run `make models`" in error
    assert "+        name: {type: string, minLength: 1, maxLength: 80}" in error
    assert api_text(fresh) == stale


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('$ref: "#/components/schemas/oldwidget"', "needs one pydantic model titled 'oldwidget'"),
        ("{type: object}", "the application/json body of POST /v1/widgets is written in place"),
        (
            '$ref: "#/components/schemas/new_widget"',
            "`new_widget` (the body of POST /v1/widgets) is no API Gateway model name",
        ),
    ],
    ids=["no-model", "inline-schema", "not-alphanumeric"],
)
def test_a_body_without_a_pydantic_model_is_refused_with_the_reason(tmp_path, capsys, body, reason):
    # Given a body that names no domain model, or none at all
    fork = a_fork(tmp_path, body=body)
    before = api_text(fork)
    # When make models runs
    status = main(["--root", str(fork)])
    # Then it refuses with the reason and writes nothing
    assert status == 2
    assert reason in capsys.readouterr().err
    assert api_text(fork) == before


def test_a_hand_written_copy_of_a_rendered_model_is_refused(tmp_path, capsys):
    # Given a fork that also keeps the body's model by hand, below the markers
    fork = a_fork(tmp_path)
    path = fork / "api" / "openapi.yaml"
    path.write_text(api_text(fork) + "    newwidget:\n      type: object\n")
    # When make models runs
    status = main(["--root", str(fork)])
    # Then it asks for the hand-written one to go
    assert status == 2
    assert "`newwidget` is written by hand" in capsys.readouterr().err


def test_a_file_without_the_markers_is_refused_saying_where_they_go(tmp_path, capsys):
    # Given an API definition without the BEGIN and END lines
    fork = a_fork(tmp_path)
    path = fork / "api" / "openapi.yaml"
    path.write_text(api_text(fork).replace(f"    {END}\n", ""))
    # When make models runs
    status = main(["--root", str(fork)])
    # Then it names the lines it needs
    assert status == 2
    assert f"one line `{END}`" in capsys.readouterr().err


def test_the_repository_api_definition_is_what_make_models_renders(capsys):
    # When the check runs on this repository (as `make lint` does)
    status = main(["--check", "--root", str(ROOT)])
    # Then every request model is the rendering of its pydantic model
    assert status == 0, capsys.readouterr().err


def test_the_generator_has_its_command_in_the_makefile_and_the_check_in_lint():
    makefile = (ROOT / "Makefile").read_text()
    assert "\nmodels: " in makefile
    assert "python -m scripts.models --check" in makefile


def test_the_markers_outlive_a_rename_that_cuts_the_models_between_them(tmp_path):
    # Given a fork with its body model rendered
    fork = a_fork(tmp_path)
    main(["--root", str(fork)])
    # When `make rename` cuts that model (with the comments just above it, as it cuts entries)
    cuts = LineCuts(api_text(fork))
    key, _ = entries(child(compose(api_text(fork)), "components", "schemas"))["newwidget"]
    cuts.cut_entry(key)
    (fork / "api" / "openapi.yaml").write_text(cuts.text())
    # Then the markers are still there, with nothing between them, as make models renders a
    # file whose bodies name no model
    assert BEGIN in api_text(fork)
    assert END in api_text(fork)
    assert with_models(api_text(fork), {}) == api_text(fork)
