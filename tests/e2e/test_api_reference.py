"""The API reference at /docs in a real browser: headless Chromium driven through chromedriver.

The page must list every operation of the client OpenAPI, and "Try it out" must reach the
local API with the credentials the page comes with. Chromium and chromedriver are Debian's;
when missing they are installed here (as root, with apt-get), else the tests are skipped with
the reason. `UPDATE_SCREENSHOT=1` also writes the page's picture to docs/api-reference.png.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from local_gateway.runtime import RunningGateway
from local_gateway.session_files import banner

pytestmark = [
    pytest.mark.domain("core"),
    pytest.mark.e2e,
    pytest.mark.local_only(reason="the API reference at /docs is served by the local gateway"),
]

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCREENSHOT = DOCS / "api-reference.png"
CONTRACT = DOCS / "openapi.json"
BROWSER_PACKAGES = ("chromium", "chromium-driver")
INSTALL_TIMEOUT_SECONDS = 600
PAGE_TIMEOUT_SECONDS = 30
HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # root in CI containers has no user namespace for the sandbox
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1600",
)


def _browser_binaries() -> tuple[str, str]:
    """(chromium, chromedriver), installing Debian's packages when they are missing."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(
            "the API reference browser test needs Debian's chromium and chromium-driver: "
            "install them (apt-get install chromium chromium-driver) or run as root with apt-get"
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", *BROWSER_PACKAGES],
    ):
        done = subprocess.run(
            command,
            env=environment,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
            check=False,
        )
        if done.returncode != 0:
            pytest.skip(
                f"`{' '.join(command)}` failed, no browser to test with: {done.stderr[-500:]}"
            )
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.skip("apt-get installed chromium, yet chromium or chromedriver is not on PATH")
    return chromium, driver


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    chromium, driver_path = _browser_binaries()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        # An explicit chromedriver: Selenium Manager would otherwise try to download one.
        driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            yield driver
        finally:
            driver.quit()


def _open_reference(browser: WebDriver, api_url: str) -> WebDriver:
    """/docs loaded, its document rendered and its credentials filled in."""
    browser.get(api_url + "/docs")
    WebDriverWait(browser, PAGE_TIMEOUT_SECONDS).until(
        lambda page: page.execute_script("return document.body.dataset.preauthorized")
    )
    return browser


@pytest.fixture(scope="module")
def reference_page(browser: WebDriver, local: RunningGateway) -> WebDriver:
    return _open_reference(browser, local.api_url)


def _operations(page: WebDriver) -> dict[tuple[str, str], WebElement]:
    """Each operation block of the page by (METHOD, path)."""
    blocks = page.find_elements(By.CSS_SELECTOR, ".opblock")
    found = {}
    for block in blocks:
        method = block.find_element(By.CSS_SELECTOR, ".opblock-summary-method").text
        path = block.find_element(By.CSS_SELECTOR, ".opblock-summary-path").get_attribute(
            "data-path"
        )
        found[(method.upper(), str(path))] = block
    return found


def _try_it_out(page: WebDriver, block: WebElement) -> str:
    """Opens the operation, presses "Try it out" and "Execute"; the status the page shows."""
    block.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    WebDriverWait(page, PAGE_TIMEOUT_SECONDS).until(
        lambda _: block.find_elements(By.CSS_SELECTOR, ".try-out__btn")
    )
    block.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
    block.find_element(By.CSS_SELECTOR, ".execute").click()
    status = WebDriverWait(page, PAGE_TIMEOUT_SECONDS).until(
        lambda _: block.find_elements(
            By.CSS_SELECTOR, ".live-responses-table .response .response-col_status"
        )
    )
    return str(status[0].text).strip()


def test_the_reference_serves_the_committed_contract_with_the_gateway_as_server(local):
    # Given the gateway started on the repository's template
    committed = json.loads(CONTRACT.read_text())
    # When the page's document is fetched
    response = requests.get(local.api_url + "/docs/openapi.json", timeout=10)
    # Then it is the exported contract, whose one server is the gateway the browser is on
    document = response.json()
    assert response.status_code == 200
    assert document["servers"] == [{"url": local.api_url}]
    assert document["paths"] == committed["paths"]
    assert document["components"] == committed["components"]


@pytest.mark.domain("products", "jwt-authorizer")
def test_the_page_comes_with_the_partner_key_and_tokens_for_each_authorizer(local):
    # Given the gateway serving the reference
    # When the page is fetched
    page = requests.get(local.api_url + "/docs", timeout=10).text
    # Then its credentials are the partner plan's key and a token for each authorizer
    found = re.search(r"const preauthorized = (\{.*?\});", page)
    assert found is not None
    filled = json.loads(found.group(1))
    assert filled["api_key"] == local.session.api_keys["partner"]
    assert jwt.decode(filled["CognitoAuthorizer"], options={"verify_signature": False})[
        "cognito:groups"
    ] == ["admins"]
    assert (
        jwt.decode(filled["JwtAuthorizer"], options={"verify_signature": False})["iss"]
        == (local.session.issuer["url"])
    )


def test_the_banner_points_at_the_reference(local):
    # Given the gateway serving the reference
    # When make dev's banner is written
    text = banner(local.gateway, local.session, "python")
    # Then it names the page's address
    assert f"API reference:    {local.api_url}/docs" in text


def test_swagger_ui_is_served_by_the_gateway_itself(local):
    # Given the page's script, and a file of the package the page does not use
    bundle = requests.get(local.api_url + "/docs/static/swagger-ui-bundle.js", timeout=10)
    unused = requests.get(local.api_url + "/docs/static/swagger-editor-bundle.js", timeout=10)
    # Then the script comes from the gateway, and nothing else of the package does
    assert bundle.status_code == 200
    assert "javascript" in bundle.headers["Content-Type"]
    assert b"SwaggerUIBundle" in bundle.content
    assert unused.status_code == 404


def test_the_page_lists_every_operation_of_the_api(reference_page, local):
    # Given the client OpenAPI the gateway serves beside the page
    document = requests.get(local.api_url + "/docs/openapi.json", timeout=10).json()
    expected = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }
    # When the page has rendered it
    listed = set(_operations(reference_page))
    # Then every operation is there, and nothing else
    assert expected
    assert listed == expected


def test_try_it_out_calls_the_local_api(reference_page):
    # Given the open health route on the page
    health = _operations(reference_page)[("GET", "/v1/health")]
    # When it is tried out
    status = _try_it_out(reference_page, health)
    # Then the local API answered 200
    assert status == "200"


@pytest.mark.domain("users")
def test_try_it_out_sends_the_pre_filled_demo_token(reference_page):
    # Given a route guarded by the Cognito authorizer, and no credentials typed in
    users = _operations(reference_page)[("GET", "/v1/users")]
    # When it is tried out
    status = _try_it_out(reference_page, users)
    # Then the demo user's ID token the page came with opened it
    assert status == "200"


def test_the_page_renders_for_a_screenshot(browser, local, tmp_path):
    # Given a fresh page, every route in its list and its credentials filled in
    page = _open_reference(browser, local.api_url)
    # When it is photographed
    picture = tmp_path / "api-reference.png"
    assert page.save_screenshot(str(picture))
    # Then the picture is a PNG (docs/ keeps one, refreshed with UPDATE_SCREENSHOT=1)
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(picture, SCREENSHOT)
