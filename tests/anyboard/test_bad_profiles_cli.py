"""A bad board profile given to `clock51-sim run` is one line naming the file, the table
and the field, exit 1, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.frontends.cli import main as sim_main
from tests.anyboard.support import variant

EIGHT = ", ".join(f'"P0.{i}"' for i in range(8))


@pytest.mark.parametrize(("old", "new", "message"), [
    ('e = "P2.2"', 'e = "P2.0"', "lcd.e: P2.0 is already used by lcd.rs"),  # a pin twice
    ("[lcd]", "[oled]", "oled: unknown part type (known parts: lcd, ds1302, ds18b20, keys, "
                        "buzzer, leds, uart; other tables: board, mcu, firmware)"),
    ('rs = "P2.0"\n', "", "lcd.rs: missing field"),                         # a missing pin
    ('data = ["P2.4", "P2.5", "P2.6", "P2.7"]', f"data = [{EIGHT}]",
     "lcd.data: a 4-bit bus takes 4 pins, DB4..DB7, got 8"),
])
def test_a_bad_profile_is_one_line_and_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                              old: str, new: str, message: str) -> None:
    bad = variant(tmp_path, "lcd4", old, new)
    image = tmp_path / "spin.ihx"
    image.write_text(":0200000080FE80\n:00000001FF\n")
    code = sim_main(["run", str(image), "--board", str(bad), "--for", "1", "--headless"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err == f"clock51-sim: error: {bad}: {message}\n"
