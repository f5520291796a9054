"""Call relaxation at the link (firmware/platform/builder/relax.py, README "Call relaxation"):
LCALL/LJMP to a target in the same 2 KB page become ACALL/AJMP, nothing else changes.

The firmware's relaxed image is compared with the plain link of the same objects
(``CLOCK51_RELAX=0``): every LCALL/LJMP SDCC wrote is, in the relaxed image, either the same
long instruction or an ACALL/AJMP, and decoded from the image's bytes it reaches the same
place (the plain link's target moved to its relaxed address); the image is smaller by one
byte for each one shortened. The plain link of the drift firmware does not fit 8 KB (that is
what the relaxation is for), so it is linked with a copy of the reference profile whose code
limit is 64 KB. A small program of our own has the cases the firmware lacks: a
call pushed out of its page by the shortening before it, a jump table, `.` arithmetic.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from intelhex import IntelHex

from tests.buildsupport import BUILD_DIR, ROOT, profile_variant, run_pio

RELAX_PY = ROOT / "firmware" / "platform" / "builder" / "relax.py"
LONG = {0x12: "lcall", 0x02: "ljmp"}


def _relax_module():
    spec = importlib.util.spec_from_file_location("clock51_relax", RELAX_PY)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod    # (its dataclasses look their module up)
    spec.loader.exec_module(mod)
    return mod


def listings(src: Path) -> dict[tuple[str, int], tuple[int, str, bool]]:
    """(module, asm line) -> (linked address, source text, whether it holds bytes) of the
    lines the linker placed, read from its relocated listings (src/*.rst)."""
    out = {}
    for rst in sorted(src.glob("*.rst")):
        for line in rst.read_text(errors="replace").splitlines():
            # address in columns 6-11, the asm line number right-aligned in 34-38
            m = re.match(r" {6}([0-9A-F]{6}) (.{21})([ \d]{4}\d)(?: (.*))?$", line)
            if m:
                out[(rst.stem, int(m.group(3)))] = (int(m.group(1), 16), m.group(4) or "",
                                                    bool(m.group(2).strip()))
    return out


def map_symbols(path: Path) -> dict[str, int]:
    return {name: int(addr, 16) for addr, name in
            re.findall(r"^\s*[A-Z]:\s+([0-9A-F]+)\s+(\S+)", path.read_text(), re.M)}


def code_size(build: Path) -> int:
    m = re.search(r"ROM/EPROM/FLASH\s+\S+\s+\S+\s+(\d+)", (build / "firmware.mem").read_text())
    assert m
    return int(m.group(1))


def decode(image: IntelHex, addr: int) -> tuple[str, int, int] | None:
    """(mnemonic, length, target) of the call or jump at ``addr``, None if it is neither."""
    op = image[addr]
    if op in LONG:
        return LONG[op], 3, image[addr + 1] << 8 | image[addr + 2]
    if op & 0x1F in (0x11, 0x01):
        target = ((addr + 2) & 0xF800) | (op & 0xE0) << 3 | image[addr + 1]
        return ("acall" if op & 0x10 else "ajmp"), 2, target
    return None


@pytest.fixture(scope="module")
def roomy_reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference profile with a 64 KB code limit (for links of the objects as SDCC made
    them: the plain link of every feature is over 8 KB)."""
    return profile_variant(tmp_path_factory.mktemp("roomy"), "code_size = 8192",
                           "code_size = 65536")


@pytest.fixture(scope="module")
def plain_reference(firmware: dict[str, Path], roomy_reference: Path,
                    tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference firmware linked as SDCC made it (CLOCK51_RELAX=0): its build folder."""
    build = tmp_path_factory.mktemp("plain")
    run_pio("run", "-e", "reference",
            env={"CLOCK51_RELAX": "0", "PLATFORMIO_BUILD_DIR": str(build),
                 "CLOCK51_PROFILE": str(roomy_reference)})
    return build / "reference"


def moved_addresses(plain_dir: Path, relaxed_dir: Path) -> dict[int, int]:
    """Where each label and instruction of the plain link is in the relaxed one (the
    modules' lines from their listings, the library's code from the maps)."""
    r_lines, p_lines = listings(relaxed_dir / "src"), listings(plain_dir / "src")
    assert r_lines.keys() == p_lines.keys()
    # instructions only: a label at the end of an area shares its address with what the
    # linker puts next, from another module or the library
    moved = {p_lines[k][0]: r_lines[k][0] for k in p_lines if p_lines[k][2]}
    r_map = map_symbols(relaxed_dir / "firmware.map")
    for name, addr in map_symbols(plain_dir / "firmware.map").items():
        if not name.startswith(("s_", "l_")):   # (area starts and lengths)
            moved.setdefault(addr, r_map[name])
    return moved


def test_the_relaxed_image_reaches_every_target_of_the_plain_link_and_is_smaller(
        firmware: dict[str, Path], plain_reference: Path) -> None:
    relaxed_dir = BUILD_DIR / "reference"
    relaxed, plain = IntelHex(str(firmware["reference"])), IntelHex(
        str(plain_reference / "firmware.ihx"))
    r_lines, p_lines = listings(relaxed_dir / "src"), listings(plain_reference / "src")
    moved = moved_addresses(plain_reference, relaxed_dir)
    shortened = kept = 0
    for key, (p_addr, text, _) in p_lines.items():
        words = text.split()
        if not words or words[0].lower() not in ("lcall", "ljmp"):
            continue
        p_op = decode(plain, p_addr)
        assert p_op and p_op[0] == words[0].lower(), (key, text)
        r_addr = r_lines[key][0]
        r_op = decode(relaxed, r_addr)
        assert r_op is not None, (key, text, hex(r_addr))
        name, length, target = r_op
        assert name in {"lcall": ("lcall", "acall"), "ljmp": ("ljmp", "ajmp")}[p_op[0]], key
        # decoded from the bytes, an ACALL/AJMP reaches its page only: the same place as the
        # plain link's LCALL/LJMP means it is not out of its page
        assert target == moved[p_op[2]], (key, text, hex(r_addr), hex(target))
        if length == 2:
            shortened += 1
        else:
            kept += 1
    assert shortened > 100 and kept > 0
    assert code_size(plain_reference) - code_size(relaxed_dir) == shortened
    assert relaxed.maxaddr() < plain.maxaddr()
    # SDCC's .asm are left as they were (the relaxed copies are under relax/)
    asm = (relaxed_dir / "src" / "clock.asm").read_text()
    assert "\tacall\t" not in asm and "\tlcall\t" in asm
    banner = (relaxed_dir / "relax" / "src" / "clock.asm").read_text().splitlines()[0]
    assert banner.startswith("; DO NOT EDIT: clock.asm")


def test_the_interrupt_vectors_stay_in_their_slots_and_reach_their_handlers(
        firmware: dict[str, Path], plain_reference: Path) -> None:
    relaxed = IntelHex(str(firmware["reference"]))
    plain = IntelHex(str(plain_reference / "firmware.ihx"))
    moved = moved_addresses(plain_reference, BUILD_DIR / "reference")
    assert relaxed[0x0000] == plain[0x0000] == 0x02   # reset: LJMP (a .ds pads its slot)
    assert relaxed[0x000B] == plain[0x000B] == 0x02   # timer 0 (the 5 ms tick), padded too
    for vector in (0x00, 0x03, 0x0B, 0x13, 0x1B, 0x23, 0x2B):
        if plain[vector] == 0x32:   # RETI: unused
            assert relaxed[vector] == 0x32
            continue
        p_op, r_op = decode(plain, vector), decode(relaxed, vector)
        assert p_op and r_op and r_op[2] == moved[p_op[2]], hex(vector)
    # the last vector (timer 2, the buzzer) has no slot after it: it may be short
    assert decode(relaxed, 0x2B)[:2] == ("ajmp", 2)


def test_custom_relax_no_in_an_env_links_sdccs_objects_as_they_are(
        plain_reference: Path, roomy_reference: Path, tmp_path: Path) -> None:
    ini = (ROOT / "platformio.ini").read_text()
    assert "[env:reference]\n" in ini
    conf = tmp_path / "platformio.ini"
    conf.write_text(ini.replace("[env:reference]\n", "[env:reference]\ncustom_relax = no\n"))
    proc = run_pio("run", "-c", str(conf), "-e", "reference",
                   env={"PLATFORMIO_BUILD_DIR": str(tmp_path / "build"),
                        "CLOCK51_PROFILE": str(roomy_reference)})
    assert "relax:" not in proc.stdout
    build = tmp_path / "build" / "reference"
    assert (build / "firmware.ihx").read_bytes() == (plain_reference / "firmware.ihx").read_bytes()
    assert not (build / "relax").exists()


@pytest.mark.parametrize(("switch", "value"), [("CLOCK51_RELAX", "maybe"),
                                               ("CLOCK51_RELAX_ORDER", "sometimes")])
def test_a_bad_relax_switch_fails_the_build_with_one_line(tmp_path: Path, switch: str,
                                                          value: str) -> None:
    proc = run_pio("run", "-e", "reference", check=False,
                   env={switch: value, "PLATFORMIO_BUILD_DIR": str(tmp_path)})
    assert proc.returncode != 0
    errors = [ln for ln in (proc.stdout + proc.stderr).splitlines() if ln.startswith("error:")]
    assert errors == [f"error: {switch} = '{value}': expected yes or no"]


# A program of our own: calls before a function that starts at 0x0800 in the plain link,
# whose own call reaches past the page boundary; a jump table after its JMP @A+DPTR, and one
# before it (found by its label loaded into DPTR); a jump over a call by `.+5`.
PROGRAM = """
void near1(void) __naked { __asm__("ret"); }
void far_table(void) __naked
{
    __asm
tbl_far:
        ljmp    _near1
        ljmp    _near1
    __endasm;
}
void calls(void) __naked
{
    __asm
        lcall   _near1
        lcall   _near1
        lcall   _near1
        mov     a,r7
        add     a,r7
        add     a,r7
        mov     dptr,#00110$
        jmp     @a+dptr
00110$:
        ljmp    _near1
        ljmp    _near1
    __endasm;
}
void dotted(void) __naked
{
    __asm
        sjmp    .+5
        lcall   _near1
        ret
    __endasm;
}
void tabled(void) __naked
{
    __asm
        mov     a,r7
        add     a,r7
        add     a,r7
        mov     dptr,#tbl_far
        jmp     @a+dptr
    __endasm;
}
void pad(void) __naked { __asm__(".ds PAD"); }
void edge(void) __naked { __asm__("lcall _far1\\n ret\\n .ds 0x100"); }
void far1(void) __naked { __asm__("ret"); }
void main(void) { calls(); dotted(); tabled(); edge(); for (;;) ; }
"""


def _build(tmp_path: Path, pad: int, relax: bool) -> Path:
    src = tmp_path / "case.c"
    src.write_text(PROGRAM.replace("PAD", hex(pad)))
    subprocess.run(["sdcc", "-mmcs51", "-c", str(src), "-o", str(tmp_path / "case.rel")],
                   check=True, capture_output=True)
    link = ["sdcc", "-mmcs51", "--code-size", "8192", "-o", str(tmp_path / "case.ihx"),
            str(tmp_path / "case.rel")]
    if relax:
        assert _relax_module().main(["--", *link]) == 0
    else:
        subprocess.run(link, check=True, capture_output=True)
    return tmp_path / "case.ihx"


def test_a_call_the_shortening_moves_out_of_its_page_is_long_again_and_tables_stay_long(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = map_symbols(_build(tmp_path, 0x10, relax=False).with_suffix(".map"))
    pad = 0x10 + 0x800 - first["_edge"]
    symbols = map_symbols(_build(tmp_path, pad, relax=False).with_suffix(".map"))
    assert symbols["_edge"] == 0x800    # plain: its LCALL could be an ACALL
    image = IntelHex(str(_build(tmp_path, pad, relax=True)))
    assert "relax:" in capsys.readouterr().out
    symbols = map_symbols(tmp_path / "case.map")
    a = symbols["_calls"]
    for i in range(3):      # the three calls are short, and reach near1
        assert decode(image, a + 2 * i) == ("acall", 2, symbols["_near1"])
    table = a + 6 + 3 + 1 + 3   # after MOV A,R7; ADD A,R7 x2; MOV DPTR,#; JMP @A+DPTR
    assert image[table - 1] == 0x73
    assert decode(image, table) == ("ljmp", 3, symbols["_near1"])
    assert decode(image, table + 3) == ("ljmp", 3, symbols["_near1"])
    t = symbols["_far_table"]
    assert decode(image, t) == ("ljmp", 3, symbols["_near1"])
    assert decode(image, t + 3) == ("ljmp", 3, symbols["_near1"])
    d = symbols["_dotted"]
    assert decode(image, d + 2) == ("lcall", 3, symbols["_near1"])   # `.+5` jumps over it
    # edge moved down below 0x800 (the three calls, and the start-up's jumps, shorter):
    # written short its next address would be in page 0, far1 in page 1, so it is an
    # LCALL again
    assert symbols["_edge"] + 2 < 0x800 <= symbols["_far1"]
    assert decode(image, symbols["_edge"]) == ("lcall", 3, symbols["_far1"])


def test_a_layout_the_loop_misjudges_falls_back_to_the_plain_link_with_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Should the loop ever judge a site in page that sdld or the final check refuses (the
    loop reads addresses from links that moved since), the build still gets an image: the
    plain link, byte for byte, and one warning line, never a failed or a wrong link."""
    first = map_symbols(_build(tmp_path, 0x10, relax=False).with_suffix(".map"))
    pad = 0x10 + 0x800 - first["_edge"]
    plain = _build(tmp_path, pad, relax=False).read_bytes()
    relax = _relax_module()

    def everything_fits(self, short, listings, symbols):  # type: ignore[no-untyped-def]
        return {(i, site.line): True for i, mod in self.modules.items() for site in mod.sites}

    monkeypatch.setattr(relax.Relaxer, "_fits", everything_fits)
    src = tmp_path / "case.c"
    link = ["sdcc", "-mmcs51", "--code-size", "8192", "-o", str(tmp_path / "case.ihx"),
            str(tmp_path / "case.rel")]
    assert src.exists()
    assert relax.main(["--", *link]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: relax: ") == 1 and "linked without relaxation" in err
    assert (tmp_path / "case.ihx").read_bytes() == plain


def test_a_site_whose_operand_byte_ends_a_page_stays_long() -> None:
    """sdld checks an ACALL/AJMP's target against the page of its operand byte, the CPU
    against the address after it: written short at 0x07FE, both differ (0x07FF, 0x0800),
    so such a site stays long whatever its target."""
    relax = _relax_module()
    site = relax.Site(1, "acall", "_far", 0)
    mod = relax.Module(rel="a.rel", asm="a.asm", work_rel="w.rel", lines=[], sites=[site])

    class Loop:
        modules = {0: mod}

    def fits(addr: int, target: int) -> bool:
        return relax.Relaxer._fits(Loop(), {(0, 1)}, {0: {1: addr}}, {"_far": target})[(0, 1)]

    assert fits(0x07FE, 0x0810) is False    # the CPU would reach it, sdld refuses it
    assert fits(0x07FE, 0x0700) is False    # sdld would take it, the CPU goes to page 1
    assert fits(0x07FD, 0x0700) is True
    assert fits(0x07FF, 0x0810) is True


def _link_command(tmp_path: Path) -> list[str]:
    """The reference firmware's link, on a copy of its objects and SDCC's .asm in
    ``tmp_path`` (main first, then in name order, as builder/main.py gives them)."""
    src = tmp_path / "src"
    src.mkdir(parents=True)
    for f in (BUILD_DIR / "reference" / "src").iterdir():
        if f.suffix in (".rel", ".asm"):
            shutil.copyfile(f, src / f.name)
    rels = sorted(src.glob("*.rel"), key=lambda p: (p.name != "main.rel", p.name))
    return ["sdcc", "-mmcs51", "--iram-size", "256", "--xram-size", "256", "--code-size",
            "65536", "--out-fmt-ihx", "-o", str(tmp_path / "firmware.ihx"), *map(str, rels)]


def test_the_chosen_link_order_is_deterministic_and_shortens_no_fewer_calls_than_name_order(
        firmware: dict[str, Path], tmp_path: Path) -> None:
    relax = _relax_module()
    runs = []
    for k, reorder in enumerate((True, True, False)):
        cmd = _link_command(tmp_path / str(k))
        relaxer = relax.Relaxer(cmd, reorder=reorder)
        proc, short, total = relaxer.run()
        assert proc.returncode == 0, proc.stdout + proc.stderr
        runs.append((relaxer, short, (tmp_path / str(k) / "firmware.ihx").read_bytes(),
                     code_size(tmp_path / str(k))))
    (chosen, short, image, size), again, (given, name_short, _, name_size) = runs
    assert again[0].order_names == chosen.order_names and again[2] == image
    assert given.order_names.split() == ["main", *sorted(given.order_names.split()[1:])]
    names = chosen.order_names.split()
    assert names[0] == "main" and sorted(names) == sorted(given.order_names.split())
    assert short >= name_short and size == name_size - (short - name_short)
    if names != given.order_names.split():
        # the model of the link (no link per order judged) foresaw the real loop exactly
        assert chosen.predicted == short > name_short
    assert 0 < short <= total
    # the size the build reports is the chosen order's (the build ran the same relaxation)
    assert code_size(BUILD_DIR / "reference") == size
    # and the order leaves the RAM as name order does: sdld packs the modules' DSEG parts
    # first-fit around the bit area, and an order can leave a hole before it
    mem = [(tmp_path / str(k) / "firmware.mem").read_text() for k in (0, 2)]
    ram = [(re.search(r"Stack starts at: .*", text).group(0),
            re.findall(r"^\s*(?:PAGED EXT\. RAM|EXTERNAL RAM).*$", text, re.M)) for text in mem]
    assert ram[0] == ram[1]


def test_the_link_model_gives_the_plain_links_addresses_back(
        firmware: dict[str, Path], tmp_path: Path) -> None:
    """Layout places each object's part of each code area after the parts before it in the
    order; for another order it must give the addresses a real link of that order gives."""
    relax = _relax_module()
    relaxer = relax.Relaxer(_link_command(tmp_path))
    layout = relaxer._layout()
    assert layout is not None and len(layout.sites) == relaxer.sites
    reverse = [relaxer.order[0], *reversed(relaxer.order[1:])]
    relaxer.order = reverse
    relaxer._write(set())
    assert relaxer._link(final=False).returncode == 0
    real = relaxer._fits(set(), *relaxer._addresses(str(tmp_path / "relax" / "firmware.ihx")))
    assert layout.fits(reverse, set()) == real
    assert layout.relax(reverse) == relaxer._loop()
