"""A small W3C WebDriver client over HTTP for chromedriver: enough to drive the web UI's browser tests."""
import base64
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
KEYS = {"tab": "\ue004", "enter": "\ue007", "space": " ", "shift": "\ue008", "backspace": "\ue003", "control": "\ue009",
        "up": "\ue013", "down": "\ue015"}


class WebDriverError(Exception):
    pass


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """Headless Chromium through chromedriver, 1280×800, keeping the browser's console log."""

    def __init__(self, chromedriver="/usr/bin/chromedriver", chromium="/usr/bin/chromium"):
        self.port = free_port()
        self.driver = subprocess.Popen([chromedriver, f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while True:
            try:
                self._call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.time() > deadline:
                    raise WebDriverError("chromedriver did not start")
                time.sleep(0.1)
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=1280,800", "--force-device-scale-factor=1", "--hide-scrollbars"],
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        }
        answer = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session = answer["sessionId"]
        # --window-size counts the browser's own frame; the page itself must be 1280×800.
        self.command("POST", "/goog/cdp/execute", {"cmd": "Emulation.setDeviceMetricsOverride", "params": {
            "width": 1280, "height": 800, "deviceScaleFactor": 1, "mobile": False}})

    def _call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as error:
            detail = json.loads(error.read() or b"{}").get("value", {})
            raise WebDriverError(f"{method} {path}: {detail.get('error')}: {detail.get('message', '')[:300]}") from None

    def command(self, method, path, body=None):
        return self._call(method, f"/session/{self.session}{path}", body)

    def quit(self):
        try:
            self._call("DELETE", f"/session/{self.session}")
        finally:
            self.driver.terminate()
            try:
                self.driver.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.driver.kill()
                self.driver.wait()

    # Pages and scripts

    def open(self, url):
        self.command("POST", "/url", {"url": url})

    @property
    def url(self):
        return self.command("GET", "/url")

    def script(self, source, *arguments):
        return self.command("POST", "/execute/sync", {"script": source, "args": list(arguments)})

    def screenshot(self, path):
        with open(path, "wb") as file:
            file.write(base64.b64decode(self.command("GET", "/screenshot")))

    def console_log(self):
        """The browser's console and network messages since the last call."""
        return self.command("POST", "/se/log", {"type": "browser"}) or []

    # Elements

    def find_all(self, css):
        return [Element(self, found[ELEMENT]) for found in self.command("POST", "/elements", {"using": "css selector", "value": css})]

    def find(self, css, timeout=10):
        """Waits for the first element that matches and is shown."""
        return self.wait(lambda: next((element for element in self.find_all(css) if element.displayed), None),
                         f"an element shown at {css!r}", timeout)

    def find_text(self, css, text, timeout=10):
        """Waits for a shown element at `css` whose text contains `text`."""
        return self.wait(lambda: next((element for element in self.find_all(css) if text in element.text and element.displayed), None),
                         f"{text!r} in {css!r}", timeout)

    def click(self, css, timeout=10):
        """Clicks the element at `css`, finding it again if the page replaced it between finding and clicking."""
        def clicked():
            self.find(css, timeout).click()
            return True
        return self.wait(clicked, f"a click on {css!r}", timeout)

    def wait(self, condition, what, timeout=10):
        deadline = time.time() + timeout
        last_error = None
        while time.time() < deadline:
            try:
                result = condition()
                if result:
                    return result
            except WebDriverError as error:  # an element replaced while we looked at it
                last_error = error
            time.sleep(0.1)
        raise WebDriverError(f"timed out waiting for {what}" + (f" ({last_error})" if last_error else ""))

    def active_element(self):
        return Element(self, self.command("GET", "/element/active")[ELEMENT])

    def set_viewport(self, width, height, mobile=False):
        """Makes the page `width`×`height` CSS pixels, as a phone's screen when `mobile`."""
        self.command("POST", "/goog/cdp/execute", {"cmd": "Emulation.setDeviceMetricsOverride", "params": {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}})

    def drag(self, source, target, target_y=0):
        """Presses the mouse on `source`, moves it in steps to `target_y` pixels below `target`'s middle, and releases it."""
        self.command("POST", "/actions", {"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
            {"type": "pointerMove", "duration": 0, "origin": source.reference, "x": 0, "y": 0},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerMove", "duration": 150, "origin": source.reference, "x": 0, "y": 8},
            {"type": "pointerMove", "duration": 300, "origin": target.reference, "x": 0, "y": target_y},
            {"type": "pointerUp", "button": 0},
        ]}]})
        self.command("DELETE", "/actions")

    def press(self, *keys):
        """Presses keys one after another on whatever has the focus, as a person would."""
        actions = []
        for key in keys:
            value = KEYS.get(key, key)
            actions += [{"type": "keyDown", "value": value}, {"type": "keyUp", "value": value}]
        self.command("POST", "/actions", {"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})


class Element:
    def __init__(self, browser, id):
        self.browser = browser
        self.id = id

    def _command(self, method, path="", body=None):
        return self.browser.command(method, f"/element/{self.id}{path}", body)

    def find(self, css):
        """The first element at `css` inside this one."""
        return Element(self.browser, self._command("POST", "/element", {"using": "css selector", "value": css})[ELEMENT])

    def click(self):
        self.browser.script("arguments[0].scrollIntoView({block: 'center'})", self.reference)
        self._command("POST", "/click", {})

    def type(self, text):
        self._command("POST", "/value", {"text": text})

    def clear(self):
        self._command("POST", "/clear", {})

    def set_value(self, text):
        """Replaces a text field's value (typing long code key by key would be slow) and tells the page."""
        self.browser.script(
            "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}))",
            self.reference, text)

    def attribute(self, name):
        return self._command("GET", f"/property/{name}")

    @property
    def text(self):
        return self._command("GET", "/text")

    @property
    def displayed(self):
        return self._command("GET", "/displayed")

    @property
    def reference(self):
        return {ELEMENT: self.id}

    def __eq__(self, other):
        return self.browser.script("return arguments[0] === arguments[1]", self.reference, other.reference)
