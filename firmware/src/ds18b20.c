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

/* Reset pulse and presence detect: 0 = a sensor answered, 1 = no presence pulse, 2 = the
 * bus was low before the reset (shorted or no pull-up). */
static uint8_t ow_reset(void) __naked
{
    __asm__("    mov  dpl,#2\n"
            "    jnb  " A_OW ",00009$\n"
            "    clr  " A_OW "\n"                  /* reset pulse, interrupts allowed */
            "    mov  b,#" XSTR(OW_RESET_OUTER) "\n"
            "00001$:\n"
            "    mov  dph,#" XSTR(OW_RESET_INNER) "\n"
            "    djnz dph,.\n"
            "    djnz b,00001$\n"
            "    clr  _EA\n"
            "    setb " A_OW "\n"                  /* release: t = 0 */
            OW_DELAY_PRESENCE
            "    mov  c," A_OW "\n"                /* 61..74 us: low = presence */
            "    setb _EA\n"
            "    mov  dpl,#0\n"
            "    jnc  00009$\n"
            "    inc  dpl\n"
            "00009$:\n"
            "    ret\n");
}

/* Eight slots, LSB first: writes b and returns the bits read (write 0xFF to read a byte;
 * a write-1 slot is a read slot). */
static uint8_t ow_byte(uint8_t b) __naked
{
    (void)b;
    __asm__("    mov  a,dpl\n"
            "    mov  b,#8\n"
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

/* CRC-8 of the Dallas/Maxim 1-Wire devices (x^8 + x^5 + x^4 + 1, reflected 0x8C, LSB
 * first), one byte: crc8(crc ^ byte) is the CRC after that byte (the byte's bits enter at the
 * bottom, one per shift). Uses only A and B. */
static uint8_t crc8(uint8_t x) __naked
{
    (void)x;
    __asm__("    mov  a,dpl\n"
            "    mov  b,#8\n"
            "00001$:\n"
            "    clr  c\n"
            "    rrc  a\n"
            "    jnc  00002$\n"
            "    xrl  a,#0x8C\n"
            "00002$:\n"
            "    djnz b,00001$\n"
            "    mov  dpl,a\n"
            "    ret\n");
}

#define OW_RESET   0x00             /* script entries: a reset, else a byte to write */
/* ow_reset()'s results are the states they lead to */
typedef char reset_results[(TEMP_NONE == 1 && TEMP_ERR == 2) ? 1 : -1];
/* 760 ms (a 12-bit conversion takes up to 750 ms) in ticks of TICK_CYCLES machine cycles
 * at this crystal (152 at 11.0592 MHz), waited as CONV_ROUNDS waits of CONV_TICKS <= 255 */
#define CONV_TOTAL  (760UL * (BOARD_F_CPU / 12UL) / (1000UL * TICK_CYCLES) + 1)
#define CONV_ROUNDS ((CONV_TOTAL + 254) / 255)
#define CONV_TICKS  ((CONV_TOTAL + CONV_ROUNDS - 1) / CONV_ROUNDS)
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

/* scratchpad byte i (0..8) as read */
static void pad_take(uint8_t i, uint8_t b)
{
    if (!i)
        pad_crc = 0;
    pad_crc = crc8(pad_crc ^ b);
    if (i == 0)
        pad_lo = b;
    else if (i == 1)
        pad_hi = b;
    else if (i == 4)
        pad_cfg = b;
}

bool_t temp_tick(void)
{
    uint8_t s = step, c, done = 0;

    /* temp_wait counts the ticks the main loop handles, which may come in a burst after a
     * late pass: the waits the sensor needs are checked against tick_count itself */
    if ((uint8_t)(tick_count - mark) < wait) {
        temp_wait = 1;
        return 0;
    }
    mark = tick_count;
#if CONV_ROUNDS > 1
    if (rounds) {
        rounds--;
        temp_wait = CONV_TICKS;
        return 0;
    }
#endif
    c = 1;                              /* the next step: at the next tick */
    if (s < S_READ) {
        c = script[s];
        if (c == OW_RESET) {
            c = ow_reset();
            if (c) {
                temp_state = c;         /* 1: TEMP_NONE, 2: TEMP_ERR */
                done = 1;
                c = RETRY_TICKS;
            } else {
                c = 2;                  /* tRSTH: >= 480 us before the next slot */
            }
        } else {
            ow_byte(c);
            if (c == 0x44) {
                c = CONV_TICKS;
#if CONV_ROUNDS > 1
                rounds = CONV_ROUNDS - 1;
#endif
            } else {
                c = 1;
            }
        }
    } else if (s < S_CHECK) {
        pad_take(s - S_READ, ow_byte(0xFF));
    } else {
        /* CRC (over all 9 bytes: 0), the configuration byte's fixed bits (0 R1 R0 11111),
         * and -64..127.9 C */
        temp_state = TEMP_ERR;
        if (!pad_crc && (uint8_t)(pad_cfg & 0x9F) == 0x1F && (uint8_t)(pad_hi + 4) < 12) {
            t_lo = pad_lo;
            t_hi = pad_hi;
            temp_state = TEMP_OK;
        }
        done = 1;
    }
    step = s + 1;
    if (done)
        step = 0;                       /* a transaction ended: the next starts over */
    wait = c;
    temp_wait = c;
    return done;                        /* a new state (t_lo/t_hi set for TEMP_OK): redraw */
}

/* the LCD field (columns 9..14) without a number, by temp_state (7 bytes apart) */
static const CODE char marks[] = "      \0 --.-\0\0   Err";

/* what the assembler below takes for granted */
typedef char temp_states[(TEMP_OK == 3 && TEMP_NONE == 1) ? 1 : -1];

/*
 * In assembler (SDCC's C took 189 bytes with its helper): R7 = lo, then the whole degrees
 * w; R6 the tenth's character; R5 = c1, R4 = c0 (the columns before the units), R3 the units.
 *   not TEMP_OK: marks + 7 * temp_state, and the degree sign for TEMP_NONE
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
            "    mov  r0,#_t_hi\n"
            "    movx a,@r0\n"                      /* hi */
            "    mov  r5,#0x20\n"
            "    jnb  acc.7,00001$\n"
            "    cpl  a\n"                          /* negative: -(hi:lo) */
            "    xch  a,r7\n"
            "    cpl  a\n"
            "    inc  a\n"
            "    xch  a,r7\n"
            "    cjne r7,#0,00002$\n"
            "    inc  a\n"
            "00002$:\n"
            "    mov  r5,#0x2D\n"                   /* '-' */
            "00001$:\n"
            "    xch  a,r7\n"
            "    swap a\n"
            "    mov  r6,a\n"
            "    anl  a,#0x0F\n"
            "    xch  a,r7\n"
            "    swap a\n"
            "    anl  a,#0xF0\n"
            "    orl  a,r7\n"
            "    mov  r7,a\n"                       /* w */
            "    mov  a,r6\n"
            "    swap a\n"
            "    anl  a,#0x0F\n"
            "    mov  b,#10\n"
            "    mul  ab\n"
            "    add  a,#8\n"
            "    swap a\n"
            "    anl  a,#0x0F\n"
            "    orl  a,#0x30\n"
            "    mov  r6,a\n"                       /* the tenth */
            "    mov  a,r7\n"
            "    cjne a,#100,00003$\n"
            "00003$:\n"
            "    jc   00004$\n"
            "    add  a,#(256 - 100)\n"
            "    mov  r5,#0x31\n"                   /* '1' */
            "00004$:\n"
            "    mov  b,#10\n"
            "    div  ab\n"
            "    mov  r4,#0x20\n"
            "    jnz  00005$\n"
            "    cjne r5,#0x31,00006$\n"
            "00005$:\n"
            "    mov  0x04,r5\n"                    /* c0 = c1 */
            "    orl  a,#0x30\n"
            "    mov  r5,a\n"                       /* c1 = the tens */
            "00006$:\n"
            "    mov  r3,b\n"
            "    mov  a,r4\n"
            "    lcall 00030$\n"
            "    mov  a,r5\n"
            "    lcall 00030$\n"
            "    mov  a,r3\n"
            "    orl  a,#0x30\n"
            "    mov  dpl,a\n"
            "    lcall _out_ch\n"
            "    mov  dpl,#0x2E\n"                  /* '.' */
            "    lcall _out_ch\n"
            "    mov  dpl,r6\n"
            "    lcall _out_ch\n"
            "    jb   _out_uart,00031$\n"
            "00010$:\n"
            "    mov  dpl,#0xDF\n"                  /* the degree sign */
            "    ljmp _out_ch\n"
            "00020$:\n"                            /* A = temp_state: its mark */
            "    mov  b,#7\n"
            "    mul  ab\n"
            "    add  a,#_marks\n"
            "    mov  dpl,a\n"
            "    clr  a\n"
            "    addc a,#(_marks >> 8)\n"
            "    mov  dph,a\n"
            "    lcall _out_fmt\n"
            "    mov  a,_temp_state\n"
            "    cjne a,#1,00031$\n"                /* TEMP_NONE */
            "    sjmp 00010$\n"
            "00030$:\n"                            /* A: a column before the units; a */
            "    mov  dpl,a\n"                      /* space only on the LCD */
            "    cjne a,#0x20,00032$\n"
            "    jb   _out_uart,00031$\n"
            "00032$:\n"
            "    ljmp _out_ch\n"
            "00031$:\n"
            "    ret\n");
}

#endif /* FEATURE_DS18B20 */
