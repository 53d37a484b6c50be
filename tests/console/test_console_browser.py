"""The console in headless chromium against the real host: what a person signing in sees and
does. One browser and one host for the module; each test fires with its own tag, so its
handlers run only for its own events, and saves a screenshot."""

import uuid

from selenium.webdriver.common.by import By

from hookhost import Connection
from hookhost.eventproc import fire, job, register, wait

import console_page as page

HOOK = "staging.new_assembly"
PAYLOAD = {"genome": "homo_sapiens", "database": "homo_sapiens_core"}


def unique(name):
    return "%s-%s" % (name, uuid.uuid4().hex[:8])


def conn(server, user):
    return Connection(server.endpoint, server.keys[user])


def register_and_fire(server, handler, name=None, owner="alice", payload=None, **settings):
    """Registers `handler` for `owner` under a fresh tag and fires it once; returns the job id."""
    name = name or unique(handler.__name__)
    tag = unique("tag")
    register(conn(server, owner), name, HOOK, "", "", tags=[tag], **settings)(handler)
    fired = fire(conn(server, "publisher"), HOOK, payload or PAYLOAD, tags=[tag])
    [job_id] = [j["job_id"] for j in fired["jobs"] if j["handler"] == name]
    return job_id


def greets(ctx, **payload):
    return "hello " + payload["genome"]


def naps_then_greets(ctx, **payload):
    import time
    time.sleep(float(payload.get("comment") or 0))
    return "rested"


def breaks(ctx, **payload):
    raise ValueError("the staging database is down")


def ticks(ctx, **payload):
    import time
    for i in range(12):
        print("tick %d" % i, flush=True)
        time.sleep(0.3)
    return "ticked"


def tells_a_secret(ctx, **payload):
    print("alice-only-secret")
    return "kept"


def injects(ctx, **payload):
    print("<script>alert(2)</script>")
    return "<script>alert(2)</script>"


def hands_over(ctx, **payload):
    # The tag travels in the payload's comment: the next step's handler listens to that tag only.
    ctx.emit("staging.new_genebuild", {"genome": payload["genome"], "database": "genebuild"}, tags=[payload["comment"]])
    return "handed over"


def test_a_chain_shows_each_steps_state(browser, server, shot):
    next_tag = unique("next")
    register(conn(server, "alice"), unique("next-step"), "staging.new_genebuild", "", "", tags=[next_tag])(breaks)
    job_id = register_and_fire(server, hands_over, payload=dict(PAYLOAD, comment=next_tag))
    first = wait(conn(server, "alice"), job_id)
    assert first["state"] == "SUCCEEDED"
    page.sign_in(browser, server, "alice")
    page.open_screen(browser, server, "#/chains/%d" % first["event_id"])
    page.wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#chain .chain-job .chain-event [data-state=FAILED]"),
              timeout=30, message="the emitted step's failure never showed under its parent job")
    page.visible(browser, "#chain > .chain-event > .state[data-state=FAILED]")  # the whole chain failed
    assert "ValueError: the staging database is down" in browser.find_element(By.CSS_SELECTOR, "#chain").text
    shot()


def test_a_handler_registered_from_python_appears(browser, server, shot):
    name = unique("greeter")
    register(conn(server, "alice"), name, HOOK, "", "", tags=[unique("tag")])(greets)
    page.sign_in(browser, server, "alice")
    page.open_screen(browser, server, "#/handlers")
    row = page.text_in(browser, "main table", name)
    assert "alice" in row.text and "python" in row.text
    shot()
    # Alice is a user: the hooks page offers no fire form (a user may not fire events).
    page.open_screen(browser, server, "#/hooks")
    page.text_in(browser, "main", HOOK)
    assert browser.find_elements(By.CSS_SELECTOR, "form.fire") == []


def test_a_fired_job_goes_from_queued_to_succeeded_without_a_reload(browser, server, shot):
    name = unique("one-at-a-time")
    tag = unique("tag")
    alice, publisher = conn(server, "alice"), conn(server, "publisher")
    register(alice, name, HOOK, "", "", tags=[tag], max_concurrency=1)(naps_then_greets)
    [first] = [j["job_id"] for j in fire(publisher, HOOK, dict(PAYLOAD, comment="4"), tags=[tag])["jobs"]]
    # The first job holds the handler's one slot, so the second stays queued for seconds.
    page.wait(browser, lambda _: job(alice, first)["state"] == "RUNNING", message="the first job never ran")
    [second] = [j["job_id"] for j in fire(publisher, HOOK, PAYLOAD, tags=[tag])["jobs"]]
    [third] = [j["job_id"] for j in fire(publisher, HOOK, PAYLOAD, tags=[tag])["jobs"]]

    page.sign_in(browser, server, "alice")
    # A queued job offers Cancel; the page shows it cancelled.
    page.open_screen(browser, server, "#/jobs/%d" % third)
    page.visible(browser, "#cancel").click()
    page.wait(browser, lambda b: page.job_state(b) == "CANCELLED", message="the cancel never showed")
    assert browser.find_elements(By.CSS_SELECTOR, "#cancel") == []
    page.open_screen(browser, server, "#/jobs/%d" % second)
    page.wait(browser, lambda b: page.job_state(b) == "QUEUED", message="the job never showed QUEUED")
    browser.execute_script("window.stillTheSamePage = true")
    shot("-queued")
    page.wait(browser, lambda b: page.job_state(b) == "SUCCEEDED", timeout=30, message="never SUCCEEDED")
    assert browser.execute_script("return window.stillTheSamePage") is True  # no reload
    assert page.text_in(browser, "#job-result", "rested")
    history = [li.get_attribute("data-kind") for li in browser.find_elements(By.CSS_SELECTOR, "#job-history li")]
    assert history[0] == "CREATE" and "FINISH" in history
    shot()


def test_a_handler_page_rolls_back_to_an_earlier_version(browser, server, shot):
    name, tag = unique("versioned"), unique("tag")
    alice = conn(server, "alice")
    register(alice, name, HOOK, "", "", tags=[tag])(greets)
    register(alice, name, HOOK, "", "", tags=[tag])(breaks)  # version 2
    [handler] = [h for h in alice.request("GET", "/v1/handlers") if h["name"] == name]
    page.sign_in(browser, server, "alice")
    page.open_screen(browser, server, "#/handlers/%d" % handler["id"])
    page.visible(browser, "tr[data-version='1'] button.rollback").click()
    page.visible(browser, "tr[data-version='3']")
    assert "current" in browser.find_element(By.CSS_SELECTOR, "tr[data-version='3']").text
    assert alice.request("GET", "/v1/handlers/%d" % handler["id"])["version"] == 3
    shot()
    # Bob is not its owner: the page shows no versions to roll back.
    page.sign_in(browser, server, "bob")
    page.open_screen(browser, server, "#/handlers/%d" % handler["id"])
    page.text_in(browser, "#handler-name", name)
    assert browser.find_elements(By.CSS_SELECTOR, "button.rollback") == []


def test_a_failed_jobs_traceback_shows_and_a_rerun_makes_a_new_job(browser, server, shot):
    job_id = register_and_fire(server, breaks)
    assert wait(conn(server, "alice"), job_id)["state"] == "FAILED"
    page.sign_in(browser, server, "alice")
    page.open_screen(browser, server, "#/jobs/%d" % job_id)
    error = page.text_in(browser, "#job-error", "ValueError: the staging database is down")
    assert "Traceback (most recent call last)" in error.text
    shot()
    page.visible(browser, "#pin-version").click()
    browser.find_element(By.CSS_SELECTOR, "#rerun").click()
    page.wait(browser, lambda b: b.execute_script("return location.hash") not in ("#/jobs/%d" % job_id, ""),
              message="the re-run did not open its new job")
    rerun_id = int(browser.execute_script("return location.hash").rsplit("/", 1)[1])
    assert rerun_id != job_id
    page.text_in(browser, "#rerun-of", "job #%d" % job_id)
    rerun = wait(conn(server, "alice"), rerun_id)
    assert rerun["state"] == "FAILED" and rerun["history"][0]["data"]["rerun_of"] == job_id
    page.wait(browser, lambda b: page.job_state(b) == "FAILED", message="the re-run's end never showed")
    shot("-rerun")


def test_live_output_appears_line_by_line_before_the_job_ends(browser, server, shot):
    page.sign_in(browser, server, "alice")
    job_id = register_and_fire(server, ticks)
    page.open_screen(browser, server, "#/jobs/%d" % job_id)
    page.wait(browser, lambda b: len(page.output_lines(b)) >= 2, message="no output lines came")
    # Lines arrived while the job still runs: they came through the stream, not at its end.
    assert job(conn(server, "alice"), job_id)["state"] == "RUNNING"
    shown = page.output_lines(browser)
    assert shown == ["tick %d" % i for i in range(len(shown))]
    assert len(shown) < 12
    shot("-running")
    page.wait(browser, lambda b: page.job_state(b) == "SUCCEEDED", timeout=30, message="never SUCCEEDED")
    page.wait(browser, lambda b: len(page.output_lines(b)) == 12, message="not every line was shown")
    assert page.output_lines(browser) == ["tick %d" % i for i in range(12)]
    shot()


def test_a_user_does_not_see_another_users_job_output(browser, server, shot):
    job_id = register_and_fire(server, tells_a_secret)
    assert wait(conn(server, "alice"), job_id)["state"] == "SUCCEEDED"
    page.sign_in(browser, server, "bob")
    page.open_screen(browser, server, "#/jobs/%d" % job_id)
    page.text_in(browser, "main .error", "forbidden")
    assert "alice-only-secret" not in browser.page_source
    page.open_screen(browser, server, "#/jobs")
    page.visible(browser, "#job-list p, #job-list table")
    assert browser.find_elements(By.CSS_SELECTOR, "#job-list tr[data-job-id='%d']" % job_id) == []
    shot()
    # Its owner does see it: the refusal above is about bob, not a page that shows nothing.
    page.sign_in(browser, server, "alice")
    page.open_screen(browser, server, "#/jobs/%d" % job_id)
    page.wait(browser, lambda b: page.output_lines(b) == ["alice-only-secret"], message="alice's output missing")


def test_markup_in_names_and_output_is_shown_as_text(browser, server, shot):
    name = "<img src=x onerror=alert(1)>"
    job_id = register_and_fire(server, injects, name=name)
    assert wait(conn(server, "alice"), job_id)["state"] == "SUCCEEDED"
    page.sign_in(browser, server, "alice")
    page.open_screen(browser, server, "#/handlers")
    page.wait(browser, lambda b: any(a.text == name for a in b.find_elements(By.CSS_SELECTOR, "main table a")),
              message="the name was not shown as text")
    page.assert_no_dialog(browser)
    page.open_screen(browser, server, "#/jobs/%d" % job_id)
    page.wait(browser, lambda b: page.output_lines(b) == ["<script>alert(2)</script>"], message="output not shown as text")
    assert page.text_in(browser, "#job-result", "<script>alert(2)</script>")
    page.text_in(browser, "main dl", name)
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main script") == []
    page.assert_no_dialog(browser)
    shot()


def test_the_overview_draws_the_last_hour_and_fits_a_phone(browser, server, shot):
    job_id = register_and_fire(server, greets)
    assert wait(conn(server, "alice"), job_id)["state"] == "SUCCEEDED"
    page.sign_in(browser, server, "admin")
    page.open_screen(browser, server, "#/overview")
    page.wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#stats-chart svg rect.bar-succeeded"),
              message="the chart has no succeeded bar")
    page.text_in(browser, "#state-counts", "SUCCEEDED")
    page.text_in(browser, "#live-hosts", "127.0.0.1")
    page.visible(browser, "#plugins table")
    # The roles that may fire get the form on the hooks page.
    page.open_screen(browser, server, "#/hooks")
    page.visible(browser, "form.fire")
    page.open_screen(browser, server, "#/overview")
    page.visible(browser, "#stats-chart svg")
    shot("-wide")
    browser.set_window_size(390, 844)
    try:
        page.wait(browser, lambda b: b.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1"),
            message="the overview is wider than a phone's screen")
        shot()
    finally:
        browser.set_window_size(1280, 900)


def test_a_fire_refused_by_the_schema_shows_the_error_in_place(browser, server, shot):
    page.sign_in(browser, server, "publisher")
    page.open_screen(browser, server, "#/hooks")
    form = page.visible(browser, "form.fire[data-hook='%s']" % HOOK)
    payload = form.find_element(By.CSS_SELECTOR, "textarea")
    payload.clear()
    payload.send_keys('{"genome": 7}')
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    error = page.text_in(browser, "form.fire[data-hook='%s'] .error" % HOOK, "invalid_payload")
    assert error.is_displayed()
    shot()


def test_the_jobs_list_filters_by_state(browser, server, shot):
    failed = register_and_fire(server, breaks)
    succeeded = register_and_fire(server, greets)
    assert wait(conn(server, "alice"), failed)["state"] == "FAILED"
    assert wait(conn(server, "alice"), succeeded)["state"] == "SUCCEEDED"
    page.sign_in(browser, server, "alice")
    page.open_screen(browser, server, "#/jobs")
    page.visible(browser, "#job-list tr[data-job-id='%d']" % failed)
    form = page.visible(browser, "#job-filters")
    form.find_element(By.CSS_SELECTOR, "#filter-state option[value=SUCCEEDED]").click()
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait(browser, lambda b: "state=SUCCEEDED" in b.execute_script("return location.hash"))
    page.wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, "#job-list tr[data-job-id='%d']" % succeeded) and not
              b.find_elements(By.CSS_SELECTOR, "#job-list tr[data-job-id='%d']" % failed),
              message="the failed job is still listed under SUCCEEDED")
    assert page.states_listed(browser) == {"SUCCEEDED"}
    shot()
