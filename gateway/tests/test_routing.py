"""Routing: the most specific resource wins; method then ANY; unknown routes match nothing."""

from local_gateway.api import Integration, Method
from local_gateway.routing import Router


def _method(path: str, verb: str = "GET") -> Method:
    return Method(verb, path, Integration("mock", None, {}), None, (), False, {})


ROUTER = Router(
    [
        _method("/{proxy+}", "ANY"),
        _method("/users/{id}"),
        _method("/users/{id}", "ANY"),
        _method("/users/me"),
        _method("/users"),
        _method("/files/{proxy+}"),
        _method("/"),
    ]
)


def _resource(verb: str, path: str) -> str | None:
    match = ROUTER.match(verb, path)
    return None if match is None else f"{match.method.http_method} {match.method.resource_path}"


def test_a_literal_segment_beats_a_parameter():
    assert _resource("GET", "/users/me") == "GET /users/me"


def test_a_parameter_beats_a_greedy_path():
    assert _resource("GET", "/users/42") == "GET /users/{id}"


def test_the_exact_method_beats_any_on_the_same_resource():
    assert _resource("DELETE", "/users/42") == "ANY /users/{id}"
    assert _resource("GET", "/users/42") == "GET /users/{id}"


def test_a_greedy_path_takes_every_remaining_segment():
    # Given a greedy resource under /files
    match = ROUTER.match("GET", "/files/a/b/c.txt")
    # Then it matches with the whole rest as the parameter
    assert match is not None
    assert match.method.resource_path == "/files/{proxy+}"
    assert match.path_parameters == {"proxy": "a/b/c.txt"}


def test_the_root_greedy_catches_what_nothing_else_matches():
    assert _resource("POST", "/anything/else") == "ANY /{proxy+}"


def test_a_greedy_path_needs_at_least_one_segment():
    # Given only /files/{proxy+} under /files, /files itself is not matched by it
    router = Router([_method("/files/{proxy+}")])
    assert router.match("GET", "/files") is None
    assert router.match("GET", "/files/") is None


def test_a_method_the_resource_lacks_matches_nothing():
    # Given /users has only GET (and no ANY)
    # Then POST /users is not routed (API Gateway: Missing Authentication Token)
    assert _resource("POST", "/users") is None


def test_an_unknown_path_matches_nothing_without_a_catch_all():
    router = Router([_method("/users")])
    assert router.match("GET", "/nope") is None


def test_the_root_resource_matches_the_bare_slash():
    assert _resource("GET", "/") == "GET /"
