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

/* CRC-8 of the Dallas/Maxim 1-Wire devices (x^8 + x^5 + x^4 + 1, reflected 0x8C) */
static uint8_t crc8(const XDATA uint8_t *p, uint8_t n)
{
    uint8_t crc = 0, b, i;
    do {
        b = *p++;
        i = 8;
        do {
            if ((crc ^ b) & 1)
                crc = (crc >> 1) ^ 0x8C;
            else
                crc >>= 1;
            b >>= 1;
        } while (--i);
    } while (--n);
    return crc;
}

#define OW_RESET   0x00             /* script entries: a reset, else a byte to write */
/* 760 ms (a 12-bit conversion takes up to 750 ms) in ticks of TICK_CYCLES machine cycles
 * at this crystal (152 at 11.0592 MHz), waited as CONV_ROUNDS waits of CONV_TICKS <= 255 */
#define CONV_TOTAL  (760UL * (BOARD_F_CPU / 12UL) / (1000UL * TICK_CYCLES) + 1)
#define CONV_ROUNDS ((CONV_TOTAL + 254) / 255)
#define CONV_TICKS  ((CONV_TOTAL + CONV_ROUNDS - 1) / CONV_ROUNDS)
#define RETRY_TICKS 100             /* 0.5 s (at 11.0592 MHz) between tries without a sensor */
#define S_READ     6                /* script index of the first scratchpad byte */

static const CODE uint8_t script[] = {
    OW_RESET, 0xCC, 0x44,           /* Skip ROM, Convert T */
    OW_RESET, 0xCC, 0xBE,           /* Skip ROM, Read Scratchpad, then 9 bytes */
};

static XDATA uint8_t pad[9];        /* the scratchpad as read */
/* in XDATA: every byte of internal RAM is a byte of stack */
static XDATA uint8_t step;          /* next script entry; S_READ.. S_READ + 8 read, then check */
static XDATA uint8_t mark, wait;    /* the next step is due when tick_count - mark >= wait */
#if CONV_ROUNDS > 1
static XDATA uint8_t rounds;        /* more waits of CONV_TICKS to come */
#endif

static XDATA uint8_t t_lo, t_hi;    /* the last good reading, 1/16 C two's complement */

/* a transaction ended: the new state (t_lo/t_hi set for TEMP_OK); the display changes */
static bool_t result(uint8_t state)
{
    temp_state = state;
    step = 0;
    return 1;
}

bool_t temp_tick(void)
{
    uint8_t s = step, c;

    if ((uint8_t)(tick_count - mark) < wait)
        return 0;
    mark = tick_count;
#if CONV_ROUNDS > 1
    if (rounds) {
        rounds--;
        return 0;
    }
#endif
    wait = 1;
    if (s < S_READ) {
        c = script[s];
        if (c == OW_RESET) {
            c = ow_reset();
            if (c) {
                wait = RETRY_TICKS;
                return result(c == 1 ? TEMP_NONE : TEMP_ERR);
            }
            wait = 2;                   /* tRSTH: >= 480 us before the next slot */
        } else {
            ow_byte(c);
            if (c == 0x44) {
                wait = CONV_TICKS;
#if CONV_ROUNDS > 1
                rounds = CONV_ROUNDS - 1;
#endif
            }
        }
    } else if (s < S_READ + 9) {
        pad[s - S_READ] = ow_byte(0xFF);
    } else {
        /* CRC (over all 9 bytes: 0), the configuration byte's fixed bits (0 R1 R0 11111),
         * and -64..127.9 C */
        c = pad[1];
        if (crc8(pad, 9) || (pad[4] & 0x9F) != 0x1F || (uint8_t)(c + 4) >= 12)
            return result(TEMP_ERR);
        t_lo = pad[0];
        t_hi = c;
        return result(TEMP_OK);
    }
    step = s + 1;
    return 0;
}

/* the LCD field (columns 9..14) without a number, by temp_state (7 bytes apart) */
static const CODE char marks[] = "      \0 --.-\0\0   Err";
static XDATA char field[6];

void temp_print(void)
{
    uint8_t i, ip, lo = t_lo, hi = t_hi;
    char c = ' ';

    if (temp_state != TEMP_OK) {
        out_fmt(marks + (uint8_t)(temp_state * 7));
        if (temp_state == TEMP_NONE)
            out_ch((char)0xDF);
        return;
    }
    if (hi & 0x80) {                    /* negative: two's complement of hi:lo */
        lo = -lo;
        hi = ~hi;
        if (!lo)
            hi++;
        c = '-';
    }
    /* right-aligned into field[]: sign, whole degrees (0..127), '.', the nearest tenth */
    ip = (uint8_t)(hi << 4) | (lo >> 4);
    field[5] = (char)0xDF;
    field[4] = '0' + ((uint8_t)((uint8_t)((lo & 15) * (uint8_t)10) + 8) >> 4);
    field[3] = '.';
    i = 3;
    do {                                /* uint8_t / and %: the 8051's DIV AB */
        field[--i] = '0' + ip % (uint8_t)10;
        ip /= (uint8_t)10;
    } while (ip);
    if (c != ' ')                       /* 3 digits only when positive (-64..127 C) */
        field[--i] = c;
    while (i)
        field[--i] = ' ';
    /* the LCD takes all six characters, the UART the number alone */
    do {
        c = field[i];
        if (!out_uart || (c != ' ' && c != (char)0xDF))
            out_ch(c);
    } while (++i < 6);
}

#endif /* FEATURE_DS18B20 */
