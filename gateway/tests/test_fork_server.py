"""Warm workers fork from a parent that imported the layer once, and keep Lambda's isolation.

Lambda runs each execution environment's init on its own: module state, environment variables
and the function's code folder first on `sys.path` belong to that environment
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html,
https://docs.aws.amazon.com/lambda/latest/dg/python-package.html). The fork server only saves
the layer's dependency imports; everything a function could tell apart stays its own.
"""

import concurrent.futures
from pathlib import Path

import pytest
import requests

from local_gateway.testing import start_gateway

FIXTURE = Path(__file__).parent / "fixtures" / "forked"


@pytest.fixture(scope="module")
def local():
    with start_gateway(FIXTURE / "template.yaml") as running:
        yield running


def _call(local, path):
    response = requests.get(local.api_url + path, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_worker_forks_from_the_parent_that_imported_the_layers_dependencies(local):
    # Given the gateway's fork server for the functions' layer
    spec = local.gateway.functions["FirstFunction"]
    server = local.gateway.fork_servers.server_for(spec)
    # When the function is called
    seen = _call(local, "/first")
    # Then its worker is the fork server's child, the layer's dependency was already imported
    # there, and the layer's own code was not (each worker imports it afresh)
    assert seen["parent"] == server.pid
    assert "xml.dom.minidom" in server.wait_ready()
    assert seen["dependency_preloaded"] is True
    assert seen["layer_code_preloaded"] is False


def test_each_function_sees_its_own_environment_code_folder_and_layer_state(local):
    # When two functions on the same layer are called
    first, second = _call(local, "/first"), _call(local, "/second")
    # Then each has its own variables, also where the layer read them at import
    assert (first["who"], first["who_at_layer_import"]) == ("first", "first")
    assert (second["who"], second["who_at_layer_import"]) == ("second", "second")
    # And its own code folder first on the path, as its working directory
    assert first["path0"] == first["cwd"] == str(FIXTURE / "functions" / "first")
    assert second["path0"] == second["cwd"] == str(FIXTURE / "functions" / "second")
    # And its own copy of the layer's module state
    assert first["pid"] != second["pid"]


def test_concurrent_calls_each_get_a_worker_with_its_own_module_state(local):
    # Given one warm worker of the function
    warm = _call(local, "/second")
    # When eight calls to it arrive at once
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: _call(local, "/second"), range(8)))
    # Then each worker counted its own calls: the warm one on from where it was, a new one from 1
    by_worker: dict[int, list[int]] = {}
    for answer in answers:
        by_worker.setdefault(answer["pid"], []).append(answer["layer_calls"])
    for pid, counts in by_worker.items():
        first = warm["layer_calls"] + 1 if pid == warm["pid"] else 1
        assert sorted(counts) == list(range(first, first + len(counts)))
