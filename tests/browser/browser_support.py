"""What the browser tests share: a free port, a bounded wait, gale on a
free port in a session of its own, and a headless Debian Chromium driven
by chromedriver (selenium), each with a profile of its own."""

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


class Server:
    """gale on a free port, in a process group of its own."""

    def __init__(self, binary, workdir):
        self.port = free_port()
        self.log = open(os.path.join(workdir, "gale.log"), "w")
        self.proc = subprocess.Popen(
            [binary, "--host", "127.0.0.1", "--port", str(self.port),
             "--workers", "2", "--access-log", "off"],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=workdir,
            start_new_session=True)
        self.url = "http://127.0.0.1:%d" % self.port

    def wait_ready(self, timeout=15):
        def healthy():
            if self.proc.poll() is not None:
                raise RuntimeError("gale exited with %s" % self.proc.returncode)
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as r:
                    return r.status == 200
            except OSError:
                return False
        if not wait_until(healthy, timeout, 0.05):
            raise RuntimeError("gale did not become ready")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own group only
                self.proc.wait()
        self.log.close()


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
