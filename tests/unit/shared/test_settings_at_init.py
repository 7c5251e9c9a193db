"""Each function checks the settings it needs when Lambda initializes it.

A variable its template entry forgot, or one that does not parse, fails the init (the import
of its handler module) with a message naming the variable, instead of the first request that
needs it. The functions and their variables are read from template.yaml.
"""

from collections.abc import Iterator

import pytest

from authorizers.jwt_authorizer.settings import SettingsError as AuthorizerSettingsError
from sample_api.settings import SettingsError, get_settings
from tests.support.environment import FUNCTION_ENVIRONMENT
from tests.support.functions import TemplateFunction, template_functions

SETTINGS_ERRORS = (SettingsError, AuthorizerSettingsError)
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
    with pytest.raises(SETTINGS_ERRORS, match=variable):
        function.import_fresh()


@pytest.mark.parametrize(
    ("function_name", "variable", "value"),
    [
        ("CreateUploadFunction", "MAX_UPLOAD_BYTES", "ten megabytes"),
        ("CreateUploadFunction", "MAX_UPLOAD_BYTES", "-5"),
        ("RotatePartnerKeyFunction", "API_KEY_GRACE_SECONDS", "-1"),
        ("JwtAuthorizerFunction", "OIDC_JWKS_URL", "http://issuer.example.test/jwks.json"),
        ("JwtAuthorizerFunction", "SCOPE_ROUTES", '{"products:write": "POST /v1/products"}'),
    ],
)
def test_a_malformed_variable_fails_the_init_and_names_it(
    function_name: str, variable: str, value: str, monkeypatch
):
    # Given a function whose variable holds something it cannot use
    (function,) = [f for f in FUNCTIONS if f.name == function_name]
    monkeypatch.setenv(variable, value)

    # When Lambda initializes it, Then the init fails naming the variable, not its value
    with pytest.raises(SETTINGS_ERRORS, match=variable) as raised:
        function.import_fresh()
    assert value not in str(raised.value)
