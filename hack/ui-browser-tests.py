"""Admin UI tests in real headless Chromium, driven by Selenium (hack/test-ui.sh runs them).

Each test saves a screenshot under ARTIFACTS and fails on any error in the browser's console
(a script error, a resource that did not load, a Content-Security-Policy violation).
Environment: PVDIFY_URL (a running pvdifyd with an app named APP), PVDIFY_TOKEN (an admin token);
with CONTAINER_APP (a pvdifyd on Podman), a deploy, scale and rollback of real containers too.
"""
import json
import os
import re
import sys
import time
import traceback
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = os.environ["PVDIFY_URL"]
TOKEN = os.environ["PVDIFY_TOKEN"]
APP = os.environ.get("APP", "shop")
ARTIFACTS = os.environ.get("ARTIFACTS", "test-artifacts/ui")
REGISTRY = os.environ.get("PVDIFY_TEST_REGISTRY", "127.0.0.1:5000")


def api(method, path, body):
    """A REST API call with the admin token (to change state behind the browser's back)."""
    request = urllib.request.Request(
        BASE + path, method=method, data=json.dumps(body).encode(),
        headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.set_page_load_timeout(20)
    return driver


def wait(driver, condition, seconds=10):
    return WebDriverWait(driver, seconds).until(condition)


def field(driver, label_text):
    """The input a visible label names, as a person finds it."""
    label = driver.find_element(By.XPATH, f"//label[normalize-space(text())='{label_text}']")
    return driver.find_element(By.ID, label.get_attribute("for"))


def sign_in(driver, token=TOKEN):
    driver.get(BASE + "/ui/login")
    field(driver, "Token").send_keys(token)
    driver.find_element(By.XPATH, "//button[text()='Sign in']").click()
    wait(driver, EC.presence_of_element_located((By.XPATH, "//h1[text()='Apps']")))


def test_sign_in_and_see_the_apps(driver):
    sign_in(driver)
    link = driver.find_element(By.LINK_TEXT, APP)
    assert link.get_attribute("href").endswith("/ui/apps/" + APP)
    assert "phase-" in driver.page_source
    # The list updates in place: an app made now appears without a reload.
    api("POST", "/api/v1/apps", {"name": "live-app"})
    wait(driver, EC.presence_of_element_located((By.LINK_TEXT, "live-app")), seconds=8)


def test_set_a_config_var_and_a_secret(driver):
    sign_in(driver)
    driver.find_element(By.LINK_TEXT, APP).click()
    wait(driver, EC.presence_of_element_located((By.XPATH, f"//h1[text()='{APP}']")))
    field(driver, "Variable").send_keys("GREETING")
    field(driver, "Value").send_keys("hello from the browser")
    driver.find_element(By.XPATH, "//button[text()='Set variable']").click()
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "Set GREETING"))
    assert "hello from the browser" in driver.page_source
    secret = "sk_browser_" + os.urandom(8).hex()
    field(driver, "Secret").send_keys("API_KEY")
    field(driver, "Value (write-only)").send_keys(secret)
    driver.find_element(By.XPATH, "//button[text()='Set secret']").click()
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "Set secret API_KEY"))
    assert "[REDACTED]" in driver.page_source
    assert secret not in driver.page_source, "the secret's value is in the page"
    # The live log (EventSource, from the UI's own script) shows the app's lines, filtered by process.
    wait(driver, EC.text_to_be_present_in_element((By.ID, "live-log"), "GREETING"))
    process = Select(field(driver, "Process"))
    process.select_by_value("web")
    wait(driver, lambda d: "GREETING" not in d.find_element(By.ID, "live-log").text)
    process.select_by_value("api")
    wait(driver, EC.text_to_be_present_in_element((By.ID, "live-log"), "GREETING"))


def test_create_and_revoke_a_token(driver):
    sign_in(driver)
    driver.find_element(By.LINK_TEXT, "Settings").click()
    wait(driver, EC.presence_of_element_located((By.XPATH, "//h1[text()='Settings']")))
    field(driver, "Name").send_keys("browser-ci")
    driver.find_element(By.XPATH, "//input[@name='scopes' and @value='deploy']").click()
    driver.find_element(By.XPATH, "//button[text()='Create token']").click()
    secret = wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, ".secret-value"))).text
    assert re.fullmatch(r"pvd_[0-9a-f]{64}", secret), secret
    driver.get(BASE + "/ui/settings")
    assert "browser-ci" in driver.page_source
    assert secret not in driver.page_source, "the secret is shown a second time"
    driver.find_element(By.XPATH, "//button[text()='Revoke browser-ci']").click()
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "Revoked"))
    assert "Revoke browser-ci" not in driver.page_source


def open_app_page(driver):
    driver.get(BASE + "/ui/apps/" + APP)
    wait(driver, EC.presence_of_element_located((By.XPATH, f"//h1[text()='{APP}']")))


def post_from_the_page(driver, path, fields):
    """A form post the page's own forms do not make, sent by the browser from the signed-in page
    (same origin, the session cookie attached): what a forged or hand-made request would do."""
    return driver.execute_async_script(
        """const [path, fields, done] = arguments;
        fetch(path, {method: "POST", body: new URLSearchParams(fields), redirect: "manual"})
            .then(response => done(response.status), error => done(String(error)));""",
        path, fields)


def drain_expected_refusals(driver, count):
    """The browser logs each refused request as a console error; exactly those are expected here."""
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    unexpected = [message for message in errors if "403" not in message]
    assert not unexpected, f"unexpected console errors: {unexpected}"
    assert len(errors) <= count, errors


def config_vars():
    request = urllib.request.Request(
        BASE + f"/api/v1/apps/{APP}/config", headers={"Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response).get("vars", {})


def test_add_a_domain_and_see_the_record_to_create(driver):
    sign_in(driver)
    open_app_page(driver)
    domain = "www.browser-" + os.urandom(3).hex() + ".example"
    field(driver, "Domain").send_keys(domain)
    driver.find_element(By.XPATH, "//button[text()='Add domain']").click()
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "Added " + domain))
    assert f"<code>{domain}</code>" in driver.page_source
    driver.find_element(By.XPATH, f"//button[text()='Verify {domain}']").click()
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "TXT"))
    assert f"_pvdify-verify.{domain} TXT" in driver.find_element(By.CSS_SELECTOR, ".flash").text


def test_a_post_without_the_csrf_token_is_refused(driver):
    sign_in(driver)
    open_app_page(driver)
    csrf = driver.find_element(By.CSS_SELECTOR, "form.signout input[name=csrf]").get_attribute("value")
    assert post_from_the_page(driver, f"/ui/apps/{APP}/config", {"key": "NO_CSRF", "value": "1"}) == 403
    assert post_from_the_page(driver, f"/ui/apps/{APP}/config", {"csrf": "x" * len(csrf), "key": "NO_CSRF", "value": "1"}) == 403
    drain_expected_refusals(driver, 2)
    assert "NO_CSRF" not in config_vars()
    # The same request with the session's token goes through: the refusals were the CSRF check's.
    status = post_from_the_page(driver, f"/ui/apps/{APP}/config", {"csrf": csrf, "key": "WITH_CSRF", "value": "1"})
    assert status in (0, 200, 303), status  # a redirect back to the page (opaque with redirect: manual)
    assert config_vars().get("WITH_CSRF") == "1"


def test_a_read_only_token_sees_no_write_controls_and_its_forged_post_is_refused(driver):
    viewer = api("POST", "/api/v1/tokens", {"name": "viewer-" + os.urandom(3).hex(), "scopes": ["read"]})["token"]
    sign_in(driver, viewer)
    open_app_page(driver)
    actions = {form.get_attribute("action") for form in driver.find_elements(By.CSS_SELECTOR, "form[method=post]")}
    assert {action.replace(BASE, "") for action in actions} == {"/ui/logout"}, actions
    assert not driver.find_elements(By.XPATH, "//button[text()='Set variable' or text()='Add domain' or text()='Deploy']")
    csrf = driver.find_element(By.CSS_SELECTOR, "form.signout input[name=csrf]").get_attribute("value")
    # A valid session and CSRF token, but the token may only read: refused.
    assert post_from_the_page(driver, f"/ui/apps/{APP}/config", {"csrf": csrf, "key": "FORGED", "value": "1"}) == 403
    drain_expected_refusals(driver, 1)
    assert "FORGED" not in config_vars()


def test_readable_at_phone_width(driver):
    driver.set_window_size(390, 844)
    sign_in(driver)
    for path in ("/ui/apps", "/ui/apps/" + APP, "/ui/settings"):
        driver.get(BASE + path)
        overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow} px wider than the phone's screen"
    driver.get(BASE + "/ui/apps/" + APP)


def test_sign_out(driver):
    sign_in(driver)
    driver.find_element(By.XPATH, "//button[text()='Sign out']").click()
    wait(driver, EC.presence_of_element_located((By.XPATH, "//h1[text()='Sign in']")))
    driver.get(BASE + "/ui/apps")
    wait(driver, EC.presence_of_element_located((By.XPATH, "//h1[text()='Sign in']")))


def reload_until(driver, path, predicate, seconds=120):
    """Reloads a page until `predicate(page source)` holds (a rollout is asynchronous)."""
    deadline = time.time() + seconds
    while True:
        driver.get(BASE + path)
        if predicate(driver.page_source):
            return
        if time.time() > deadline:
            raise AssertionError(f"{path}: still not there after {seconds} s")
        time.sleep(2)


def release_row(version, status):
    return lambda source: re.search(rf"<td>v{version}</td><td>{status}</td>", source) is not None


def test_deploy_scale_and_roll_back_real_containers(driver):
    """Real containers (only with CONTAINER_APP set: pvdifyd runs on Podman with the test registry)."""
    app = os.environ["CONTAINER_APP"]
    page = "/ui/apps/" + app
    api("POST", "/api/v1/apps", {"name": app})
    sign_in(driver)
    driver.get(BASE + page)
    field(driver, "Image to deploy").send_keys(REGISTRY + "/pvdify-test:v1")
    driver.find_element(By.XPATH, "//button[text()='Deploy']").click()
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "Deploying v1"))
    reload_until(driver, page, lambda source: release_row(1, "active")(source) and "1/1 running" in source)
    # A line the container printed arrives on the live log.
    wait(driver, EC.text_to_be_present_in_element((By.ID, "live-log"), "listening on"), seconds=30)
    for count in ("2", "1"):
        box = field(driver, "Count of web")
        box.clear()
        box.send_keys(count)
        driver.find_element(By.XPATH, "//button[text()='Scale']").click()
        reload_until(driver, page, lambda source: f"{count}/{count} running" in source)
    field(driver, "Image to deploy").send_keys(REGISTRY + "/pvdify-test:v2")
    driver.find_element(By.XPATH, "//button[text()='Deploy']").click()
    reload_until(driver, page, release_row(2, "active"))
    driver.find_element(By.XPATH, "//button[text()='Roll back to v1']").click()
    wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".flash"), "Rolling back to v1"))
    reload_until(driver, page, lambda source: release_row(3, "active")(source) and "1/1 running" in source)


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    tests = [test_sign_in_and_see_the_apps, test_set_a_config_var_and_a_secret, test_add_a_domain_and_see_the_record_to_create,
             test_a_post_without_the_csrf_token_is_refused,
             test_a_read_only_token_sees_no_write_controls_and_its_forged_post_is_refused,
             test_create_and_revoke_a_token, test_readable_at_phone_width, test_sign_out]
    if os.environ.get("CONTAINER_APP"):
        tests.insert(1, test_deploy_scale_and_roll_back_real_containers)
    failures = 0
    for test in tests:
        driver = browser()
        try:
            try:
                test(driver)
                errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
                if errors:
                    raise AssertionError("browser console errors: " + "; ".join(entry["message"] for entry in errors))
                print(f"ok   {test.__name__}")
            finally:
                driver.save_screenshot(os.path.join(ARTIFACTS, test.__name__ + ".png"))
        except Exception:
            failures += 1
            print(f"FAIL {test.__name__}\n{traceback.format_exc()}")
        finally:
            driver.quit()
    print(f"ui browser tests: {len(tests) - failures} passed, {failures} failed; screenshots in {ARTIFACTS}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
