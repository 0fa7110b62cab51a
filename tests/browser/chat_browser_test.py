#!/usr/bin/env python3
"""The chat page (SPEC §3 GET /chat/) in a real browser.

Starts gale (or gale-test) on a free port with two workers, opens /chat/ in
two independent headless Chromium sessions (separate profiles: separate
cookies, caches and connections), and checks that
  - a message typed in one appears in the other within a second, both ways;
  - a body that looks like HTML (<img src=x onerror=alert(1)>) is shown as
    text: no <img> element, no alert;
  - the browser console has no errors;
and saves a screenshot. Then the same again with XSRF protection on
(--app-xsrf-cookies): the page's script must send the _xsrf cookie's
token with every POST, or nothing is posted at all.

Usage: chat_browser_test.py GALE_BINARY [SCREENSHOT.png]
  (or GALE_BINARY / GALE_CHAT_SCREENSHOT in the environment). Needs Debian's
  chromium, chromium-driver and python3-selenium; nothing is downloaded.
Prints "N passed, N failed"; exits 1 on any failure, 77 when the browser
is missing (ctest's SKIP_RETURN_CODE). Every process it starts is stopped
by its pid.
"""

import os
import shutil
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

SKIP = 77
XSS = "<img src=x onerror=alert(1)>"


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser_support import (Results, Server, find,  # noqa: E402
                             have_system_module, new_browser, wait_until)


def message_texts(driver):
    from selenium.webdriver.common.by import By
    return [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#messages li")]


def send_message(driver, text):
    from selenium.webdriver.common.by import By
    box = driver.find_element(By.ID, "body")
    box.send_keys(text)
    driver.find_element(By.ID, "send").click()


def post_status(url, body):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body),
                                    timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def appears_within(driver, text, seconds):
    start = time.monotonic()
    ok = wait_until(lambda: text in message_texts(driver), seconds)
    return ok, time.monotonic() - start


def run(binary, screenshot, results, args=()):
    workdir = tempfile.mkdtemp(prefix="gale-browser-")
    server = Server(binary, workdir, args=args)
    drivers = []
    try:
        server.wait_ready()
        drivers = [new_browser(workdir, 0), new_browser(workdir, 1)]
        alice, bob = drivers
        for d in drivers:
            d.get(server.url + "/chat/")
        results.check("page title", all(d.title == "gale chat" for d in drivers))
        if "--app-xsrf-cookies" in args:
            results.check("a POST without the token is refused (403)",
                          post_status(server.url + "/chat/new",
                                      b"body=forged") == 403)
            results.check("each page has its _xsrf cookie",
                          all(d.get_cookie("_xsrf") for d in drivers))
        time.sleep(0.3)  # both pages have their first poll waiting

        send_message(alice, "hello from alice")
        ok, took = appears_within(bob, "hello from alice", 1.0)
        results.check("alice -> bob within 1 s", ok, "%.3f s" % took)
        ok, took = appears_within(alice, "hello from alice", 1.0)
        results.check("alice sees her own message", ok, "%.3f s" % took)

        send_message(bob, "hi alice, bob here")
        ok, took = appears_within(alice, "hi alice, bob here", 1.0)
        results.check("bob -> alice within 1 s", ok, "%.3f s" % took)

        send_message(alice, XSS)
        ok, _ = appears_within(bob, XSS, 1.0)
        from selenium.webdriver.common.by import By
        images = bob.find_elements(By.CSS_SELECTOR, "#messages img")
        results.check("HTML body is shown as text", ok and not images,
                      "texts=%r images=%d" % (message_texts(bob), len(images)))
        time.sleep(0.2)  # an injected onerror would have fired by now
        alerts = []
        for d in drivers:
            try:
                alerts.append(d.switch_to.alert.text)
            except Exception:
                pass
        results.check("no alert", not alerts, repr(alerts))

        same = message_texts(alice) == message_texts(bob)
        results.check("both pages list the same messages in the same order",
                      same, "%r vs %r" % (message_texts(alice),
                                          message_texts(bob)))

        errors = []
        for d in drivers:
            errors += [e for e in d.get_log("browser")
                       if e.get("level") == "SEVERE"]
        results.check("no console errors", not errors, repr(errors))

        if screenshot:
            alice.save_screenshot(screenshot)
            results.check("screenshot saved", os.path.getsize(screenshot) > 0)
    except Exception:
        traceback.print_exc()
        results.check("the run completed", False)
    finally:
        for d in drivers:
            try:
                d.quit()
            except Exception:
                pass
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("GALE_BINARY")
    screenshot = (sys.argv[2] if len(sys.argv) > 2
                  else os.environ.get("GALE_CHAT_SCREENSHOT"))
    if not binary:
        print(__doc__)
        return 2
    if not have_system_module("selenium"):
        print("SKIP: python3-selenium is not installed")
        return SKIP
    if not find(["chromium", "chromium-browser"]) or not find(["chromedriver"]):
        print("SKIP: chromium or chromium-driver is not installed")
        return SKIP
    if screenshot:
        screenshot = os.path.abspath(screenshot)
        os.makedirs(os.path.dirname(screenshot), exist_ok=True)
    results = Results()
    run(os.path.abspath(binary), screenshot, results)
    print("-- with XSRF protection on (--app-xsrf-cookies)", flush=True)
    xsrf = Results()
    run(os.path.abspath(binary), None, xsrf, args=["--app-xsrf-cookies"])
    results.passed += xsrf.passed
    results.failed += xsrf.failed
    return results.finish()


if __name__ == "__main__":
    sys.exit(main())
