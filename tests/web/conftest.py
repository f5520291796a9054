"""Browser-view fixtures: `clock51-sim run --web` as a subprocess, headless Chromium.

The simulator is started exactly as a user would (``--web 0``: any free port, read back from
the ``web: http://127.0.0.1:PORT/`` line) and stopped with Ctrl-C (SIGINT, exit 130).
Chromium is Debian's ``chromium`` + ``chromium-driver`` (tools/bootstrap.sh installs them),
driven by selenium with the paths given, so nothing is ever downloaded; the browser has a
fresh profile and everything that talks to the network by itself switched off. The browser
tests are skipped, with that reason, only where those two packages are not installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.rig import read_line_before

ROOT = Path(__file__).resolve().parents[2]
START_RTC = "2026-11-24 12:05:31"
START_TIMEOUT_S = 30.0
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
NO_BROWSER = ("Debian's chromium and chromium-driver are not installed "
              "(tools/bootstrap.sh installs them: apt-get install chromium chromium-driver)")


@dataclass
class WebSim:
    proc: subprocess.Popen[str]
    url: str  # http://127.0.0.1:PORT/
    port: int

    def stop(self) -> int:
        """Ctrl-C, as a user ends it; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:  # say where it hangs (-X faulthandler)
                self.proc.send_signal(signal.SIGABRT)
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=10)
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise AssertionError(f"no exit 15 s after Ctrl-C:\n{err[-6000:]}") from None
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return self.proc.returncode

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"


def start_web(image: Path, *extra: str, rtc: str = START_RTC, port: int = 0) -> WebSim:
    cmd = [sys.executable, "-X", "faulthandler", "-m", "sim", "run", str(image),
           "--board", "reference", "--rtc", rtc, "--web", str(port), "--headless", *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = read_line_before(proc, time.monotonic() + START_TIMEOUT_S)
        assert line.startswith("web: http://127.0.0.1:"), line
        url = line.removeprefix("web: ")
        port = int(url.rsplit(":", 1)[1].strip("/"))
    except BaseException:
        WebSim(proc, "", 0).stop()
        raise
    return WebSim(proc, url, port)


@pytest.fixture
def web(firmware: dict[str, Path]) -> Iterator[WebSim]:
    """A reference clock at START_RTC with its browser view, stopped after the test."""
    running = start_web(firmware["reference"])
    try:
        yield running
    finally:
        code = running.stop()
        assert code == 130, f"the simulator ended with {code}, not 130 (Ctrl-C)"


def chrome_options(profile: Path) -> Any:
    from selenium import webdriver

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM or ""
    for arg in ("--headless=new", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--disable-default-apps",
                "--disable-extensions", "--disable-dev-shm-usage",
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows", "--window-size=1400,1000",
                f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    if os.geteuid() == 0:
        opts.add_argument("--no-sandbox")
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    return opts


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One headless Chromium for the module (a fresh profile; skipped without chromium)."""
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(NO_BROWSER)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    # Both paths given: selenium runs no Selenium Manager, so nothing is ever fetched.
    driver = webdriver.Chrome(options=chrome_options(profile),
                              service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(driver: Any, predicate: Callable[[Any], Any], what: str,
             timeout: float = 30.0) -> Any:
    """Poll ``predicate(driver)`` until it is truthy; its value."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.05).until(predicate)
    except TimeoutException:
        state = driver.execute_script("return window.clock51 && window.clock51.state")
        raise AssertionError(f"timed out after {timeout} s waiting for {what}; "
                             f"last state: {state and state.get('text')}") from None
