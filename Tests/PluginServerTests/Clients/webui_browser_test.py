"""Drives Quill's web UI in headless Chromium against a running `quill serve`.

Usage: webui_browser_test.py BASE_URL PERSONAL_API_KEY PROJECT_TOKEN
With QUILL_UI_SCREENSHOTS=folder, writes a 1280×800 PNG of each page there.
Fails (exit 1) on any broken step and on any error in the browser's console.
"""
import io
import json
import os
import sys
import tempfile
import time
import urllib.request
import zipfile

sys.path.insert(0, os.path.dirname(__file__))
from webdriver import Browser  # noqa: E402

PLUGIN_JSON = {
    "name": "Greeter",
    "description": "Greets every event, and forwards it to a destination with a token.",
    "main": "index.ts",
    "config": [
        {"markdown": "Adds `properties.greeting` to every event. **Keep the token secret.**"},
        {"key": "greeting", "name": "Greeting", "type": "string", "default": "Hello", "required": True,
         "hint": "The text put in `properties.greeting`."},
        {"key": "style", "name": "Style", "type": "choice", "choices": ["plain", "shout"], "default": "plain", "required": True},
        {"key": "apiToken", "name": "Destination token", "type": "string", "secret": True, "required": True},
        {"key": "shoutSuffix", "name": "Shout suffix", "type": "string", "visible_if": [["style", "shout"]],
         "required_if": [["style", "shout"]]},
    ],
    "publicJobs": {"sayHello": {"payload": {"name": {"type": "string", "title": "Name", "required": True}}}},
}
INDEX_TS = """export async function processEvent(event, { config }) {
    if (event.event === 'explode') throw new Error('cannot greet ' + event.event)
    const greeting = config.style === 'shout' ? config.greeting.toUpperCase() + config.shoutSuffix : config.greeting
    console.log(`greeting ${event.event}`)
    event.properties = { ...event.properties, greeting }
    return event
}

export async function onEvent(event) {
    if (event.event === 'fail-export') throw new Error('the destination refused ' + event.event)
}

export const jobs = {
    sayHello: async (payload) => { console.log('hello ' + payload.name) },
}
"""
BROKEN_TS = """export async function processEvent(event) {
    const broken = {
    return event
}
"""


def plugin_zip(folder):
    path = os.path.join(folder, "greeter.zip")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("greeter/plugin.json", json.dumps(PLUGIN_JSON, indent=2))
        archive.writestr("greeter/index.ts", INDEX_TS)
    return path


def send_event(base, token, name, distinct_id="ada"):
    body = json.dumps({"api_key": token, "event": name, "distinct_id": distinct_id, "properties": {"plan": "free"}}).encode()
    request = urllib.request.Request(f"{base}/e/", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, response.status


class Flow:
    def __init__(self, browser, base, shots):
        self.browser = browser
        self.base = base
        self.shots = shots
        self.console_errors = []

    def step(self, text):
        print(f"- {text}", flush=True)
        self.collect_console()

    def collect_console(self, expected_failure=None):
        """Keeps the console's errors; Chromium logs every failed request as one, so a request the test
        makes fail on purpose is named in `expected_failure` (its path and status) and excused once."""
        for entry in self.browser.console_log():
            if entry.get("level") != "SEVERE":
                continue
            message = entry.get("message", "")
            if expected_failure and expected_failure[0] in message and f"status of {expected_failure[1]}" in message:
                expected_failure = None
                continue
            self.console_errors.append(message)
        if expected_failure:
            self.console_errors.append(f"expected a failed request {expected_failure} in the console log")

    def screenshot(self, name, show=None):
        """Saves the page; `show` is a selector to scroll to the top of the picture first."""
        if self.shots:
            self.browser.script("document.getElementById('status-message').classList.remove('visible');"
                                "if (arguments[0]) document.querySelector(arguments[0]).scrollIntoView();"
                                "else window.scrollTo(0, 0)", show)
            time.sleep(0.3)  # let the last paint and transitions settle
            self.browser.screenshot(os.path.join(self.shots, f"{name}.png"))

    def exit_status(self):
        """0, or 1 after printing the console's errors."""
        if self.console_errors:
            print("Errors in the browser console:\n" + "\n".join(self.console_errors), file=sys.stderr)
            return 1
        return 0

    def go(self, hash_route, heading):
        self.browser.open(f"{self.base}/ui/{hash_route}")
        return self.browser.find_text("h1", heading)


def run(base, key, token, shots):
    browser = Browser()
    flow = Flow(browser, base, shots)
    b = browser
    try:
        flow.step("/ redirects to the sign-in page, which refuses a wrong key")
        b.open(base + "/")
        b.find_text("h1", "Sign in to Quill")
        assert b.url.endswith("/ui/"), b.url
        b.find("#api-key").type("phx_wrong")
        b.find("button[type=submit]").click()
        b.find_text(".error-box", "not valid")
        flow.collect_console(expected_failure=("/api/users/@me/", 401))
        flow.screenshot("sign-in")
        b.find("#api-key").clear()
        b.find("#api-key").type(key)
        b.press("enter")
        b.find_text("h1", "Plugins")
        assert b.script("return sessionStorage.getItem('quill.personalApiKey')") == key
        assert b.find("#project-select").text.strip() != ""

        flow.step("install a plugin from a zip upload")
        with tempfile.TemporaryDirectory() as folder:
            b.find("#install-archive").type(plugin_zip(folder))
            b.find_text("button", "Upload and install").click()
            b.find_text("h1", "Configure Greeter", timeout=20)

        flow.step("the form: markdown, hints, choice, secret, visible_if/required_if live")
        assert b.find(".form-note strong").text == "Keep the token secret."
        assert "properties.greeting" in b.find(".hint code").text
        assert b.find("[data-key=apiToken] .secret-state").text == "Not set"
        suffix_row = b.find_all("[data-key=shoutSuffix]")[0]
        assert not suffix_row.displayed, "shoutSuffix shows before style is shout"
        b.find("[data-key=style] select").click()
        b.script("const s = document.querySelector('[data-key=style] select'); s.value = 'shout'; s.dispatchEvent(new Event('change'))")
        b.wait(lambda: suffix_row.displayed, "shoutSuffix to show for style shout")
        b.find("#config-enabled").click()
        b.find_text("button", "Save and add").click()
        b.find_text("[data-key=apiToken] .field-error", "required")
        b.find_text("[data-key=shoutSuffix] .field-error", "required")
        b.find("[data-key=apiToken] input").type("s3cret-token")
        b.find("[data-key=shoutSuffix] input").type("!")
        b.find_text("button", "Save and add").click()
        b.find_text(".success-box", "Status: Enabled", timeout=15)
        assert b.find("[data-key=apiToken] .secret-state").text == "Set"
        assert b.find("[data-key=apiToken] input").attribute("value") == "", "a secret was filled in"
        flow.screenshot("configure")

        flow.step("the plugins page, and its toggle by keyboard alone")
        flow.go("#/plugins", "Plugins")
        b.find_text(".plugin-row .status", "Enabled")
        assert "processEvent" in b.find(".plugin-row .chips").text
        b.script("document.activeElement.blur(); window.scrollTo(0, 0)")
        toggle = b.find(".plugin-row .toggle input")
        for _ in range(40):
            b.press("tab")
            if b.active_element() == toggle:
                break
        else:
            raise AssertionError("Tab never reached the enable toggle")
        b.press("space")
        b.find_text(".plugin-row .status", "Disabled")
        b.wait(lambda: b.active_element() == b.find(".plugin-row .toggle input"), "focus to come back to the toggle")
        b.press("space")
        b.find_text(".plugin-row .status", "Enabled")

        flow.step("send events; the logs show them, and the last error its event")
        for name in ["signup", "fail-export"]:
            send_event(base, token, name)
        flow.go("#/configs/1/logs", "Logs of Greeter")
        b.find_text(".log-table", "greeting signup", timeout=20)
        # The failed onEvent is an error too: wait for it, so the last error is processEvent's below.
        b.find_text(".log-table", "destination refused", timeout=20)
        send_event(base, token, "explode")
        b.find_text(".last-error", "cannot greet explode", timeout=20)
        assert '"explode"' in b.find(".last-error pre").text
        b.find("#log-search").type("signup")
        b.wait(lambda: "greeting signup" in b.find(".log-table tbody").text and "fail-export" not in b.find(".log-table tbody").text,
               "the search to keep only signup")
        b.find("#log-search").clear()
        b.find("#log-search").type(" ")
        for level in ["DEBUG", "LOG", "INFO", "WARN"]:
            b.find(f"#type-{level}").click()
        b.wait(lambda: "greeting signup" not in b.find(".log-table tbody").text and "cannot greet" in b.find(".log-table tbody").text,
               "the ERROR filter")
        flow.screenshot("logs")

        flow.step("the test panel runs unsaved code and shows the diff and console")
        flow.go("#/plugins/1/source", "Source of Greeter")
        b.find("#test-config").set_value(json.dumps({"greeting": "Hi", "style": "shout", "shoutSuffix": "!!", "apiToken": "t"}))
        b.find("#run-test").click()
        b.find_text(".diff-added", '"greeting": "HI!!"', timeout=20)
        b.find_text(".console-lines", "greeting $pageview")
        flow.screenshot("editor", show=".test-output")

        flow.step("broken code shows its error at its line")
        b.find("#editor-index-ts").set_value(BROKEN_TS)
        b.find_text("button", "Check and save").click()
        b.find_text(".code-error", "index.ts, line 3", timeout=20)
        assert b.find(".gutter .error-line").text.strip() == "3"
        assert "Line 3" in b.find("#editor-index-ts-error").text

        flow.step("jobs and exports: counters, chart, a job, a dead letter replayed")
        flow.go("#/configs/1/jobs", "Jobs & exports of Greeter")
        b.find_text(".counters", "Succeeded")
        b.wait(lambda: b.find_all(".events-chart .bar-succeeded"), "a bar of succeeded events", timeout=15)
        b.find("#job-sayHello-name").type("Grace")
        b.find_text("button", "Run sayHello").click()
        b.find_text(".success-box", "sayHello queued")
        b.find("button.replay", timeout=20)
        flow.screenshot("jobs")
        # The page refreshes its dead letters: the button may be replaced between finding and clicking it.
        b.click("button.replay")
        b.find_text(".success-box", "Queued 1 for another try")

        flow.step("new plugin in the source editor")
        flow.go("#/new", "New plugin")
        flow.screenshot("new-plugin")
        flow.go("#/plugins", "Plugins")
        flow.screenshot("plugins")
        flow.collect_console()
    finally:
        browser.quit()
    return flow.exit_status()


def screenshot_folder():
    """QUILL_UI_SCREENSHOTS, made if missing; None when not set."""
    folder = os.environ.get("QUILL_UI_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
    return folder


if __name__ == "__main__":
    base_url, personal_key, project_token = sys.argv[1:4]
    sys.exit(run(base_url, personal_key, project_token, screenshot_folder()))
