"""The browser view of a board that is not the clock (headless Chromium): a 20x4 LCD and
LEDs with nothing else (tests/anyboard), and the broken datasheet rules of a board whose
reset pin is tied low."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.anyboard.support import BOARDS, PROGRAMS, variant
from tests.buildsupport import sdcc_build
from tests.e2e.rig import read_line_before
from tests.web.conftest import ROOT, START_TIMEOUT_S, WebSim, wait_for

pytestmark = pytest.mark.browser


def start(image: Path, board: Path) -> WebSim:
    cmd = [sys.executable, "-m", "sim", "run", str(image), "--board", str(board),
           "--web", "0", "--headless"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = read_line_before(proc, time.monotonic() + START_TIMEOUT_S)
        assert line.startswith("web: http://127.0.0.1:"), line
    except BaseException:
        WebSim(proc, "", 0).stop()
        raise
    url = line.removeprefix("web: ")
    return WebSim(proc, url, int(url.rsplit(":", 1)[1].strip("/")))


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("programs")
    return {n: sdcc_build(PROGRAMS / f"{n}.c", out / n) for n in ("lcd_leds", "lcd4_early")}


@pytest.fixture
def leds_board(images: dict[str, Path]) -> Iterator[WebSim]:
    sim = start(images["lcd_leds"], BOARDS / "lcd_leds.toml")
    yield sim
    assert sim.stop() == 130


def js(driver: Any, script: str) -> Any:
    return driver.execute_script(script)


def test_a_20x4_lcd_and_blinking_leds_without_keys_clock_or_console(
        browser: Any, leds_board: WebSim) -> None:
    browser.get(leds_board.url)
    wait_for(browser, lambda d: js(d, "return !!(window.clock51.hello && "
                                      "window.clock51.state)"), "the first frame")
    wait_for(browser, lambda d: js(d, "return window.clock51.state.text[3]")
             .startswith("row 4"), "the fourth row")
    h = js(browser, "return window.clock51.hello")
    g = h["geometry"]
    assert (g["columns"], g["rows"]) == (20, 4)
    assert js(browser, "return [document.getElementById('lcd').width, "
                       "document.getElementById('lcd').height]") == [g["width"], g["height"]]
    hidden = js(browser, "return ['buzzer-box', 'keys-hint', 'rtc-control', 'console', "
                         "'temp-control'].map(i => document.getElementById(i).hidden)")
    assert hidden == [True] * 5
    seen = set()
    for _ in range(40):  # D1 blinks every 100 ms: the lamp goes on and off
        seen.add(js(browser, "return document.getElementById('led-D1').className"))
        time.sleep(0.05)
    assert seen == {"lamp", "lamp on"}
    assert js(browser, "return document.getElementById('led-D3').className") == "lamp on"
    assert js(browser, "return document.getElementById('violation-count').textContent") \
        == "0"


def test_broken_rules_are_listed_on_the_page(browser: Any, images: dict[str, Path],
                                             tmp_path: Path) -> None:
    board = variant(tmp_path, "lcd4", "xram_size = 256", "xram_size = 256\nreset_ms = 0")
    sim = start(images["lcd4_early"], board)
    try:
        browser.get(sim.url)
        count = wait_for(browser, lambda d: int(js(
            d, "return document.getElementById('violation-count').textContent") or 0),
            "a violation")
        assert count > 0
        log = js(browser, "return document.getElementById('violation-log').textContent")
        assert ": lcd: busy-write: instruction 0x3F sent" in log
        assert "(datasheet: wait > 15 ms after VCC reaches 4.5 V" in log
    finally:
        assert sim.stop() == 130
