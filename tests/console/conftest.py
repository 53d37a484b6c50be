"""Fixtures for the console's browser tests.

The host and its users come from the Python client suite's fixtures (tests/python/conftest.py:
the real hookhost on a free loopback port, users made with `hookhost user add`); the browser
is Debian's headless chromium through chromedriver, one per module, so the suite stays short.
"""

import importlib.util
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_TESTS = os.path.join(HERE, "..", "python")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WAIT_S = 20  # every wait for the page is bounded by this


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


client_fixtures = _load("python_client_fixtures", os.path.join(CLIENT_TESTS, "conftest.py"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = client_fixtures.started_server(tmp_path_factory)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    for program in (CHROMIUM, CHROMEDRIVER):
        assert os.access(program, os.X_OK), "%s is missing: scripts/install-deps.sh --test installs it" % program
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,900", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT_S)
    yield driver
    driver.quit()


@pytest.fixture
def shot(browser, request):
    """shot() saves a screenshot named after the test under HOOKHOST_SCREENSHOTS."""
    folder = os.environ.get("HOOKHOST_SCREENSHOTS") or str(request.config.rootpath / "screenshots")
    os.makedirs(folder, exist_ok=True)

    def take(suffix=""):
        path = os.path.join(folder, request.node.name + suffix + ".png")
        assert browser.save_screenshot(path), "no screenshot saved at " + path
        return path
    return take
