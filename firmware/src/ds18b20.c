/*
 * ds18b20.c - DS18B20 1-Wire driver. See ds18b20.h for what it does and when.
 *
 * Bus: an open-drain line with a pull-up on a quasi-bidirectional port pin: writing 1
 * releases it (the pull-up and the sensor decide the level), 0 pulls it low; reading the
 * pin reads the line.
 *
 * The bit slot and the reset are cycle-counted assembler (firmware/boards/onewire.py
 * explains the instant of every edge and sample and computes the delays, OW_DELAY_*, for
 * the board's crystal). Interrupts are off only inside a slot (about 70 us at 11.0592 MHz)
 * and from the release after a reset to the presence sample: never half a UART frame, so
 * the serial interrupt always takes a received byte before the next one completes. The
 * 500 us reset pulse runs with interrupts on (an interrupt only makes it longer, which the
 * sensor allows). Only called from the main loop.
 *
 * The two routines are naked and use only A, B, DPL and DPH, which SDCC never expects a
 * call to keep (it does assume a naked function leaves R0-R7 alone).
 */
#include "board_config.h"

#if FEATURE_DS18B20

#include "ds18b20.h"
#include "tick.h"
#include "text.h"

#define XSTR(x) STR(x)
#define STR(x) #x
#define A_OW "_" XSTR(DS18B20_PIN)

uint8_t temp_state;

/* Reset pulse and presence detect, the result in A (temp_tick): 0 = a sensor answered,
 * 1 = no presence pulse, 2 = the bus was low before the reset (shorted or no pull-up). */
static void ow_reset(void) __naked
{
    __asm__("    mov  a,#2\n"
            "    jnb  " A_OW ",00009$\n"
            "    clr  " A_OW "\n"                  /* reset pulse, interrupts allowed */
            "    mov  b,#" XSTR(OW_RESET_OUTER) "\n"
            "00001$:\n"
            "    mov  dph,#" XSTR(OW_RESET_INNER) "\n"
            "    djnz dph,.\n"
            "    djnz b,00001$\n"
            "    clr  a\n"
            "    clr  _EA\n"
            "    setb " A_OW "\n"                  /* release: t = 0 */
            OW_DELAY_PRESENCE
            "    mov  c," A_OW "\n"                /* 61..74 us: low = presence */
            "    setb _EA\n"
            "    rlc  a\n"                         /* 0: presence, 1: none */
            "00009$:\n"
            "    ret\n");
}

/* Eight slots, LSB first: writes the byte in A and returns the bits read in DPL (write 0xFF
 * to read a byte; a write-1 slot is a read slot). */
static void ow_byte(void) __naked
{
    __asm__("    mov  b,#8\n"
            "    rrc  a\n"                         /* C = bit 0 */
            "00001$:\n"
            "    clr  _EA\n"
            "    clr  " A_OW "\n"                  /* fall: t = 0 */
            OW_DELAY_INIT
            "    mov  " A_OW ",c\n"                /* 1: release (write 1 / read) */
            OW_DELAY_SAMPLE
            "    mov  c," A_OW "\n"                /* sample before 15 us */
            OW_DELAY_REST
            "    setb " A_OW "\n"                  /* end of a write-0 low (60..120 us) */
            "    setb _EA\n"
            "    rrc  a\n"                         /* sampled bit into A.7, next bit to C */
            "    djnz b,00001$\n"
            "    mov  dpl,a\n"
            "    ret\n");
}

/* The unit tests (firmware/test/test_ds18b20 includes this file after unit51.h) call
 * crc8() and pad_take() from C; the firmware enters pad_take's assembler only, at pad_byte,
 * so it carries neither C entry (nor pad_take's parameter byte). */
#ifdef UNIT51_H
#define C_ENTRY(code) code
#else
#define C_ENTRY(code) ""
#endif

#define OW_RESET   0x00             /* script entries: a reset, else a byte to write */
/* ow_reset()'s results are the states they lead to */
typedef char reset_results[(TEMP_NONE == 1 && TEMP_ERR == 2) ? 1 : -1];
/* 760 ms (a 12-bit conversion takes up to 750 ms) in ticks of TICK_CYCLES machine cycles
 * at this crystal (152 at 11.0592 MHz), waited as CONV_ROUNDS waits of CONV_TICKS <= 255 */
#define CONV_TOTAL  (760UL * (BOARD_F_CPU / 12UL) / (1000UL * TICK_CYCLES) + 1)
#define CONV_ROUNDS ((CONV_TOTAL + 254) / 255)
#define CONV_TICKS  ((CONV_TOTAL + CONV_ROUNDS - 1) / CONV_ROUNDS)
/* CONV_TICKS for the assembler (its arithmetic is 32-bit; the same formula, no suffixes) */
#define A_CONV_TOTAL  "(760 * (" BOARD_F_CPU_STR " / 12) / (1000 * " XSTR(TICK_CYCLES) ") + 1)"
#define A_CONV_ROUNDS "((" A_CONV_TOTAL " + 254) / 255)"
#define A_CONV_TICKS  "((" A_CONV_TOTAL " + " A_CONV_ROUNDS " - 1) / " A_CONV_ROUNDS ")"
#define RETRY_TICKS 100             /* 0.5 s (at 11.0592 MHz) between tries without a sensor */
#define S_READ     6                /* script index of the first scratchpad byte */
#define S_CHECK    (S_READ + 9)     /* ... and of the check after the ninth */

static const CODE uint8_t script[] = {
    OW_RESET, 0xCC, 0x44,           /* Skip ROM, Convert T */
    OW_RESET, 0xCC, 0xBE,           /* Skip ROM, Read Scratchpad, then 9 bytes */
};

uint8_t temp_wait = 1;              /* ticks to the next step (app.c counts down) */
static uint8_t step;                /* next script entry; S_READ.. S_READ + 8 read, then check */
static uint8_t mark, wait;          /* the next step is due when tick_count - mark >= wait */
#if CONV_ROUNDS > 1
static uint8_t rounds;              /* more waits of CONV_TICKS to come */
#endif
/* the scratchpad as it is read: its CRC so far, and the bytes the check needs */
static uint8_t pad_crc, pad_lo, pad_hi, pad_cfg;
/* in XRAM (read once a second at most): every byte of internal RAM is a byte of stack */
PDATA uint8_t t_lo, t_hi;           /* the last good reading, 1/16 C two's complement */
/* the assembler below takes t_hi to follow t_lo (MOVX @R0, INC R0): checked at assembly */
#define A_T_ADJACENT "    .ifne (_t_hi - _t_lo - 1)\n    .error 1 ; t_hi must follow t_lo\n    .endif\n"

/* scratchpad byte i (0..8) as read, b: pad_crc = 0 first when i == 0, then pad_crc =
 * crc8(pad_crc ^ b); i 0, 1, 4 kept as pad_lo, pad_hi, pad_cfg. In assembler (SDCC's C took
 * 46 bytes): touches only A, B, DPL and DPH (callee_saves: compat.h).
 * crc8_a, its end: pad_crc = the CRC-8 of the Dallas/Maxim 1-Wire devices (x^8 + x^5 + x^4
 * + 1, reflected 0x8C, LSB first) of A = crc ^ byte, one byte (the byte's bits enter at the
 * bottom, one per shift). Uses only A and B. */
#ifdef UNIT51_H
static void pad_take(uint8_t i, uint8_t b) __naked
{
    (void)i;
    (void)b;
#else
static void pad_take(void) __naked
{
#endif
    __asm__(C_ENTRY("    mov  a,dpl\n"
                    "    mov  dpl,_pad_take_PARM_2\n")
            "_pad_byte:\n"                           /* entry with i in A, b in DPL (temp_tick) */
            "    jnz  00001$\n"
            "    mov  _pad_crc,a\n"                 /* the first byte: a new CRC */
            "    mov  _pad_lo,dpl\n"
            "00001$:\n"
            "    cjne a,#1,00002$\n"
            "    mov  _pad_hi,dpl\n"
            "00002$:\n"
            "    cjne a,#4,00003$\n"
            "    mov  _pad_cfg,dpl\n"
            "00003$:\n"
            "    mov  a,dpl\n"
            "    xrl  a,_pad_crc\n"
            "crc8_a:\n"
            "    mov  b,#8\n"
            "00004$:\n"
            "    clr  c\n"
            "    rrc  a\n"
            "    jnc  00005$\n"
            "    xrl  a,#0x8C\n"
            "00005$:\n"
            "    djnz b,00004$\n"
            "    mov  _pad_crc,a\n"
            "    ret\n");
}

#ifdef UNIT51_H
/* crc8(crc ^ byte) is the CRC after that byte (crc8_a, pad_crc kept) */
static uint8_t crc8(uint8_t x) __naked
{
    (void)x;
    __asm__("    push _pad_crc\n"
            "    mov  a,dpl\n"
            "    lcall crc8_a\n"
            "    mov  dpl,_pad_crc\n"
            "    pop  _pad_crc\n"
            "    ret\n");
}
#endif

/* what the assembler below takes for granted */
typedef char tick_consts[(OW_RESET == 0 && TEMP_ERR == 2 && TEMP_OK == 3 && S_CHECK < 255
                          && CONV_TICKS <= 255 && RETRY_TICKS <= 255) ? 1 : -1];

/*
 * In assembler (SDCC's C took 158 bytes): s = step; the script byte c, then the scratchpad
 * index i, in R7 (ow_reset, ow_byte and pad_take touch only A, B, DPL and DPH); A carries
 * the wait c to the end, C the return value.
 *   (uint8_t)(tick_count - mark) < wait: temp_wait = 1, return 0 (too early: the waits are
 *   checked against tick_count, so ticks the main loop handles in a burst never shorten them)
 *   mark = tick_count; [CONV_ROUNDS > 1: rounds left: rounds--, temp_wait = CONV_TICKS,
 *   return 0]; step = s + 1, and c = 1 (the next step at the next tick) unless:
 *   s < S_READ, script[s] a reset: ow_reset() 1 or 2 (no presence, bus low) is temp_state,
 *     the transaction ends, c = RETRY_TICKS; a presence pulse: c = 2 (tRSTH >= 480 us)
 *   s < S_READ, a byte: ow_byte(c); after 0x44 (Convert T) c = CONV_TICKS [rounds =
 *     CONV_ROUNDS - 1]
 *   s < S_CHECK: pad_take(s - S_READ, ow_byte(0xFF))
 *   else the check, and the transaction ends: temp_state = TEMP_ERR, or TEMP_OK with t_lo,
 *     t_hi = pad_lo, pad_hi when the CRC over all 9 bytes is 0, the configuration byte has
 *     its fixed bits (pad_cfg & 0x9F == 0x1F: 0 R1 R0 11111) and -64..127.9 C ((uint8_t)
 *     (pad_hi + 4) < 12)
 *   a transaction that ended: step = 0, return 1 (a new state: redraw); wait = temp_wait = c
 */
bool_t temp_tick(void) __naked
{
    __asm__(A_T_ADJACENT
            "    mov  a,_tick_count\n"
            "    clr  c\n"
            "    subb a,_mark\n"
            "    cjne a,_wait,00001$\n"
            "00001$:\n"
            "    jnc  00002$\n"                     /* tick_count - mark >= wait: due */
            "    mov  _temp_wait,#1\n"
            "    clr  c\n"                          /* return 0 */
            "    ret\n"
            "00002$:\n"
            "    mov  _mark,_tick_count\n"
#if CONV_ROUNDS > 1
            "    mov  a,_rounds\n"
            "    jz   00003$\n"
            "    dec  _rounds\n"                    /* a conversion wait goes on */
            "    mov  _temp_wait,#" A_CONV_TICKS "\n"
            "    clr  c\n"
            "    ret\n"
            "00003$:\n"
#endif
            "    mov  a,_step\n"
            "    inc  _step\n"                      /* s + 1 (0 below if the transaction ends) */
            "    cjne a,#" XSTR(S_READ) ",00004$\n"
            "00004$:\n"
            "    jnc  00010$\n"
            "    mov  dptr,#_script\n"              /* s < S_READ: the script */
            "    movc a,@a+dptr\n"
            "    jz   00006$\n"                     /* OW_RESET */
            "    mov  r7,a\n"                       /* c: a byte to write */
            "    lcall _ow_byte\n"
            "    cjne r7,#0x44,00019$\n"
#if CONV_ROUNDS > 1
            "    mov  _rounds,#(" A_CONV_ROUNDS " - 1)\n"
#endif
            "    mov  a,#" A_CONV_TICKS "\n"       /* Convert T: wait for it */
            "    sjmp 00020$\n"
            "00006$:\n"
            "    lcall _ow_reset\n"
            "    jnz  00007$\n"
            "    mov  a,#2\n"                       /* presence: the next-but-one tick */
            "    sjmp 00020$\n"
            "00007$:\n"
            "    mov  _temp_state,a\n"              /* TEMP_NONE or TEMP_ERR */
            "    mov  a,#" XSTR(RETRY_TICKS) "\n"
            "    sjmp 00030$\n"
            "00010$:\n"
            "    cjne a,#" XSTR(S_CHECK) ",00011$\n"
            "00011$:\n"
            "    jc   00012$\n"
            "    mov  _temp_state,#2\n"             /* the check: TEMP_ERR */
            "    mov  a,_pad_crc\n"
            "    jnz  00016$\n"
            "    mov  a,_pad_cfg\n"
            "    anl  a,#0x9F\n"
            "    xrl  a,#0x1F\n"
            "    jnz  00016$\n"
            "    mov  a,_pad_hi\n"
            "    add  a,#4\n"
            "    add  a,#(256 - 12)\n"              /* C: (uint8_t)(hi + 4) >= 12 */
            "    jc   00016$\n"
            "    mov  r0,#_t_lo\n"
            "    mov  a,_pad_lo\n"
            "    movx @r0,a\n"
            "    inc  r0\n"                        /* -> t_hi */
            "    mov  a,_pad_hi\n"
            "    movx @r0,a\n"
            "    inc  _temp_state\n"                /* TEMP_ERR + 1: TEMP_OK */
            "00016$:\n"
            "    mov  a,#1\n"
            "00030$:\n"                            /* the transaction ended */
            "    mov  _step,#0\n"
            "    setb c\n"
            "    sjmp 00021$\n"
            "00012$:\n"
            "    add  a,#(256 - " XSTR(S_READ) ")\n"
            "    mov  r7,a\n"                       /* i */
            "    mov  a,#0xFF\n"
            "    lcall _ow_byte\n"
            "    mov  a,r7\n"
            "    lcall _pad_byte\n"                 /* pad_take(i, the byte) */
            "00019$:\n"
            "    mov  a,#1\n"                       /* the next step at the next tick */
            "00020$:\n"
            "    clr  c\n"
            "00021$:\n"
            "    mov  _wait,a\n"
            "    mov  _temp_wait,a\n"
            "    ret\n");
}

/* the LCD field (columns 9..14) without a number, entry temp_state (text_nth()) */
static const CODE char marks[] = "      \0 --.-\0   Err";

/* what the assembler below takes for granted */
typedef char temp_states[(TEMP_WAIT == 0 && TEMP_NONE == 1 && TEMP_ERR == 2 && TEMP_OK == 3)
                         ? 1 : -1];

/*
 * In assembler (SDCC's C took 189 bytes with its helper): the five characters end in R3..R7
 * in their order, printed by one loop (R0; the helper keeps R0-R7): R3 = c0, R4 = c1 (the
 * columns before the units), R5 the units, R6 '.', R7 the tenth; meanwhile R7 = lo, R6 = lo
 * again, R5 = the whole degrees w.
 *   not TEMP_OK: text_nth(marks, temp_state), and the degree sign for TEMP_NONE
 *   negative (hi bit 7): the two's complement of hi:lo, c1 = '-'
 *   w = hi << 4 | lo >> 4 (0..127), the tenth = ((lo & 15) * 10 + 8) >> 4 (nearest)
 *   w >= 100: w -= 100, c1 = '1'; tens != 0 or c1 == '1': c0 = c1, c1 = the tens
 *   c0, c1 (a space only on the LCD), the units, '.', the tenth, on the LCD the degree sign
 */
void temp_print(void) __naked
{
    __asm__("    mov  a,_temp_state\n"
            "    cjne a,#3,00020$\n"                /* TEMP_OK */
            "    mov  r0,#_t_lo\n"
            "    movx a,@r0\n"
            "    mov  r7,a\n"                       /* lo */
            "    inc  r0\n"
            "    movx a,@r0\n"                      /* hi */
            "    mov  r4,#0x20\n"
            "    jnb  acc.7,00001$\n"
            "    cpl  a\n"                          /* negative: -(hi:lo) */
            "    xch  a,r7\n"
            "    cpl  a\n"
            "    inc  a\n"
            "    xch  a,r7\n"
            "    cjne r7,#0,00002$\n"
            "    inc  a\n"
            "00002$:\n"
            "    mov  r4,#0x2D\n"                   /* '-' */
            "00001$:\n"
            "    xch  a,r7\n"
            "    mov  r6,a\n"                       /* lo */
            "    swap a\n"
            "    anl  a,#0x0F\n"
            "    xch  a,r7\n"
            "    swap a\n"
            "    anl  a,#0xF0\n"
            "    orl  a,r7\n"
            "    mov  r5,a\n"                       /* w */
            "    mov  a,r6\n"
            "    anl  a,#0x0F\n"
            "    mov  b,#10\n"
            "    mul  ab\n"
            "    add  a,#8\n"
            "    swap a\n"
            "    anl  a,#0x0F\n"
            "    orl  a,#0x30\n"
            "    mov  r7,a\n"                       /* the tenth */
            "    mov  r6,#0x2E\n"                   /* '.' */
            "    mov  a,r5\n"
            "    cjne a,#100,00003$\n"
            "00003$:\n"
            "    jc   00004$\n"
            "    add  a,#(256 - 100)\n"
            "    mov  r4,#0x31\n"                   /* '1' */
            "00004$:\n"
            "    mov  b,#10\n"
            "    div  ab\n"
            "    mov  r3,#0x20\n"
            "    jnz  00005$\n"
            "    cjne r4,#0x31,00006$\n"
            "00005$:\n"
            "    mov  0x03,r4\n"                    /* c0 = c1 */
            "    orl  a,#0x30\n"
            "    mov  r4,a\n"                       /* c1 = the tens */
            "00006$:\n"
            "    mov  a,b\n"
            "    orl  a,#0x30\n"
            "    mov  r5,a\n"                       /* the units */
            "    mov  r0,#3\n"                      /* R3..R7 (bank 0) */
            "00007$:\n"
            "    mov  a,@r0\n"
            "    lcall 00030$\n"
            "    inc  r0\n"
            "    cjne r0,#8,00007$\n"
            "    jb   _out_uart,00031$\n"
            "00010$:\n"
            "    mov  a,#0xDF\n"                    /* the degree sign */
            "    sjmp 00030$\n"
            "00020$:\n"                            /* A = temp_state: its mark */
            "    mov  _text_nth_PARM_2,a\n"
            "    mov  dptr,#_marks\n"
            "    lcall _text_nth\n"
            "    lcall _out_fmt\n"
            "    mov  a,_temp_state\n"
            "    cjne a,#1,00031$\n"                /* TEMP_NONE */
            "    sjmp 00010$\n"
            "00030$:\n"                            /* A: a character (a space, in the */
            "    cjne a,#0x20,00032$\n"             /* columns before the units: LCD only) */
            "    jb   _out_uart,00031$\n"
            "00032$:\n"
            "    ljmp out_cha\n"                    /* out_ch() with c in A (text.c) */
            "00031$:\n"
            "    ret\n");
}

#endif /* FEATURE_DS18B20 */
