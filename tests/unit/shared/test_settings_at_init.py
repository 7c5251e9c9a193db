"""Each function checks the settings it needs when Lambda initializes it.

A variable its template entry forgot, or one that does not parse, fails the init (the import
of its handler module) with a message naming the variable, instead of the first request that
needs it. The functions and their variables are read from template.yaml.
"""

from collections.abc import Iterator

import pytest

from sample_api.settings import get_settings
from tests.support.environment import FUNCTION_ENVIRONMENT
from tests.support.functions import TemplateFunction, template_functions

pytestmark = pytest.mark.domain("core")

# Values a function cannot use, by variable; a case runs for each function given the variable.
MALFORMED = {
    "MAX_UPLOAD_BYTES": ("ten megabytes", "-5"),
    "API_KEY_GRACE_SECONDS": ("-1",),
    "OIDC_JWKS_URL": ("http://issuer.example.test/jwks.json",),
    "SCOPE_ROUTES": ('{"scope": "POST /v1/things"}', "[1, 2]"),
}
# Powertools reads these with a default; a function runs without them.
OPTIONAL_PREFIXES = ("POWERTOOLS_",)

FUNCTIONS = template_functions()
REQUIRED = [
    (function, variable)
    for function in FUNCTIONS
    for variable in function.variables
    if not variable.startswith(OPTIONAL_PREFIXES)
]


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Each init reads the environment as it is in the test, not a cached copy."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_every_variable_a_function_gets_has_a_value_in_the_tests_environment():
    # Given every variable the template gives a function
    # When / Then the tests' environment has a value for it (handlers are imported at collection)
    assert {variable for _, variable in REQUIRED} <= set(FUNCTION_ENVIRONMENT)


@pytest.mark.parametrize("function", FUNCTIONS, ids=lambda f: f.name)
def test_a_function_with_its_settings_initializes(function: TemplateFunction):
    # Given the environment the template gives the function (test values)
    # When Lambda initializes it
    module = function.import_fresh()

    # Then its handler is there to call
    assert callable(module.handler)


@pytest.mark.parametrize(
    ("function", "variable"), REQUIRED, ids=lambda v: v if isinstance(v, str) else v.name
)
def test_a_missing_variable_fails_the_init_and_names_it(
    function: TemplateFunction, variable: str, monkeypatch
):
    # Given the function's environment without one of its variables
    monkeypatch.delenv(variable)

    # When Lambda initializes it, Then the init fails and the error names the variable
    with pytest.raises(Exception, match=variable) as raised:
        function.import_fresh()
    assert is_settings_error(raised.value)


@pytest.mark.parametrize(
    ("function", "variable", "value"),
    [
        (function, variable, value)
        for function, variable in REQUIRED
        for value in MALFORMED.get(variable, ())
    ],
    ids=lambda v: v if isinstance(v, str) else v.name,
)
def test_a_malformed_variable_fails_the_init_and_names_it(
    function: TemplateFunction, variable: str, value: str, monkeypatch
):
    # Given a function whose variable holds something it cannot use
    monkeypatch.setenv(variable, value)

    # When Lambda initializes it, Then the init fails naming the variable, not its value
    with pytest.raises(Exception, match=variable) as raised:
        function.import_fresh()
    assert is_settings_error(raised.value)
    assert value not in str(raised.value)


def is_settings_error(error: BaseException) -> bool:
    """The layer's SettingsError or the authorizer's (which keeps its own, apart from the layer)."""
    return any(kind.__name__ == "SettingsError" for kind in type(error).__mro__)
