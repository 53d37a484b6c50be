"""What the browser tests do on the console, as a person would: sign in, open a screen, wait
for what it shows. Every wait is a bounded WebDriverWait on a condition."""

from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import WAIT_S


def wait(browser, condition, timeout=WAIT_S, message=""):
    # A screen that refreshes replaces its elements: one found a moment ago may be gone.
    return WebDriverWait(browser, timeout, poll_frequency=0.1,
                         ignored_exceptions=(StaleElementReferenceException,)).until(condition, message)


def visible(browser, css, timeout=WAIT_S):
    return wait(browser, EC.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout,
                "no visible %s" % css)


def text_in(browser, css, text, timeout=WAIT_S):
    wait(browser, EC.text_to_be_present_in_element((By.CSS_SELECTOR, css), text), timeout,
         "%r never appeared in %s" % (text, css))
    return browser.find_element(By.CSS_SELECTOR, css)


def sign_in(browser, server, user):
    """Opens /ui with a fresh tab state and signs in with `user`'s key."""
    browser.get(server.endpoint + "/ui")
    browser.execute_script("sessionStorage.clear()")
    browser.refresh()  # a new document: nothing of the last user's session is left in the page
    visible(browser, "#api-key").send_keys(server.keys[user])
    browser.find_element(By.CSS_SELECTOR, "#signin button[type=submit]").click()
    text_in(browser, "#who", user)


def open_screen(browser, server, hash_route):
    """Navigates inside the signed-in page (a hash change, not a reload)."""
    browser.execute_script("location.hash = arguments[0]", hash_route)


# Read in one script, so a redraw between finding and reading cannot interleave.
def job_state(browser):
    return browser.execute_script(
        "const s = document.querySelector('#job-state .state'); return s && s.dataset.state")


def output_lines(browser):
    return browser.execute_script(
        "return [...document.querySelectorAll('#job-output .line')].map((line) => line.textContent)")


def states_listed(browser):
    return set(browser.execute_script(
        "return [...document.querySelectorAll('#job-list .state')].map((s) => s.dataset.state)"))


def assert_no_dialog(browser):
    try:
        alert = browser.switch_to.alert
    except NoAlertPresentException:
        return
    text = alert.text
    alert.dismiss()
    raise AssertionError("a dialog opened: %r" % text)
