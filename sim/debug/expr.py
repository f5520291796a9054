"""C expressions for watches, hovers and breakpoint conditions, over the program's values.

A small C subset, parsed by recursive descent (no Python ``eval``): names, numbers
(``12``, ``0x1F``, ``017``, ``0b101``, ``1.5``, ``'A'``), ``( )``, postfix ``[i]`` ``.m``
``->m``, unary ``- + ! ~ * &``, and the binary operators with C's precedence: ``* / %``,
``+ -``, ``<< >>``, ``< <= > >=``, ``== !=``, ``&``, ``^``, ``|``, ``&&``, ``||``.
Integers are Python integers (no overflow; ``/`` and ``%`` truncate toward zero as in C);
a pointer plus an integer steps by the pointee's size. Names are looked up by the caller's
``resolve`` (locals, statics, globals, then registers and SFRs, then ``iram[]``, ``xram[]``
and ``code[]``: the raw memories as byte arrays).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.debug.cdb import CType, DebugInfo
from sim.debug.values import (
    Memory,
    Place,
    Value,
    ValueError_,
    deref,
    member,
    pointer_target,
    pointer_to,
    read,
)

__all__ = ["ExprError", "evaluate", "parse", "LONG", "DOUBLE"]

LONG = CType("long", 4, True)
DOUBLE = CType("float", 4, True)
MAX_LENGTH = 500


class ExprError(ValueError_):
    """An expression that cannot be parsed or evaluated (one line)."""


@dataclass(frozen=True)
class _Tok:
    kind: str  # num, char, name, op, end
    text: str
    pos: int


_OPS3 = ("<<=", ">>=")
_OPS2 = ("->", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||")
_OPS1 = "+-*/%<>=!~&|^()[].?:,"


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i
            while j < n and (text[j].isalnum() or text[j] == "."):
                j += 1
            out.append(_Tok("num", text[i:j], i))
            i = j
            continue
        if c.isalpha() or c in "_$":
            j = i
            while j < n and (text[j].isalnum() or text[j] in "_$"):
                j += 1
            out.append(_Tok("name", text[i:j], i))
            i = j
            continue
        if c == "'":
            j = text.find("'", i + 2 if text[i + 1:i + 2] == "\\" else i + 1)
            if j < 0:
                raise ExprError(f"unterminated character at {i + 1}")
            out.append(_Tok("char", text[i + 1:j], i))
            i = j + 1
            continue
        for op in (*_OPS3, *_OPS2):
            if text.startswith(op, i):
                out.append(_Tok("op", op, i))
                i += len(op)
                break
        else:
            if c in _OPS1:
                out.append(_Tok("op", c, i))
                i += 1
            else:
                raise ExprError(f"unexpected {c!r} at {i + 1}")
    out.append(_Tok("end", "", n))
    return out


def _number(text: str) -> int | float:
    t = text.lower().rstrip("ul")
    try:
        if t.startswith("0x"):
            return int(t[2:], 16)
        if t.startswith("0b"):
            return int(t[2:], 2)
        if "." in t or "e" in t or t.endswith("f"):
            return float(t.rstrip("f"))
        if len(t) > 1 and t.startswith("0"):
            return int(t, 8)
        return int(t)
    except ValueError:
        raise ExprError(f"not a number: {text!r}") from None


_ESC = {"n": 10, "r": 13, "t": 9, "0": 0, "\\": 92, "'": 39, '"': 34, "a": 7, "b": 8}


def _char(text: str) -> int:
    if text.startswith("\\"):
        body = text[1:]
        if body[:1] == "x":
            return int(body[1:], 16) & 0xFF
        if body in _ESC:
            return _ESC[body]
        if body.isdigit():
            return int(body, 8) & 0xFF
        raise ExprError(f"unknown escape '\\{body}'")
    if len(text) != 1:
        raise ExprError(f"not one character: '{text}'")
    return ord(text) & 0xFF


# AST: tuples ("num", v) ("name", s) ("un", op, a) ("bin", op, a, b) ("idx", a, i)
# ("mem", a, name) ("arrow", a, name)
class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, op: str) -> None:
        t = self.take()
        if t.kind != "op" or t.text != op:
            raise ExprError(f"expected {op!r} at {t.pos + 1}, found {t.text or 'the end'!r}")

    def parse(self) -> tuple:
        node = self.binary(0)
        t = self.peek()
        if t.kind != "end":
            raise ExprError(f"unexpected {t.text!r} at {t.pos + 1}")
        return node

    _LEVELS = (("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="),
               ("<", "<=", ">", ">="), ("<<", ">>"), ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> tuple:
        if level == len(self._LEVELS):
            return self.unary()
        node = self.binary(level + 1)
        while True:
            t = self.peek()
            if t.kind == "op" and t.text in self._LEVELS[level]:
                self.take()
                node = ("bin", t.text, node, self.binary(level + 1))
            else:
                return node

    def unary(self) -> tuple:
        t = self.peek()
        if t.kind == "op" and t.text in ("-", "+", "!", "~", "*", "&"):
            self.take()
            return ("un", t.text, self.unary())
        return self.postfix()

    def postfix(self) -> tuple:
        node = self.primary()
        while True:
            t = self.peek()
            if t.kind == "op" and t.text == "[":
                self.take()
                index = self.binary(0)
                self.expect("]")
                node = ("idx", node, index)
            elif t.kind == "op" and t.text in (".", "->"):
                self.take()
                name = self.take()
                if name.kind != "name":
                    raise ExprError(f"expected a member name at {name.pos + 1}")
                node = ("mem" if t.text == "." else "arrow", node, name.text)
            else:
                return node

    def primary(self) -> tuple:
        t = self.take()
        if t.kind == "num":
            return ("num", _number(t.text))
        if t.kind == "char":
            return ("num", _char(t.text))
        if t.kind == "name":
            return ("name", t.text)
        if t.kind == "op" and t.text == "(":
            node = self.binary(0)
            self.expect(")")
            return node
        raise ExprError(f"unexpected {t.text or 'end of expression'!r} at {t.pos + 1}")


def parse(text: str) -> tuple:
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExprError("empty expression")
    return _Parser(text).parse()


class _Eval:
    def __init__(self, resolve: Callable[[str], Value], info: DebugInfo, mem: Memory) -> None:
        self.resolve = resolve
        self.info = info
        self.mem = mem

    def num(self, v: Value) -> int | float:
        if v.ctype.kind in ("array",):
            assert v.place is not None
            return v.place.address
        return read(v, self.info, self.mem)

    def run(self, node: tuple) -> Value:
        kind = node[0]
        if kind == "num":
            v = node[1]
            return Value(DOUBLE if isinstance(v, float) else LONG, number=v)
        if kind == "name":
            return self.resolve(node[1])
        if kind == "idx":
            base = self.run(node[1])
            index = self.num(self.run(node[2]))
            if isinstance(index, float):
                raise ExprError("an index must be an integer")
            return deref(base, self.info, self.mem, int(index))
        if kind == "mem":
            return member(self.run(node[1]), node[2], self.info)
        if kind == "arrow":
            return member(deref(self.run(node[1]), self.info, self.mem), node[2], self.info)
        if kind == "un":
            return self.unary(node[1], node[2])
        return self.binary(node[1], node[2], node[3])

    def unary(self, op: str, arg: tuple) -> Value:
        if op == "*":
            return deref(self.run(arg), self.info, self.mem)
        if op == "&":
            ptype, raw = pointer_to(self.run(arg))
            return Value(ptype, number=raw)
        v = self.num(self.run(arg))
        if op == "-":
            return _typed(-v)
        if op == "+":
            return _typed(v)
        if op == "!":
            return _typed(int(not v))
        if isinstance(v, float):
            raise ExprError("~ needs an integer")
        return _typed(~v)

    def binary(self, op: str, a: tuple, b: tuple) -> Value:
        if op in ("&&", "||"):
            left = self.num(self.run(a))
            if op == "&&" and not left:
                return _typed(0)
            if op == "||" and left:
                return _typed(1)
            return _typed(int(bool(self.num(self.run(b)))))
        va, vb = self.run(a), self.run(b)
        if op in ("+", "-") and va.ctype.kind in ("pointer", "array") \
                and vb.ctype.kind not in ("pointer", "array"):
            return self.pointer_step(va, self.num(vb), 1 if op == "+" else -1)
        x, y = self.num(va), self.num(vb)
        if op in ("+", "-", "*"):
            return _typed({"+": x + y, "-": x - y, "*": x * y}[op])
        if op in ("/", "%"):
            if y == 0:
                raise ExprError("division by zero")
            if isinstance(x, float) or isinstance(y, float):
                if op == "%":
                    raise ExprError("% needs integers")
                return _typed(x / y)
            q = abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)
            return _typed(q if op == "/" else x - q * y)
        if op in ("<", "<=", ">", ">=", "==", "!="):
            r = {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y, "==": x == y,
                 "!=": x != y}[op]
            return _typed(int(r))
        if isinstance(x, float) or isinstance(y, float):
            raise ExprError(f"{op} needs integers")
        if op in ("<<", ">>"):
            if y < 0 or y > 64:
                raise ExprError(f"shift by {y}")
            return _typed(x << y if op == "<<" else x >> y)
        return _typed({"&": x & y, "|": x | y, "^": x ^ y}[op])

    def pointer_step(self, p: Value, n: int | float, sign: int) -> Value:
        if isinstance(n, float):
            raise ExprError("a pointer moves by an integer")
        t = p.ctype
        assert t.target is not None
        size = max(self.info.type_size(t.target), 1)
        if t.kind == "array":
            assert p.place is not None
            space, addr = p.place.space, p.place.address
            ptype = CType("pointer", 3, target=t.target, space="generic")
            tag = {"xdata": 0, "code": 0x80, "pdata": 0x60}.get(space, 0x40)
            return Value(ptype, number=tag << 16 | (addr + sign * n * size) & 0xFFFF)
        raw = int(read(p, self.info, self.mem))
        space, addr = pointer_target(p, self.info, self.mem)
        new = (addr + sign * n * size) & 0xFFFF
        return Value(t, number=raw & ~0xFFFF | new)


def _typed(v: int | float) -> Value:
    return Value(DOUBLE if isinstance(v, float) else LONG, number=v)


def evaluate(text: str, resolve: Callable[[str], Value], info: DebugInfo,
             mem: Memory) -> Value:
    """The value of a C expression; ``ExprError`` (or another ``ValueError_``) if it
    cannot be parsed or computed."""
    return _Eval(resolve, info, mem).run(parse(text))


def raw_memory(space: str, size: int) -> Value:
    """``iram[]``, ``xram[]``, ``code[]``: a memory as an array of unsigned char."""
    ctype = CType("array", size, target=CType("char", 1), count=size)
    return Value(ctype, Place(space, (0,)))
