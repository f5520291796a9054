"""The opcode table drives execution: every opcode's length and cycles hold when it runs."""

import pytest

from sim.cpu import CPU, IllegalOpcode
from sim.cpu.disasm import disassemble
from sim.cpu.opcodes import OPCODES, decode

DEFINED = [op for op in OPCODES if op is not None]


def test_255_opcodes_defined_and_0xA5_is_the_hole():
    assert len(DEFINED) == 255
    assert OPCODES[0xA5] is None


def test_only_mul_and_div_take_4_cycles():
    assert {op.mnemonic for op in DEFINED if op.cycles == 4} == {"MUL", "DIV"}
    assert {op.cycles for op in DEFINED} == {1, 2, 4}


def _instruction(op) -> bytes:
    """The opcode with operands that stay inside IRAM and branch to the next instruction."""
    nxt = 0x100 + op.length
    raw = []
    for kind in op.operands:
        if kind in ("direct", "bit", "/bit"):
            raw.append(0x30)
        elif kind == "#data":
            raw.append(0x05)
        elif kind == "rel":
            raw.append(0x00)
        elif kind == "addr11":
            raw.append(nxt & 0xFF)
        elif kind in ("addr16", "#data16"):
            raw += [nxt >> 8, nxt & 0xFF]
    code = bytes([op.code, *raw])
    return code


@pytest.mark.parametrize("op", DEFINED, ids=lambda o: f"{o.code:02X}")
def test_each_opcode_takes_its_table_cycles_and_length(op):
    img = bytearray(b"\x00" * 0x400)
    ins = _instruction(op)
    img[0x100:0x100 + len(ins)] = ins
    cpu = CPU(bytes(img))
    cpu.pc = 0x100
    cpu.sp = 0x40
    cycles = cpu.step()
    assert cycles == op.cycles
    assert cpu.instructions == 1
    d_op, _ = decode(bytes(img), 0x100)
    assert d_op is op
    assert disassemble(bytes(img), 0x100)[1] == op.length
    if op.mnemonic not in ("AJMP", "ACALL", "LJMP", "LCALL", "RET", "RETI", "JMP"):
        assert cpu.pc == 0x100 + op.length
    # the block path counts the same
    cpu2 = CPU(bytes(img))
    cpu2.pc = 0x100
    cpu2.sp = 0x40
    cpu2.run(1)
    assert cpu2.cycles == op.cycles
    assert cpu2.instructions == 1


def test_illegal_opcode_raises_naming_the_address():
    cpu = CPU(bytes([0x00, 0x00, 0xA5]))
    with pytest.raises(IllegalOpcode) as e:
        cpu.run(100)
    assert e.value.address == 0x0002 and e.value.opcode == 0xA5
    assert "0x0002" in str(e.value)
    assert cpu.pc == 2 and cpu.cycles == 2


def test_illegal_opcode_in_step_raises_too():
    cpu = CPU(bytes([0xA5]))
    with pytest.raises(IllegalOpcode):
        cpu.step()


def test_disassembler_prints_names_and_targets():
    code = bytes.fromhex("75908012010080FEA5D28C")
    out = []
    addr = 0
    while addr < len(code):
        text, n = disassemble(code, addr)
        out.append(text)
        addr += n
    assert out == ["MOV P1,#0x80", "LCALL 0x0100", "SJMP 0x0006", "DB 0xA5", "SETB TR0"]
