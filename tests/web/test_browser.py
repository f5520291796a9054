"""The browser view in a real browser (headless Chromium): what a user sees and does.

Each test starts its own simulated reference clock (`clock51-sim run --web 0`, RTC at
2026-11-24 12:05:31, real time) and drives the page with selenium: clicks, typing, reading
the page's own view of the board (``window.clock51``) and its canvas.
"""

from __future__ import annotations

import base64
import io
import json
import os
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest
from PIL import Image

from tests.e2e.rig import wait_until
from tests.web.conftest import WebSim, wait_for

pytestmark = pytest.mark.browser


def js(driver: Any, script: str) -> Any:
    return driver.execute_script(script)


def state(driver: Any) -> dict[str, Any]:
    return js(driver, "return window.clock51.state")


def frames(driver: Any) -> int:
    return js(driver, "return window.clock51.frames")


def open_page(driver: Any, web: WebSim) -> None:
    driver.get(web.url)
    wait_for(driver, lambda d: js(d, "return !!(window.clock51 && window.clock51.hello"
                                     " && window.clock51.state)"), "the first frame")
    wait_for(driver, lambda d: state(d)["text"][0].startswith("2026-11-24"),
             "the clock showing its date")


def click(driver: Any, element_id: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, element_id).click()


def speed(driver: Any, value: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.CSS_SELECTOR, f'[data-speed="{value}"]').click()
    wait_for(driver, lambda d: state(d)["speed"] == value, f"speed {value}")


def type_line(driver: Any, line: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.ID, "console-input")
    box.send_keys(line)
    box.send_keys(Keys.ENTER)


def console(driver: Any) -> list[dict[str, Any]]:
    return js(driver, "return window.clock51.console")


def reply_to(driver: Any, prefix: str) -> dict[str, Any]:
    return wait_for(driver, lambda d: next((x for x in console(d) if x["dir"] == "<"
                                            and x["text"].startswith(prefix)), None),
                    f"a reply starting {prefix!r}")


def canvas_png(driver: Any) -> Image.Image:
    url = js(driver, "return document.getElementById('lcd').toDataURL('image/png')")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB")


def test_page_loads_with_no_request_leaving_127_0_0_1(browser: Any, web: WebSim) -> None:
    browser.get_log("performance")  # drop what earlier pages logged
    open_page(browser, web)
    urls = []
    for entry in browser.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
        elif msg["method"] == "Network.webSocketCreated":
            urls.append(msg["params"]["url"])
    local = (f"http://127.0.0.1:{web.port}/", f"ws://127.0.0.1:{web.port}/")
    assert any(u.endswith("/static/app.js") for u in urls), urls
    assert f"ws://127.0.0.1:{web.port}/ws" in urls
    inside = ("data:", "chrome://")  # the browser's own resources (a date field's icons)
    strays = [u for u in urls if not u.startswith(local + inside)]
    assert strays == [], f"requests leaving 127.0.0.1: {strays}"


def test_lcd_pixels_on_the_page_match_the_server_side_png(browser: Any, web: WebSim) -> None:
    open_page(browser, web)
    type_line(browser, "ALARM 07:30")  # the bell: a CGRAM glyph
    reply_to(browser, "OK ALARM 07:30 ON")
    wait_for(browser, lambda d: state(d)["lcd"]["dots"][30] != [0] * 8, "the bell on the LCD")
    speed(browser, "pause")
    seen = frames(browser)
    wait_for(browser, lambda d: frames(d) >= seen + 2, "two frames while paused")
    page = canvas_png(browser)
    with urlopen(web.url + "download/lcd.png", timeout=10) as resp:
        png = Image.open(io.BytesIO(resp.read())).convert("RGB")
    assert page.size == png.size == (416, 104)
    a, b = page.tobytes(), png.tobytes()
    pixels = [a[i:i + 3] for i in range(0, len(a), 3)]
    assert pixels.count(bytes((28, 44, 18))) > 300, "the picture shows no characters"
    diff = [i // 3 for i in range(0, len(a), 3) if a[i:i + 3] != b[i:i + 3]]
    assert diff == [], f"{len(diff)} pixels differ, first at {divmod(diff[0], 416)[::-1]}"


def test_clicking_set_then_up_changes_the_year_field(browser: Any, web: WebSim) -> None:
    open_page(browser, web)
    click(browser, "key-SET")
    t0 = state(browser)["t"]
    wait_for(browser, lambda d: state(d)["t"] > t0 + 0.3, "0.3 simulated seconds")
    click(browser, "key-UP")
    wait_for(browser, lambda d: state(d)["text"][0].startswith("2027-11-24"),
             "the year field at 2027")


def test_keyboard_letters_press_the_keys(browser: Any, web: WebSim) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    open_page(browser, web)
    click(browser, "lcd")  # focus on the page, not an input field
    ActionChains(browser).send_keys("m").perform()
    wait_for(browser, lambda d: state(d)["text"][0].startswith("L "), "MODE: the lunar page")


def test_typing_get_in_the_console_shows_ok(browser: Any, web: WebSim) -> None:
    open_page(browser, web)
    type_line(browser, "GET")
    reply = reply_to(browser, "OK 2026-11-24 12:0")
    sent = next(x for x in console(browser) if x["dir"] == ">" and x["text"] == "GET")
    assert 0 < sent["t"] < reply["t"], "simulated timestamps: the request before its reply"
    from selenium.webdriver.common.by import By

    shown = browser.find_element(By.ID, "console-log").text
    assert "> GET" in shown and "< OK 2026-11-24" in shown


def test_pause_stops_simulated_time(browser: Any, web: WebSim) -> None:
    open_page(browser, web)
    speed(browser, "pause")
    paused = state(browser)
    seen = frames(browser)
    wait_for(browser, lambda d: frames(d) >= seen + 5, "five frames while paused")
    assert state(browser)["t"] == paused["t"]
    assert state(browser)["rtc"] == paused["rtc"]
    speed(browser, "1x")
    wait_for(browser, lambda d: state(d)["t"] > paused["t"] + 0.2, "time running again")


def test_speeds_10x_and_max_run_faster_than_real_time(browser: Any, web: WebSim) -> None:
    open_page(browser, web)
    speed(browser, "10x")
    wait_for(browser, lambda d: 3 < state(d)["ratio"] <= 10.6, "about 10x real time")
    speed(browser, "max")
    wait_for(browser, lambda d: state(d)["ratio"] > 10.6, "faster than 10x")
    # Throttled: at most about 10 frames a wall second reach the page, which stays usable.
    seen = frames(browser)
    wait_for(browser, lambda d: frames(d) >= seen + 20, "20 frames at full speed")
    times = js(browser, "return window.clock51.arrivals.slice(-20)")
    rate = 19 / ((times[-1] - times[0]) / 1000)
    assert rate < 12, f"{rate:.1f} frames a second"
    type_line(browser, "INFO")
    reply_to(browser, "OK INFO clock51")


def test_buzzer_indicator_lights_when_the_alarm_rings(browser: Any, web: WebSim) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, web)
    type_line(browser, "ALARM 07:30")
    reply_to(browser, "OK ALARM 07:30 ON")
    js(browser, "document.getElementById('rtc-date').value = '2026-11-24T07:29:57'")
    click(browser, "rtc-set")
    wait_for(browser, lambda d: (state(d)["rtc"] or "").startswith("2026-11-24 07:29:5"),
             "the DS1302 at 07:29:5x")
    lamp = browser.find_element(By.ID, "buzzer")
    assert "on" not in lamp.get_attribute("class").split()
    wait_for(browser, lambda d: "on" in lamp.get_attribute("class").split(),
             "the buzzer lamp")
    assert state(browser)["buzzer"]["on"]
    type_line(browser, "GET")
    reply_to(browser, "OK 2026-11-24 07:3")
    save_screenshot(browser)


def save_screenshot(driver: Any) -> None:
    """The page as a user sees it; copied to $CLOCK51_WEB_SCREENSHOT when set (the README's
    docs/web.png is made that way)."""
    target = os.environ.get("CLOCK51_WEB_SCREENSHOT")
    driver.execute_script("window.scrollTo(0, 0)")  # the page's top, whatever has focus
    png = driver.get_screenshot_as_png()
    assert Image.open(io.BytesIO(png)).size[0] > 400
    if target:
        Path(target).write_bytes(png)


def test_two_tabs_see_the_same_state(browser: Any, web: WebSim) -> None:
    open_page(browser, web)
    first = browser.current_window_handle
    browser.switch_to.new_window("tab")
    second = browser.current_window_handle
    open_page(browser, web)
    speed(browser, "pause")  # in the second tab
    browser.switch_to.window(first)
    wait_for(browser, lambda d: state(d)["speed"] == "pause", "the first tab paused too")
    seen = frames(browser)
    wait_for(browser, lambda d: frames(d) >= seen + 2, "frames in the first tab")
    one = state(browser)
    picture = canvas_png(browser).tobytes()
    browser.switch_to.window(second)
    two = state(browser)
    assert (one["cycle"], one["text"], one["rtc"]) == (two["cycle"], two["text"], two["rtc"])
    assert canvas_png(browser).tobytes() == picture
    speed(browser, "1x")
    click(browser, "key-MODE")  # pressed in the second tab ...
    browser.close()  # ... which then goes away
    browser.switch_to.window(first)
    wait_for(browser, lambda d: state(d)["text"][0].startswith("L "),
             "the first tab showing the lunar page")
    t = state(browser)["t"]
    wait_for(browser, lambda d: state(d)["t"] > t + 0.5, "the board running on")


def test_power_cycle_restarts_the_firmware_and_keeps_the_time(browser: Any,
                                                              web: WebSim) -> None:
    open_page(browser, web)
    banners = lambda d: sum(1 for x in console(d) if x["text"] == "clock51 READY")  # noqa: E731
    wait_for(browser, lambda d: banners(d) == 1, "the boot banner")
    before = state(browser)["rtc"]
    click(browser, "power")
    wait_for(browser, lambda d: banners(d) == 2, "a second banner")
    wait_for(browser, lambda d: state(d)["text"][0].startswith("2026-11-24"),
             "the date back on the LCD")
    assert state(browser)["rtc"] >= before


def test_the_backlight_goes_dark_while_the_display_is_off(browser: Any, web: WebSim) -> None:
    open_page(browser, web)
    lit = canvas_png(browser).getpixel((0, 0))
    assert lit == (150, 190, 40)
    speed(browser, "pause")
    click(browser, "power")  # the LCD restarts with its display off; paused, it stays so
    wait_for(browser, lambda d: not state(d)["lcd"]["on"], "the display off")
    wait_for(browser, lambda d: canvas_png(d).getpixel((0, 0)) != lit, "the backlight off")
    assert canvas_png(browser).getpixel((0, 0)) == (52, 64, 30)
    speed(browser, "1x")
    wait_for(browser, lambda d: canvas_png(d).getpixel((0, 0)) == lit, "the backlight on")


def test_downloads_give_the_picture_the_waveforms_and_the_rtc_state(
        web: WebSim, tmp_path: Path) -> None:
    from sim.machine.board import Board

    def simulated() -> float:
        with urlopen(web.url + "api/state", timeout=10) as resp:
            return json.loads(resp.read())["t"]

    wait_until(lambda: simulated() >= 0.5, 30, "the boot's LCD and DS1302 traffic")
    with urlopen(web.url + "download/lcd.png", timeout=10) as resp:
        assert resp.headers["Content-Type"] == "image/png"
        assert Image.open(io.BytesIO(resp.read())).size == (416, 104)
    with urlopen(web.url + "download/session.vcd", timeout=10) as resp:
        vcd = resp.read().decode()
    assert "$timescale" in vcd and "lcd_e" in vcd and "ds1302_sclk" in vcd
    assert vcd.count("\n#") > 10, "value changes recorded"
    with urlopen(web.url + "download/rtc-state.json", timeout=10) as resp:
        saved = tmp_path / "rtc.json"
        saved.write_bytes(resp.read())
    board = Board("reference", bytes(8))
    board.load_rtc_state(saved)
    assert str(board.rtc.datetime_at(0)).startswith("2026-11-24 12:0")



def test_the_temperature_control_appears_and_changes_the_lcd(browser: Any, web: WebSim) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, web)
    control = browser.find_element(By.ID, "temp-control")
    assert js(browser, "return window.clock51.hello.thermometer") is True
    wait_for(browser, lambda d: control.is_displayed(), "the DS18B20 control")
    wait_for(browser, lambda d: d.find_element(By.ID, "temp-now").text == "20 \u00b0C",
             "the sensor's temperature")
    box = browser.find_element(By.ID, "temp-value")
    box.clear()
    box.send_keys("-7.5")
    click(browser, "temp-set")
    wait_for(browser, lambda d: any("-7.5" in row for row in state(d)["text"]),
             "-7.5 on the LCD")
    assert browser.find_element(By.ID, "temp-now").text == "-7.5 \u00b0C"
    box.clear()
    box.send_keys("300")
    click(browser, "temp-set")
    wait_for(browser, lambda d: any("outside the DS18B20's range" in e
                                    for e in js(d, "return window.clock51.errors")),
             "the refusal of 300 C")
    click(browser, "temp-up")
    wait_for(browser, lambda d: any("-7.0" in row for row in state(d)["text"]),
             "-7.0 on the LCD after +0.5")
