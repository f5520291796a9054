/* MUL AB, DIV AB (including divide by zero: only OV is defined), DA A after ADD and
 * ADDC over all operand pairs of a BCD counter, and the PSW flags each leaves. */
#include "common.h"

static unsigned char ga, gb, gpsw, gr;

static void do_mul(void)
{
    __asm
        mov a, _ga
        mov b, _gb
        mov psw, #0xC4      ; CY=1 AC=1 OV=1: MUL must clear CY and set OV only if B != 0
        mul ab
        mov _ga, a
        mov _gb, b
        mov _gpsw, psw
        mov psw, #0
    __endasm;
}

static void do_div(void)
{
    __asm
        mov a, _ga
        mov b, _gb
        mov psw, #0x84      ; CY=1 OV=1: DIV clears CY, OV=1 only for division by zero
        div ab
        mov _ga, a
        mov _gb, b
        mov _gpsw, psw
        mov psw, #0
    __endasm;
}

/* ADD then DA: BCD sum of ga + gb (+ carry in bit 0 of gr) */
static void do_da(void)
{
    __asm
        mov a, _gr
        rrc a               ; CY = carry in
        mov a, _ga
        addc a, _gb
        da a
        mov _ga, a
        mov _gpsw, psw
        mov psw, #0
    __endasm;
}

static unsigned char bcd(unsigned char v)
{
    return ((v / 10) << 4) | (v % 10);
}

void main(void)
{
    unsigned int i;
    unsigned int sum_mul = 0, sum_div = 0, sum_da = 0;
    unsigned char x, y;

    uart_init();
    puts_("muldiv_bcd");
    nl();
    /* MUL and DIV over a lattice of operands */
    for (i = 0; i < 640; i++) {
        x = (unsigned char)(i * 37 + 11);
        y = (unsigned char)(i * 13 + (i >> 5));
        ga = x; gb = y;
        do_mul();
        sum_mul = (sum_mul << 1 | sum_mul >> 15) ^ (ga | (gb << 8)) ^ (gpsw & 0xC4);
        if ((i & 63) == 0) {
            hex8(x); putchar('*'); hex8(y); putchar('='); hex8(gb); hex8(ga);
            putchar(' '); hex8(gpsw); nl();
        }
        ga = x; gb = y;
        do_div();
        if (y == 0) {
            /* quotient and remainder are undefined for B = 0; only flags compare */
            hex8(x); puts_("/0 psw="); hex8(gpsw & 0xC4); nl();
            sum_div ^= gpsw & 0xC4;
        } else {
            sum_div = (sum_div << 1 | sum_div >> 15) ^ (ga | (gb << 8)) ^ (gpsw & 0xC4);
        }
    }
    ga = 0x55; gb = 0; do_div();
    puts_("55/0 psw="); hex8(gpsw & 0xC4); nl();
    /* DA after ADD and ADDC, valid BCD operands and a few invalid ones */
    for (i = 0; i < 100; i++) {
        for (x = 0; x < 100; x += 7) {
            ga = bcd(i); gb = bcd(x); gr = (i + x) & 1;
            do_da();
            sum_da = (sum_da << 1 | sum_da >> 15) ^ ga ^ ((gpsw & 0xC0) << 2);
        }
    }
    for (i = 0; i < 256; i += 5) {
        ga = i; gb = 0x99 - (i >> 1); gr = 0;
        do_da();
        hex8(ga); hex8(gpsw & 0xC0);
        if ((i % 50) == 45) nl();
    }
    nl();
    puts_("mul="); hex16(sum_mul);
    puts_(" div="); hex16(sum_div);
    puts_(" da="); hex16(sum_da);
    nl();
    done();
}
