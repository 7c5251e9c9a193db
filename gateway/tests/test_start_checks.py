"""What `make dev` refuses at start, each in one line: no traceback, the place named.

A handler that does not exist would fail in Lambda at the first call
(Runtime.ImportModuleError / HandlerNotFound); locally it is caught before anything is served.
"""

import gc
import json
import logging
import shutil
import socket
from pathlib import Path

import pytest

from local_gateway.cli import main
from local_gateway.errors import GatewayStartError
from local_gateway.local_aws import free_port
from local_gateway.template import load_template
from local_gateway.testing import start_gateway

FIXTURE = Path(__file__).parent / "fixtures" / "basic"


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "basic"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__", ".local"))
    monkeypatch.chdir(root)
    return root


def _serve(capsys, *arguments):
    code = main(["serve", "--template", "template.yaml", "--port", "0", *arguments])
    return code, capsys.readouterr().err.strip()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_a_handler_name_typo_fails_at_start_naming_function_file_and_attribute(project, capsys):
    _edit(
        project / "template.yaml",
        "CodeUri: functions/other/\n      Handler: app.handler",
        "CodeUri: functions/other/\n      Handler: app.handlr",
    )
    code, error = _serve(capsys)
    assert code == 2
    assert error == (
        "local gateway: Resources.OtherFunction.Properties.Handler: app.handlr: "
        "functions/other/app.py has no attribute 'handlr' for OtherFunction"
    )


def test_a_handler_module_typo_fails_at_start_naming_the_missing_file(project, capsys):
    _edit(
        project / "template.yaml",
        "CodeUri: functions/other/\n      Handler: app.handler",
        "CodeUri: functions/other/\n      Handler: ap.handler",
    )
    code, error = _serve(capsys)
    assert code == 2
    assert "\n" not in error
    assert "OtherFunction" in error
    assert "functions/other/ap.py is missing" in error


def test_a_yaml_syntax_error_names_file_line_and_column_in_one_line(project, capsys):
    template = project / "template.yaml"
    lines = template.read_text().splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines) if text.startswith("  OtherFunction:"))
    lines.insert(line + 1, "    Type: [unclosed\n")
    template.write_text("".join(lines))
    code, error = _serve(capsys)
    assert code == 2
    assert "\n" not in error
    assert error.startswith("local gateway: template.yaml:")
    place = error.removeprefix("local gateway: template.yaml:").split(":")[:2]
    assert int(place[0]) >= line + 2  # the line after the inserted one, where it is noticed
    assert int(place[1]) >= 1
    assert "YAML syntax error" in error


def test_an_unknown_config_env_is_refused_with_the_environments_there_are(project, capsys):
    (project / "samconfig.toml").write_text(
        'version = 0.1\n[default.global.parameters]\nregion = "us-east-1"\n'
        '[prod.deploy.parameters]\nstack_name = "fixture-prod"\n'
    )
    code, error = _serve(capsys, "--config-env", "nope")
    assert code == 2
    assert error == (
        "local gateway: samconfig.toml: no environment [nope] (environments: default, prod)"
    )


def test_a_debugged_function_waits_for_a_debugger_on_its_port(tmp_path):
    # Given the gateway started with one function under debugpy
    port = free_port()
    with start_gateway(FIXTURE / "template.yaml", debug=("OtherFunction", port)) as local:
        assert local.gateway.pools["OtherFunction"].worker_count == 1
        # When a debugger connects and says hello (the Debug Adapter Protocol's initialize)
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            hello = json.dumps(
                {
                    "seq": 1,
                    "type": "request",
                    "command": "initialize",
                    "arguments": {"adapterID": "debugpy", "clientID": "test"},
                }
            ).encode()
            connection.sendall(b"Content-Length: %d\r\n\r\n" % len(hello) + hello)
            answers = b""
            while b'"command": "initialize"' not in answers:
                chunk = connection.recv(65536)
                assert chunk, f"debugpy closed the connection: {answers!r}"
                answers += chunk
    # Then debugpy answers the request
    assert b'"success": true' in answers


def test_debugging_a_function_the_template_lacks_is_refused_with_the_list(project, capsys):
    code, error = _serve(capsys, "--debug", "NoSuchFunction")
    assert code == 2
    assert error.startswith("local gateway: DEBUG: no function 'NoSuchFunction' in the template")
    assert "OtherFunction" in error


def test_loading_a_template_warns_nothing_about_the_transform_itself(caplog):
    # When a template is loaded (the SAM transform runs), and its leftovers are collected
    with caplog.at_level(logging.WARNING):
        load_template(FIXTURE / "template.yaml", {}, region="us-east-1", stack_name="quiet")
        gc.collect()
    # Then neither the feature toggles nor the transform's metrics warn at each start
    assert [r.getMessage() for r in caplog.records if r.name.startswith("samtranslator")] == []


def test_a_token_with_no_gateway_running_fails_at_once_saying_so(project, capsys):
    # Given the session of a gateway that is gone (nothing listens at its moto any more)
    state = project / ".local"
    state.mkdir()
    session = {
        "api_url": "http://127.0.0.1:3000",
        "aws_endpoint_url": f"http://127.0.0.1:{free_port()}",
        "region": "us-east-1",
        "users": {"admin@example.com": {"password": "x", "groups": ["admins"]}},
        "resources": {"UserPool": "us-east-1_gone"},
    }
    (state / "session.json").write_text(json.dumps(session))
    # When a demo user's token is asked for
    code = main(["token", "--template", "template.yaml", "user", "admin@example.com"])
    # Then it fails, saying no gateway runs (no retries against a closed port)
    error = capsys.readouterr().err.strip()
    assert code == 2
    assert error.startswith("local gateway: no local gateway runs (nothing listens at")
    assert "make dev" in error


def test_a_debug_port_in_use_fails_at_start_saying_so():
    # Given something else listening on the debug port
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        # When the gateway starts with a function to debug there, then it refuses, naming it
        with (
            pytest.raises(GatewayStartError, match=f"cannot listen on port {port}"),
            start_gateway(FIXTURE / "template.yaml", debug=("OtherFunction", port)),
        ):
            pass
