"""Drives the web UI's catalogue, usage and live events pages (issue 21) in headless Chromium.

Usage: webui_pages_browser_test.py MODE BASE_URL PERSONAL_API_KEY PROJECT_TOKEN FACTS_JSON
MODE `pages`: install from the catalogue (then update), upload an attachment, install from a path and from
a URL, reorder three plugins by drag and by keyboard, watch live events, and check every page at 360 px.
MODE `dashboard`: the usage dashboard's charts against the plugin-seconds the test wrote (FACTS_JSON).
MODE `webhooks`: add, edit and remove an action webhook, subscribe and unsubscribe a REST hook, at 360 px too.
With QUILL_UI_SCREENSHOTS=folder, writes screenshots there. Fails on any broken step and console error.
"""
import datetime
import json
import os
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from webdriver import Browser  # noqa: E402
from webui_browser_test import Flow, screenshot_folder, send_event  # noqa: E402


def api(base, key, path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def sign_in(flow, key):
    b = flow.browser
    b.open(flow.base + "/ui/")
    b.find("#api-key").type(key)
    b.press("enter")
    b.find_text("h1", "Plugins")


def chain_names(b):
    return [element.text for element in b.find_all("ol.plugin-list .plugin-title strong")]


def live_names(b):
    return b.script("return [...document.querySelectorAll('.live-event')].map((item) => item.dataset.event)")


def save_config(b, name):
    b.find_text("h1", f"Configure {name}", timeout=30)
    b.find("#config-enabled").click()
    b.find_text("button", "Save and add").click()
    b.find_text(".success-box", "Status: Enabled", timeout=20)


def pages(flow, key, token, facts):
    b = flow.browser
    base = flow.base
    sign_in(flow, key)

    flow.step("the catalogue: shipped and operator plugins, search, filter by kind")
    b.click("nav a[href='#/catalogue']")
    b.find_text("h1", "Plugin catalogue")
    total = int(b.find("#catalogue-count").text.split(" of ")[1].split()[0])
    assert total >= 30, f"{total} plugins in the catalogue"
    assert b.find_text(".catalogue-entry h2", "BigQuery Export")
    b.find("#catalogue-search").type("greets")
    b.wait(lambda: b.find("#catalogue-count").text.startswith("1 of"), "the search to keep only Greeter")
    assert [element.text for element in b.find_all(".catalogue-entry h2")] == ["Greeter"]
    b.find("#catalogue-search").clear()
    b.find("#catalogue-search").type(" ")
    b.script("const s = document.getElementById('catalogue-kind'); s.value = 'destination'; s.dispatchEvent(new Event('change'))")
    b.wait(lambda: b.find_all(".catalogue-entry .kind") and all(element.text.lower() == "destination" for element in b.find_all(".catalogue-entry .kind")),
           "only destinations")
    assert not b.find_all(f".catalogue-entry[data-url='{facts['greeter_url']}']"), "Greeter is no destination"
    b.script("const s = document.getElementById('catalogue-kind'); s.value = 'transformation'; s.dispatchEvent(new Event('change'))")
    flow.screenshot("catalogue")

    flow.step("one click installs Greeter from its URL and opens its form; an attachment upload")
    greeter = f".catalogue-entry[data-url='{facts['greeter_url']}']"
    b.find(f"{greeter} button.install").click()
    b.find_text("h1", "Configure Greeter", timeout=30)
    b.find("[data-key=greeting] input").clear()
    b.find("[data-key=greeting] input").type("Hi")
    with tempfile.TemporaryDirectory() as folder:
        names = os.path.join(folder, "names.txt")
        with open(names, "w") as file:
            file.write("Ada\nGrace\n")
        b.find("[data-key=names] input[type=file]").type(names)
        assert b.find("[data-key=names] .attachment-state").text == "No file yet"
        save_config(b, "Greeter")
    b.find_text("[data-key=names] .attachment-state", "Current file: names.txt")
    config = next(c for c in api(base, key, "/api/projects/@current/plugin_configs/")["results"] if c["plugin_info"]["name"] == "Greeter")
    assert config["attachments"]["names"]["file_name"] == "names.txt", config["attachments"]

    flow.step("the catalogue marks Greeter installed and offers the update check_for_updates finds")
    flow.go("#/catalogue", "Plugin catalogue")
    b.find_text(f"{greeter} .status", "Installed")
    assert not b.find_all(f"{greeter} button.install")
    urllib.request.urlopen(urllib.request.Request(facts["hosts"] + "/control/publish/greeter/2.0.0", method="POST"), timeout=10)
    b.click("#check-updates")
    b.find_text(".success-box", "1 update available", timeout=20)
    b.find_text(f"{greeter} button.upgrade", "Update to 2002002").click()
    b.find_text(".success-box", "Greeter updated to 2002002", timeout=30)
    assert not b.find_all(f"{greeter} button.upgrade")

    flow.step("install from a folder on the server, then from a GitHub URL")
    flow.go("#/plugins", "Plugins")
    b.find("#install-path").type(facts["tagger_path"])
    b.press("enter")
    save_config(b, "Tagger")
    flow.go("#/plugins", "Plugins")
    b.find("#install-path").type(facts["stamper_url"])
    b.press("enter")
    save_config(b, "Stamper")

    flow.step("reorder three plugins by dragging a handle")
    flow.go("#/plugins", "Plugins")
    b.wait(lambda: chain_names(b) == ["Greeter", "Tagger", "Stamper"], "the chain in install order")
    rows = b.find_all("ol.plugin-list > li")
    b.drag(rows[0].find(".drag-handle"), rows[2], 20)
    b.wait(lambda: chain_names(b) == ["Tagger", "Stamper", "Greeter"], "Greeter dragged to the end")
    orders = {c["plugin_info"]["name"]: c["order"] for c in api(base, key, "/api/projects/@current/plugin_configs/")["results"]}
    assert orders["Tagger"] < orders["Stamper"] < orders["Greeter"], orders

    flow.step("reorder by keyboard: Tab to a handle, arrow keys")
    b.script("document.activeElement.blur(); window.scrollTo(0, 0)")
    for _ in range(60):
        b.press("tab")
        label = b.active_element().attribute("ariaLabel") or ""
        if label.startswith("Reorder Greeter"):
            break
    else:
        raise AssertionError("Tab never reached Greeter's handle")
    b.press("up")
    b.wait(lambda: chain_names(b) == ["Tagger", "Greeter", "Stamper"], "Greeter one up")
    b.wait(lambda: (b.active_element().attribute("ariaLabel") or "").startswith("Reorder Greeter, now 2"), "the focus to stay on Greeter's handle")
    b.press("up")
    b.wait(lambda: chain_names(b) == ["Greeter", "Tagger", "Stamper"], "Greeter first again")
    flow.screenshot("plugins-chain")

    flow.step("live events: a new event within 2 s of capture, with its plugins and diff")
    flow.go("#/live", "Live events")
    b.find_text("#live-state", "Live")
    started = time.time()
    send_event(base, token, "signup", "ada")
    b.wait(lambda: b.find_all(".live-event[data-event='signup']"), "signup in live events", timeout=10)
    elapsed = time.time() - started
    assert elapsed <= 2.0, f"the event took {elapsed:.2f} s to show"
    print(f"  shown {elapsed:.2f} s after capture", flush=True)
    item = ".live-event[data-event='signup']"
    outcomes = b.find(f"{item} .plugin-outcomes").text
    for name in ["Greeter", "Tagger", "Stamper"]:
        assert name in outcomes, outcomes
    b.find(f"{item} summary").click()
    added = "\n".join(element.text for element in b.find_all(f"{item} .diff-added"))
    for line in ['"greeting": "Hi"', '"greeted": "Ada"', '"tag": "tagged"', '"stamped": true', '"$plugins_succeeded"']:
        assert line in added, f"{line} not in the diff's added lines:\n{added}"
    send_event(base, token, "fail-me", "grace")
    b.find_text(".live-event[data-event='fail-me'] .outcome-failed", "Tagger", timeout=10)
    flow.screenshot("live")

    flow.step("live events: filters by event name and distinct_id")
    b.find("#live-event").type("signup")
    b.wait(lambda: live_names(b) == ["signup"], "only signup")
    b.find("#live-event").clear()
    b.find("#live-event").type(" ")
    b.find("#live-distinct-id").type("grace")
    b.wait(lambda: live_names(b) == ["fail-me"], "only grace's event")
    b.find("#live-distinct-id").clear()
    b.find("#live-distinct-id").type(" ")
    b.wait(lambda: len(b.find_all(".live-event")) == 2, "both events again")

    flow.step("live events: pause holds new events back until resumed")
    b.find("#live-pause").click()
    b.find_text("#live-state", "Paused")
    assert b.find("#live-pause").attribute("ariaPressed") == "true"
    send_event(base, token, "while-paused", "ada")
    time.sleep(1.5)
    assert not b.find_all(".live-event[data-event='while-paused']"), "a paused page showed a new event"
    b.find("#live-pause").click()
    b.find(".live-event[data-event='while-paused']", timeout=10)

    flow.step("the usage dashboard of the project and of the organization")
    flow.go("#/usage", "Usage of")
    b.find(".bar-chart")
    b.find_text(".usage-table", "Greeter")
    flow.go("#/usage/organization", "Usage of the organization")
    b.find(".bar-chart")
    flow.collect_console()

    flow.step("the project page: its alert settings are saved through the API")
    flow.go("#/project", "Project ")
    b.find("#alert-emails").type("ada@example.com")
    b.find("#alert-webhook").type("https://hooks.example.com/quill")
    b.click("form.config-form button[type=submit]")
    b.find_text(".form-message", "Saved.")
    flow.screenshot("project-alerts")
    flow.collect_console()

    flow.step("every page at 360 px wide: no horizontal scrolling")
    greeter_id = config["plugin"]
    pages_at_360 = [
        ("plugins", "#/plugins", "Plugins"), ("catalogue", "#/catalogue", "Plugin catalogue"),
        ("configure", f"#/plugins/{greeter_id}/configure", "Configure Greeter"), ("editor", f"#/plugins/{greeter_id}/source", "Source of Greeter"),
        ("new-plugin", "#/new", "New plugin"), ("logs", f"#/configs/{config['id']}/logs", "Logs of Greeter"),
        ("jobs", f"#/configs/{config['id']}/jobs", "Jobs & exports of Greeter"), ("usage", "#/usage", "Usage of"),
        ("usage-organization", "#/usage/organization", "Usage of the organization"), ("live", "#/live", "Live events"),
        ("project", "#/project", "Project "),
    ]
    b.set_viewport(360, 740, mobile=True)
    try:
        for name, route, heading in pages_at_360:
            flow.go(route, heading)
            check_narrow(flow, f"360-{name}")
        b.click("#sign-out")
        b.find_text("h1", "Sign in to Quill")
        check_narrow(flow, "360-sign-in")
    finally:
        b.set_viewport(1280, 800)


def check_narrow(flow, name):
    b = flow.browser
    b.wait(lambda: not b.find_all("main > .loading"), "the page to load")
    time.sleep(0.2)  # let layout settle after the last render
    widths = b.script("return [document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]")
    assert max(widths[:2]) <= widths[2], f"{name} scrolls sideways at 360 px: {widths}"
    wide = b.script("""return [...document.querySelectorAll('main *')].filter((element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > window.innerWidth + 1 && !element.closest('.table-scroll, table, pre, .diff, .editor-body');
      }).slice(0, 3).map((element) => element.tagName + '.' + element.className + ' ' + Math.round(element.getBoundingClientRect().right))""")
    assert not wide, f"{name}: elements past the right edge at 360 px: {wide}"
    flow.screenshot(name)


def webhooks(flow, key, facts):
    b = flow.browser
    sign_in(flow, key)

    flow.step("webhooks: a bad URL is refused with the API's message, a good one is listed")
    b.click("nav a[href='#/webhooks']")
    b.find_text("h1", "Webhooks")
    b.find_text("#webhooks-heading + .hint + .empty", "No action webhooks yet.")
    b.find("#webhook-name").type("Sign-ups")
    b.find("#webhook-event").type("signed up")
    b.find("#webhook-filters").set_value('[{"key": "plan", "value": "pro"}]')
    b.find("#webhook-url").type("hooks.slack.com/services/T/B/X")
    b.find_text("#webhook-form button", "Add webhook").click()
    b.find_text("#webhook-form .error-box", "'url' must be an http or https URL")
    flow.collect_console(expected_failure=("/action_webhooks/", 400))
    b.find("#webhook-url").clear()
    b.find("#webhook-url").type("https://hooks.slack.com/services/T/B/X")
    b.find_text("#webhook-form button", "Add webhook").click()
    b.find_text(".success-box", "Added Sign-ups")
    row = b.find_text("#webhook-table tbody tr", "Sign-ups")
    assert "Slack" in row.text and "plan exact" in row.text, row.text
    [webhook] = api(flow.base, key, "/api/projects/@current/action_webhooks/")["results"]
    assert webhook["event"] == "signed up" and webhook["property_filters"] == [{"key": "plan", "value": "pro"}], webhook

    flow.step("webhooks: editing keeps what is not changed")
    b.click("#webhook-table button.edit")
    b.find_text("#webhook-form-heading", "Edit Sign-ups")
    b.find("#webhook-format").type("[person] signed up")
    b.find_text("#webhook-form button", "Save").click()
    b.find_text(".success-box", "Saved Sign-ups")
    [webhook] = api(flow.base, key, "/api/projects/@current/action_webhooks/")["results"]
    assert webhook["message_format"] == "[person] signed up" and webhook["service"] == "slack", webhook

    flow.step("REST hooks: subscribe to the action, listed, then unsubscribe")
    b.find("#hook-target").type("https://hooks.zapier.com/hooks/standard/1/")
    b.find("#hook-event").type("action_performed")
    b.script("const s = document.getElementById('hook-resource'); s.value = arguments[0]; s.dispatchEvent(new Event('change'))",
             str(webhook["id"]))
    b.find_text("#hook-form button", "Subscribe").click()
    row = b.find_text("#hook-table tbody tr", "action_performed")
    assert "Sign-ups" in row.text and "hooks.zapier.com" in row.text, row.text
    flow.screenshot("webhooks")
    b.set_viewport(360, 740, mobile=True)
    try:
        check_narrow(flow, "360-webhooks")
    finally:
        b.set_viewport(1280, 800)
    b.click("#hook-table button.unsubscribe")
    b.find_text("#hooks-heading + .hint + .empty", "No REST hooks.")

    flow.step("webhooks: removing one")
    b.click("#webhook-table button.remove")
    b.find_text("#webhooks-heading + .hint + .empty", "No action webhooks yet.")
    assert api(flow.base, key, "/api/projects/@current/action_webhooks/")["count"] == 0


def dashboard(flow, key, facts):
    b = flow.browser
    sign_in(flow, key)

    flow.step("the project's dashboard: totals and charts from the plugin_usage numbers")
    b.click("nav a[href='#/usage']")
    b.find_text("h1", "Usage of")
    counters = {element.find("dt").text: element.find("dd").text for element in b.find_all(".usage-counters > div")}
    assert counters["Plugin-seconds"] == format_number(facts["seconds"]), counters
    assert counters["Calls"] == str(facts["calls"]), counters
    assert counters["Plugins installed"] == "2" and counters["Plugins in use here"] == "0", counters

    per_config = bars(b, ".bar-chart", "plugin-seconds")
    assert {label: value for label, (value, _) in per_config.items()} == facts["configs"], per_config
    widths = {label: width for label, (_, width) in per_config.items()}
    assert abs(widths["Beta"] / widths["Alpha"] - facts["configs"]["Beta"] / facts["configs"]["Alpha"]) < 0.01, widths
    for label, value in facts["configs"].items():
        b.find_text(".bar-chart .bar-value", f"{format_number(value)} s")

    per_hour = bars(b, ".usage-per-hour", "plugin-seconds", by="data-key")
    expected_hours = {iso_hour(int(epoch)): value for epoch, value in facts["hours"].items()}
    assert {key: value for key, (value, _) in per_hour.items()} == expected_hours, per_hour
    heights = [per_hour[key][1] for key in sorted(expected_hours)]
    values = [expected_hours[key] for key in sorted(expected_hours)]
    assert abs(heights[0] / heights[1] - values[0] / values[1]) < 0.01, heights
    assert "Alpha" in b.find(".usage-table").text
    flow.screenshot("usage")

    flow.step("the period: 7 days shows the same hours")
    b.script("const s = document.getElementById('usage-range'); s.value = '168'; s.dispatchEvent(new Event('change'))")
    b.wait(lambda: "hours=168" in b.url, "the 7-day period")
    b.find_text("figcaption", "last 7 days")
    assert {key: value for key, (value, _) in bars(b, ".usage-per-hour", "plugin-seconds", by="data-key").items()} == expected_hours

    flow.step("the organization's dashboard adds up its projects")
    b.click(".sub-nav a[href^='#/usage/organization']")
    b.find_text("h1", "Usage of the organization")
    per_project = bars(b, ".bar-chart", "plugin-seconds")
    assert [value for value, _ in per_project.values()] == [facts["seconds"]], per_project
    assert "23.25" in b.find(".usage-table").text
    flow.screenshot("usage-organization")
    flow.collect_console()


def bars(b, chart, series, by="data-label"):
    """The first chart at `chart`: each bar of `series` as label → (value, drawn length)."""
    return b.script("""const chart = document.querySelector(arguments[0]);
        const result = {};
        for (const bar of chart.querySelectorAll(`rect.bar[data-series="${arguments[1]}"]`)) {
          const vertical = chart.classList.contains('column-chart');
          result[bar.getAttribute(arguments[2])] = [Number(bar.dataset.value), Number(bar.getAttribute(vertical ? 'height' : 'width'))];
        }
        return result""", chart, series, by)


def iso_hour(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:00:00.000Z")


def format_number(value):
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def main():
    mode, base, key, token, facts = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
    browser = Browser()
    flow = Flow(browser, base, screenshot_folder())
    try:
        if mode == "pages":
            pages(flow, key, token, facts)
        elif mode == "webhooks":
            webhooks(flow, key, facts)
        else:
            dashboard(flow, key, facts)
        flow.collect_console()
    finally:
        browser.quit()
    return flow.exit_status()


if __name__ == "__main__":
    sys.exit(main())
