"""What the browser tests share: a headless Debian Chromium driven by
chromedriver (selenium), each with a profile of its own, and what every
python test shares (tests/support/gale_process.py: a free port, a bounded
wait, gale on a free port in a session of its own, the PASS/FAIL tally)."""

import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "support"))
# Re-exported: the browser tests take them from here.
from gale_process import (Results, Server,  # noqa: E402,F401
                          have_system_module, wait_until)


def find(names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def new_browser(workdir, index):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = find(["chromium", "chromium-browser"])
    profile = os.path.join(workdir, "profile-%d" % index)
    for flag in ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-quic", "--no-first-run",
                 "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=420,720",
                 "--user-data-dir=" + profile]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=find(["chromedriver"]),
                      log_path=os.path.join(workdir, "driver-%d.log" % index))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_script_timeout(15)
    driver.set_page_load_timeout(15)
    return driver
