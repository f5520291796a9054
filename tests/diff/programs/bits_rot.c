/* __bit variables and bit instructions (SETB/CLR/CPL/MOV C,bit/ANL C,/bit/ORL C,bit/JBC),
 * rotates (RL/RR/RLC/RRC from C rotate idioms), SWAP, XCH/XCHD, the parity flag. */
#include "common.h"

__bit b0, b1, b2, b3;
__data __at(0x2F) unsigned char bitbyte; /* bit-addressable byte, bits 0x78..0x7F */
__sbit __at(0x7B) bb3;                    /* bit 3 of 0x2F */
static unsigned char ga, gb, gr, gpsw;

static unsigned char rl8(unsigned char v) { return (v << 1) | (v >> 7); }
static unsigned char rr8(unsigned char v) { return (v >> 1) | (v << 7); }
static unsigned char swap8(unsigned char v) { return (v << 4) | (v >> 4); }
static unsigned int rl16(unsigned int v) { return (v << 1) | (v >> 15); }

static void do_xch(void)
{
    __asm
        mov r0, #_gb
        mov a, _ga
        xch a, @r0          ; swap ga <-> gb
        mov _ga, a
        mov a, _gr
        xchd a, @r0         ; swap low nibbles of A and gb
        mov _gr, a
        mov a, _ga
        xch a, r0           ; register form
        mov a, r0
        mov r1, #_gr
        xch a, _gr          ; direct form
        mov _ga, a
    __endasm;
}

static void do_rotc(void)
{
    __asm
        mov a, _gr
        rrc a               ; CY = bit 0 of gr
        mov a, _ga
        rlc a
        mov _ga, a
        mov a, _gb
        rrc a
        mov _gb, a
        mov _gpsw, psw
        mov psw, #0
    __endasm;
}

static void do_bits(void)
{
    __asm
        mov _bitbyte, _ga
        mov c, _bb3
        anl c, /0x78        ; C &= !bit0 of bitbyte
        orl c, 0x7F         ; C |= bit7
        cpl 0x79
        mov 0x7A, c
        jbc 0x7C, 00001$
        cpl 0x7D
00001$:
        cpl c
        anl c, 0x7E
        orl c, /0x7B
        mov acc.0, c
        mov _gr, a
        mov _gb, _bitbyte
        mov _gpsw, psw
        mov psw, #0
    __endasm;
}

void main(void)
{
    unsigned int i;
    unsigned int acc = 0x1234;
    unsigned char v;

    uart_init();
    puts_("bits_rot");
    nl();
    b0 = 0; b1 = 1;
    for (i = 0; i < 300; i++) {
        v = (unsigned char)(i * 29 + 3);
        b2 = v & 1;
        b3 = (v & 0x80) != 0;
        b0 = b0 ^ b2;
        b1 = b1 & !b3 | b0;
        if (b0 && !b1)
            acc ^= 0x5A5A;
        acc = rl16(acc) + rl8(v) + rr8(v) + swap8(v);
        ga = v; gb = ~v; gr = i;
        do_xch();
        acc ^= ga | (gb << 8);
        acc += gr;
        ga = v; gb = v ^ 0x3C; gr = i >> 1;
        do_rotc();
        acc += ga ^ (gb << 3) ^ gpsw;
        ga = v; gr = 0x55;
        do_bits();
        acc = (acc << 2 | acc >> 14) ^ gr ^ (gb << 8) ^ (gpsw & 0x81);
        if ((i % 37) == 0) {
            hex16(acc); putchar(b0 ? '1' : '0'); putchar(b1 ? '1' : '0'); putchar(' ');
        }
    }
    nl();
    /* parity flag over every value */
    acc = 0;
    for (i = 0; i < 256; i++) {
        ACC = i;
        if (P)
            acc++;
    }
    puts_("odd="); hex16(acc); nl();
    done();
}
