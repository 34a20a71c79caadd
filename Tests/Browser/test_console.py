"""The on-call console in a real headless Chromium, against a running `tidings serve`.

`.ci/console-tests.sh` starts the server with an API token and a webhook sink whose
receiver refuses everything, plays signed Twilio traffic into it (twilio_traffic.py), and
runs this file with:

    TIDINGS_CONSOLE_URL   the server's base URL
    TIDINGS_API_TOKEN     its API token; TIDINGS_AUTH_TOKEN its Twilio auth token
    TIDINGS_SEED_FILE     the SIDs the traffic used (JSON)
    TIDINGS_TEST_RECEIVER the webhook receiver's base URL (to make it accept)
    TIDINGS_SCREENSHOTS   where the screenshots go (default: docs/images)
    TIDINGS_TWILIO_URL    where to post Twilio's traffic, when not to TIDINGS_CONSOLE_URL

The browser runs in America/New_York, so that the times it shows are not UTC. The tests
share one browser and run in file order; each makes sure of the token it needs.
"""
import datetime
import json
import os
import pathlib
import secrets
import time
import urllib.request

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from twilio_traffic import XSS, Twilio, event

BASE = os.environ["TIDINGS_CONSOLE_URL"].rstrip("/")
API_TOKEN = os.environ["TIDINGS_API_TOKEN"]
SEED = json.loads(pathlib.Path(os.environ["TIDINGS_SEED_FILE"]).read_text())
RECEIVER = os.environ["TIDINGS_TEST_RECEIVER"].rstrip("/")
REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
SCREENSHOTS = pathlib.Path(os.environ.get("TIDINGS_SCREENSHOTS") or REPOSITORY / "docs" / "images")
LAPTOP = (1280, 860)
TWILIO = Twilio(os.environ.get("TIDINGS_TWILIO_URL") or BASE, os.environ["TIDINGS_AUTH_TOKEN"].split(",")[0])


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars",
                     "--lang=en-US", f"--window-size={LAPTOP[0]},{LAPTOP[1]}", "--force-color-profile=srgb"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"),
                      env={**os.environ, "TZ": "America/New_York"})
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def wait(browser, condition, timeout=10, message=""):
    return WebDriverWait(browser, timeout, poll_frequency=0.05).until(condition, message)


def visible(browser, selector, timeout=10):
    return wait(browser, lambda b: next((e for e in b.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()), None),
                timeout, f"nothing visible matches {selector}")


def open_page(browser, path, token=API_TOKEN):
    """Opens `path` with `token` in this tab's sessionStorage (None: no token)."""
    if not browser.current_url.startswith(BASE):
        browser.get(BASE + "/console/nowhere")
    if token is None:
        browser.execute_script("sessionStorage.clear()")
    else:
        browser.execute_script("sessionStorage.setItem('tidings.apiToken', arguments[0])", token)
    browser.get(BASE + path)


def no_alert(browser):
    try:
        text = browser.switch_to.alert.text
    except NoAlertPresentException:
        return True
    pytest.fail(f"an alert fired: {text}")


def screenshot(browser, name, height=None):
    """The whole page at laptop width (the window grows to the page's height)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0)")
    full = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(LAPTOP[0], min(max(height or full, LAPTOP[1]), 2400))
    time.sleep(0.4)
    browser.save_screenshot(str(SCREENSHOTS / f"console-{name}.png"))
    browser.set_window_size(*LAPTOP)


def severe_console_errors(browser):
    """Errors the page logged, apart from the API's refusals the tests provoke (401, 502)."""
    return [entry for entry in browser.get_log("browser")
            if entry["level"] == "SEVERE" and "status of 401" not in entry["message"]
            and "status of 502" not in entry["message"] and "status of 404" not in entry["message"]]


# ------------------------------------------------------------------ access


def test_without_the_token_the_console_shows_no_data(browser):
    pages = [f"/console/message/{SEED['undelivered']}", "/console", "/console/live", "/console/overview", "/console/sinks"]
    for path in pages:
        open_page(browser, path, token=None)
        visible(browser, "#token-form")
        assert not browser.find_elements(By.CSS_SELECTOR, ".record, table tbody tr, svg.chart, .cards"), path
        text = browser.find_element(By.TAG_NAME, "main").text
        assert "+15558675310" not in text and "30003" not in text, f"{path} shows data without the token: {text}"

    # A wrong token is refused, and says so.
    form_input = visible(browser, "#token-input")
    form_input.send_keys("not-the-token", Keys.ENTER)
    refusal = visible(browser, ".token-panel [role=alert]")
    assert "refused" in refusal.text
    assert not browser.find_elements(By.CSS_SELECTOR, "table tbody tr")
    assert browser.execute_script("return sessionStorage.getItem('tidings.apiToken')") is None

    # The right one opens the page, and lives in sessionStorage only.
    visible(browser, "#token-input").send_keys(API_TOKEN, Keys.ENTER)
    visible(browser, "table.sinks tbody tr")
    assert browser.execute_script("return sessionStorage.getItem('tidings.apiToken')") == API_TOKEN
    assert browser.execute_script("return localStorage.length") == 0
    assert not browser.get_cookies()

    # Forgetting it brings the form back.
    visible(browser, "#forget-token").click()
    visible(browser, "#token-form")
    assert not browser.find_elements(By.CSS_SELECTOR, "table tbody tr")


# ------------------------------------------------------------------ message


def test_a_message_shows_its_status_error_meaning_and_timeline(browser):
    open_page(browser, "/console")
    search = visible(browser, "#sid-input")
    search.send_keys(SEED["undelivered"], Keys.ENTER)
    wait(browser, lambda b: b.current_url.endswith(f"/console/message/{SEED['undelivered']}"))
    record = visible(browser, f".record[data-sid='{SEED['undelivered']}']")

    assert record.find_element(By.CSS_SELECTOR, "[data-status] .badge").text == "undelivered"
    assert "tone-warn" in record.find_element(By.CSS_SELECTOR, "[data-status] .badge").get_attribute("class")
    assert record.find_element(By.CSS_SELECTOR, "[data-field=error-code]").text == "Error 30003"
    assert record.find_element(By.CSS_SELECTOR, "[data-field=error-title]").text == "Unreachable destination handset"
    meaning = wait(browser, lambda b: (lambda e: e if "handset" in e.text else None)(
        b.find_element(By.CSS_SELECTOR, "[data-field=error-meaning]")))
    assert "could not reach the handset" in meaning.text
    assert "retry can help" in record.find_element(By.CSS_SELECTOR, "[data-field=error-retry]").text

    # The timeline in Twilio's times (Event Streams), with the delays between the steps.
    steps = record.find_elements(By.CSS_SELECTOR, ".timeline-step")
    assert [step.get_attribute("data-status") for step in steps] == ["queued", "sent", "undelivered"]
    delays = [gap.text for gap in record.find_elements(By.CSS_SELECTOR, ".timeline-gap .timeline-delay")]
    assert delays == ["+1.2 s", "+2 min 3 s"], delays
    assert "Carrier done" in record.find_element(By.CSS_SELECTOR, "[data-field=carrier-done]").text

    # Times in the browser's zone (New York here), UTC on hover.
    first = steps[0].find_element(By.TAG_NAME, "time")
    assert first.get_attribute("title").startswith("UTC ")
    utc_clock = first.get_attribute("datetime")[11:19]
    assert utc_clock not in first.text, "the time is shown in UTC, not in the browser's zone"

    # Every report, with its source; its parameters collapsed until asked for.
    entries = record.find_elements(By.CSS_SELECTOR, ".history-entry")
    assert len(entries) == 5
    assert [entry.find_element(By.CSS_SELECTOR, "[data-source]").get_attribute("data-source") for entry in entries] == [
        "event-stream", "event-stream", "event-stream", "callback", "callback"]
    assert "repeated 1×" in entries[4].text
    details = entries[4].find_element(By.TAG_NAME, "details")
    assert details.get_attribute("open") is None
    assert not details.find_element(By.CSS_SELECTOR, "table.params").is_displayed()
    details.find_element(By.TAG_NAME, "summary").click()
    params = details.find_element(By.CSS_SELECTOR, "table.params")
    assert params.is_displayed() and "ErrorCode" in params.text and "30003" in params.text
    screenshot(browser, "message")
    assert not severe_console_errors(browser)


def test_flags_failures_and_conversations(browser):
    open_page(browser, f"/console/message/{SEED['conflict']}")
    visible(browser, ".record [data-flag=conflict]")
    open_page(browser, f"/console/message/{SEED['failed']}")
    retry = wait(browser, lambda b: (lambda e: e if e.text else None)(b.find_element(By.CSS_SELECTOR, "[data-field=error-retry]")))
    assert "retry will not help" in retry.text
    assert "opted out" in browser.find_element(By.CSS_SELECTOR, "[data-field=error-meaning]").text
    open_page(browser, f"/console/message/{SEED['in_flight']}")
    visible(browser, ".record")
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-field=error-code]")

    open_page(browser, f"/console/message/{SEED['conversation']}")
    record = visible(browser, f".record[data-sid='{SEED['conversation']}']")
    delivery = {item.get_attribute("data-delivery"): item.find_element(By.TAG_NAME, "strong").text
                for item in record.find_elements(By.CSS_SELECTOR, "[data-delivery]")}
    assert delivery == {"sent": "all", "delivered": "some", "read": "some", "undelivered": "some", "failed": "none"}
    receipts = record.find_elements(By.CSS_SELECTOR, "table.receipts tbody tr")
    assert len(receipts) == 3
    # A receipt's channel message opens its record.
    receipts[0].find_element(By.CSS_SELECTOR, "a.sid").click()
    visible(browser, ".record .timeline")
    assert "/console/message/SM" in browser.current_url

    open_page(browser, "/console/message/SM" + "0" * 32)
    assert "Nothing stored" in visible(browser, ".result [role=alert]").text


def test_an_html_to_shows_as_text(browser):
    open_page(browser, f"/console/message/{SEED['xss']}")
    record = visible(browser, ".record")
    assert record.find_element(By.CSS_SELECTOR, "[data-field=to]").text == XSS
    assert record.find_element(By.CSS_SELECTOR, "[data-field=from]").text == "<b>bold</b>"
    assert not browser.find_elements(By.CSS_SELECTOR, "main img, main b")
    history = record.find_element(By.CSS_SELECTOR, ".history-entry details")
    history.find_element(By.TAG_NAME, "summary").click()
    assert XSS in history.text
    # The latest messages list too.
    open_page(browser, "/console")
    row = visible(browser, "table.recent tbody tr")
    assert XSS in browser.find_element(By.CSS_SELECTOR, "table.recent").text and row
    assert not browser.find_elements(By.CSS_SELECTOR, "main img, main b")
    no_alert(browser)


# ------------------------------------------------------------------ live


def stream_open(browser):
    return wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, ".stream-state").get_attribute("data-connection") == "open",
                message="the live stream did not open")


def row_of(sid):
    return f"#live-rows tr[data-sid='{sid}']"


def test_a_new_callback_appears_on_the_live_page_within_two_seconds(browser):
    open_page(browser, "/console/live")
    stream_open(browser)
    sid = "SM" + secrets.token_hex(16)
    posted = time.monotonic()
    TWILIO.callback(sid, "sent", to="+15550142424")
    visible(browser, row_of(sid), timeout=2)
    assert time.monotonic() - posted < 2

    # Errors only: a delivered message is left out, an undelivered one shown.
    browser.find_element(By.ID, "live-errors").click()
    stream_open(browser)
    assert "onlyErrors=true" in browser.current_url
    delivered, undelivered = "SM" + secrets.token_hex(16), "SM" + secrets.token_hex(16)
    TWILIO.callback(delivered, "delivered", to="+15550142425")
    TWILIO.callback(undelivered, "undelivered", to="+15550142426", ErrorCode=30005)
    visible(browser, row_of(undelivered), timeout=2)
    assert not browser.find_elements(By.CSS_SELECTOR, row_of(delivered))
    assert "30005" in browser.find_element(By.CSS_SELECTOR, row_of(undelivered)).text

    # Status and channel: only failed WhatsApp messages.
    browser.find_element(By.ID, "live-errors").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=status][value=failed]").click()
    stream_open(browser)
    browser.find_element(By.CSS_SELECTOR, "#live-channel option[value=whatsapp]").click()
    stream_open(browser)
    assert "status=failed" in browser.current_url and "channel=whatsapp" in browser.current_url
    sms_failed, whatsapp_failed = "SM" + secrets.token_hex(16), "SM" + secrets.token_hex(16)
    TWILIO.callback(sms_failed, "failed", to="+15550142427", ErrorCode=30007)
    TWILIO.callback(whatsapp_failed, "failed", to="whatsapp:+4915100042", ChannelPrefix="whatsapp", ErrorCode=63016)
    visible(browser, row_of(whatsapp_failed), timeout=2)
    assert not browser.find_elements(By.CSS_SELECTOR, row_of(sms_failed))

    # Pause holds new changes back; resume shows them.
    open_page(browser, "/console/live")
    stream_open(browser)
    pause = browser.find_element(By.ID, "live-pause")
    pause.click()
    assert pause.get_attribute("aria-pressed") == "true"
    held = "SM" + secrets.token_hex(16)
    TWILIO.callback(held, "queued", to="+15550142428")
    wait(browser, lambda b: "1 new" in b.find_element(By.CSS_SELECTOR, ".stream-state").text)
    assert not browser.find_elements(By.CSS_SELECTOR, row_of(held))
    pause.click()
    visible(browser, row_of(held), timeout=2)

    # A realistic minute for the screenshot.
    open_page(browser, "/console/live")
    stream_open(browser)
    burst = [
        (["queued", "sent", "delivered"], "+15550100311", {}),
        (["queued", "sent", "undelivered"], "+15550187312", {"ErrorCode": 30003}),
        (["sent", "delivered", "read"], "whatsapp:+4915112300313", {"ChannelPrefix": "whatsapp", "EventType": "READ"}),
        (["queued", "failed"], "+15550199314", {"ErrorCode": 21610}),
        (["queued", "sent"], "+15550100315", {}),
    ]
    for statuses, to, extra in burst:
        TWILIO.life("SM" + secrets.token_hex(16), statuses, to=to, **extra)
        time.sleep(0.7)
    now = datetime.datetime.now(datetime.timezone.utc)
    TWILIO.events([event("SM" + secrets.token_hex(16), "delivered", now, "+15550100316")])
    wait(browser, lambda b: len(b.find_elements(By.CSS_SELECTOR, "#live-rows tr")) >= 14)
    time.sleep(2.6)  # the highlight of new rows fades
    screenshot(browser, "live", height=LAPTOP[1])
    assert not severe_console_errors(browser)


# ------------------------------------------------------------------ overview


@pytest.mark.parametrize("window, bars", [("1h", 12), ("24h", 24), ("7d", 28)])
def test_the_overview_chart_has_a_bar_per_bucket(browser, window, bars):
    open_page(browser, "/console/overview")
    visible(browser, f"button[data-window='{window}']").click()
    wait(browser, lambda b: b.find_elements(By.CSS_SELECTOR, f"svg.chart[data-window='{window}'], [data-chart=missing]"))
    if browser.find_elements(By.CSS_SELECTOR, "[data-chart=missing]"):
        pytest.fail("this build has no GET /v1/stats/series: the console shows no chart")
    chart = browser.find_element(By.CSS_SELECTOR, "svg.chart")
    assert len(chart.find_elements(By.CSS_SELECTOR, "g.bucket")) == bars
    # The bars hold the messages just played (in the last bucket or two): delivered, and
    # undelivered or failed, drawn as rects with attributes (no style, which the CSP forbids).
    buckets = chart.find_elements(By.CSS_SELECTOR, "g.bucket")
    assert sum(int(bucket.get_attribute("data-delivered")) for bucket in buckets) > 0
    assert sum(int(bucket.get_attribute("data-problems")) for bucket in buckets) > 0
    assert chart.find_elements(By.CSS_SELECTOR, "rect.bar-delivered") and chart.find_elements(By.CSS_SELECTOR, "rect.bar-problems")
    assert not chart.get_attribute("style") and not chart.find_elements(By.CSS_SELECTOR, "[style]")

    cards = {card.get_attribute("data-card"): card.find_element(By.CSS_SELECTOR, ".card-value").text
             for card in browser.find_elements(By.CSS_SELECTOR, "[data-card]")}
    assert int(cards["total"]) >= 30 and cards["rate"].endswith("%")
    errors = browser.find_element(By.CSS_SELECTOR, "table.errors").text
    assert "30003" in errors and "Unreachable destination handset" in errors and "can help" in errors
    assert "queued → sent" in browser.find_element(By.CSS_SELECTOR, "table.latency").text
    if window == "24h":
        screenshot(browser, "overview")
    assert not severe_console_errors(browser)


# ------------------------------------------------------------------ sinks


def sink_row(browser, name):
    return visible(browser, f"table.sinks tr[data-sink='{name}']")


def test_sinks_show_lag_errors_and_dead_letters_and_replay_them(browser):
    open_page(browser, "/console/sinks")
    for name in ("log", "archive", "crm", "warehouse"):
        sink_row(browser, name)
    # The warehouse's receiver is down: its changes wait, retried, and its error says why.
    warehouse = wait(browser, lambda b: (lambda row: row if "waiting" in row.text else None)(sink_row(b, "warehouse")), timeout=20)
    assert "refused" in warehouse.text.lower() or "connect" in warehouse.text.lower(), warehouse.text
    crm = wait(browser, lambda b: (lambda row: row if "410" in row.text else None)(sink_row(b, "crm")), timeout=20)
    dead = int(crm.find_element(By.CSS_SELECTOR, "td[data-label='Dead letters']").text.replace(",", ""))
    assert dead > 0
    assert browser.find_element(By.CSS_SELECTOR, "button.replay[data-sink=log]").get_attribute("disabled") is not None
    screenshot(browser, "sinks", height=LAPTOP[1])

    # Cancelling the confirmation replays nothing.
    browser.find_element(By.CSS_SELECTOR, "button.replay[data-sink=crm]").click()
    dialog = visible(browser, "dialog.confirm[open]")
    assert f"Replay {dead} dead letters to crm?" in dialog.text
    dialog.find_element(By.CSS_SELECTOR, "button[value=cancel]").click()
    wait(browser, lambda b: not b.find_elements(By.CSS_SELECTOR, "dialog.confirm[open]"))
    assert not browser.find_element(By.CSS_SELECTOR, ".replay-outcome").text

    # The receiver still refuses: the replay fails and says so; the dead letters stay.
    browser.find_element(By.CSS_SELECTOR, "button.replay[data-sink=crm]").click()
    visible(browser, "#confirm-replay").click()
    failure = visible(browser, ".replay-outcome [role=alert]", timeout=20)
    assert "still refuses" in failure.text

    # Once it accepts, the replay delivers them all.
    urllib.request.urlopen(urllib.request.Request(RECEIVER + "/control?mode=accept", data=b"", method="POST"), timeout=5)
    visible(browser, "button.replay[data-sink=crm]:not([disabled])").click()
    visible(browser, "#confirm-replay").click()
    outcome = visible(browser, ".replay-outcome .tone-ok", timeout=20)
    assert outcome.text.startswith("crm took ")
    wait(browser, lambda b: b.find_element(By.CSS_SELECTOR, "button.replay[data-sink=crm]").get_attribute("disabled") is not None)
    assert not severe_console_errors(browser)


# ------------------------------------------------------------------ everywhere


def test_the_keyboard_reaches_every_page(browser):
    open_page(browser, "/console")
    visible(browser, "table.recent")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"
    for expected in ("Live", "Overview", "Sinks", "Message"):
        browser.execute_script("document.querySelector('.brand').focus()")
        for _ in range(8):
            if browser.switch_to.active_element.text == expected:
                break
            browser.switch_to.active_element.send_keys(Keys.TAB)
        link = browser.switch_to.active_element
        assert link.tag_name == "a" and link.text == expected
        assert browser.execute_script("return getComputedStyle(document.activeElement).outlineStyle") != "none", \
            "a focused link shows no focus ring"
        link.send_keys(Keys.ENTER)
        path = "/console" if expected == "Message" else f"/console/{expected.lower()}"
        wait(browser, lambda b: b.current_url.split("?")[0] == BASE + path)
        visible(browser, "main h1, main #sid-input")
    # "/" jumps to the search box.
    visible(browser, "table.recent")
    browser.find_element(By.TAG_NAME, "body").send_keys("/")
    assert browser.switch_to.active_element.get_attribute("id") == "sid-input"


def test_unknown_console_paths_get_the_page(browser):
    open_page(browser, "/console/no/such/page")
    assert "no page at" in visible(browser, "main .callout").text
    visible(browser, "#sid-input")


def test_phone_width_and_dark_mode(browser):
    browser.set_window_size(390, 844)
    try:
        for path in (f"/console/message/{SEED['undelivered']}", "/console/live", "/console/overview", "/console/sinks"):
            open_page(browser, path)
            visible(browser, "main h1")
            time.sleep(0.3)
            overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} is wider than a phone by {overflow}px"
    finally:
        browser.set_window_size(*LAPTOP)
    light = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        dark = browser.execute_script("return getComputedStyle(document.body).backgroundColor")
        assert dark != light
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
