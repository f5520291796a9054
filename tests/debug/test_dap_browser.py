"""The browser view while the debugger holds the board, in headless Chromium: the page says
where the program is stopped, the LCD and the simulated time stand still, and it goes on
when the debugger continues. ``CLOCK51_DAP_SCREENSHOT=docs/debug-stopped.png`` saves the
page (the README's picture is made that way)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.debug.dapclient import DapClient
from tests.debug.dapsim import start_dap_sim
from tests.debug.test_dap_firmware import SRC, line_of
from tests.web.conftest import browser, wait_for  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.browser


def page_state(driver: Any) -> dict:
    return driver.execute_script("return window.clock51 && window.clock51.state") or {}


def test_the_page_shows_the_stopped_program_and_time_stands_still(browser: Any,  # noqa: F811
                                                                   debug_firmware: Path):
    sim = start_dap_sim(None, "--web", "0", "--serial", "tcp:0")
    try:
        c = DapClient(sim.port)
        c.start("attach")
        line = line_of("clock.c", "if (s == last_sec_raw)")
        c.request("setBreakpoints", source={"path": str(SRC / "clock.c")},
                  breakpoints=[{"line": line, "condition": "s != last_sec_raw"}])
        c.request("configurationDone")
        browser.get(sim.web)
        c.stopped("breakpoint")
        banner = wait_for(browser, lambda d: d.find_element("id", "debug").text,
                          "the debugger's line on the page")
        assert banner.startswith(f"debugger: stopped at clock_poll (clock.c:{line}), PC 0x")
        assert banner.endswith(": breakpoint")
        t = page_state(browser)["t"]
        wait_for(browser, lambda d: page_state(d)["frame"] > 3, "more frames")
        assert page_state(browser)["t"] == t  # frames keep coming; simulated time does not
        if os.environ.get("CLOCK51_DAP_SCREENSHOT"):
            browser.set_window_size(1100, 760)
            Path(os.environ["CLOCK51_DAP_SCREENSHOT"]).write_bytes(
                browser.get_screenshot_as_png())
        c.request("setBreakpoints", source={"path": str(SRC / "clock.c")}, breakpoints=[])
        c.request("continue", threadId=1)
        wait_for(browser, lambda d: not d.find_element("id", "debug").is_displayed(),
                 "the line to go")
        wait_for(browser, lambda d: page_state(d)["t"] > t + 0.5, "time to run again")
        c.close()
    finally:
        sim.stop()
