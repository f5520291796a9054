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
    __asm__("    push ar6\n"                      /* naked: the caller expects R6, R7 kept */
            "    push ar7\n"
            "    mov  dpl,#2\n"
            "    jnb  " A_OW ",00009$\n"
            "    clr  " A_OW "\n"                  /* reset pulse, interrupts allowed */
            "    mov  r6,#" XSTR(OW_RESET_OUTER) "\n"
            "00001$:\n"
            "    mov  r7,#" XSTR(OW_RESET_INNER) "\n"
            "    djnz r7,.\n"
            "    djnz r6,00001$\n"
            "    clr  _EA\n"
            "    setb " A_OW "\n"                  /* release: t = 0 */
            OW_DELAY_PRESENCE
            "    mov  c," A_OW "\n"                /* 61..74 us: low = presence */
            "    setb _EA\n"
            "    mov  dpl,#0\n"
            "    jnc  00009$\n"
            "    inc  dpl\n"
            "00009$:\n"
            "    pop  ar7\n"
            "    pop  ar6\n"
            "    ret\n");
}

/* Eight slots, LSB first: writes b and returns the bits read (write 0xFF to read a byte;
 * a write-1 slot is a read slot). */
static uint8_t ow_byte(uint8_t b) __naked
{
    (void)b;
    __asm__("    push ar6\n"
            "    push ar7\n"
            "    mov  a,dpl\n"
            "    mov  r6,#8\n"
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
            "    djnz r6,00001$\n"
            "    mov  dpl,a\n"
            "    pop  ar7\n"
            "    pop  ar6\n"
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
static uint8_t step;                /* next script entry; S_READ.. S_READ + 8 read, then check */
static uint8_t mark, wait;          /* the next step is due when tick_count - mark >= wait */
#if CONV_ROUNDS > 1
static uint8_t rounds;              /* more waits of CONV_TICKS to come */
#endif

static XDATA uint8_t t_lo, t_hi;    /* the last good reading, 1/16 C two's complement */

/* the reading's state and value now; true when either changed */
static bool_t result(uint8_t state, uint8_t lo, uint8_t hi)
{
    bool_t changed = state != temp_state || lo != t_lo || hi != t_hi;
    temp_state = state;
    t_lo = lo;
    t_hi = hi;
    step = 0;
    return changed;
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
                return result(c == 1 ? TEMP_NONE : TEMP_ERR, 0, 0);
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
        /* CRC, the configuration byte's fixed bits (0 R1 R0 1 1 1 1 1), and -64..127.9 C */
        c = pad[1];
        if (crc8(pad, 8) != pad[8] || (pad[4] & 0x9F) != 0x1F || (uint8_t)(c + 4) >= 12)
            return result(TEMP_ERR, 0, 0);
        return result(TEMP_OK, pad[0], c);
    }
    step = s + 1;
    return 0;
}

void temp_print(void)
{
    uint8_t lo, hi, ip, n;
    bool_t neg = 0;

    if (temp_state != TEMP_OK) {
        if (out_uart)
            return;
        if (temp_state == TEMP_NONE) {
            out_fmt("\x99 --.-");         /* pad to column 9 (text.h FC_PAD) */
            out_ch((char)0xDF);
        } else if (temp_state == TEMP_ERR) {
            out_fmt("\x99   Err");
        }
        return;
    }
    lo = t_lo;
    hi = t_hi;
    if (hi & 0x80) {                    /* negative: two's complement of hi:lo */
        lo = -lo;
        hi = ~hi;
        if (!lo)
            hi++;
        neg = 1;
    }
    ip = (uint8_t)(hi << 4) | (lo >> 4);                         /* whole degrees, 0..127 */
    lo = (uint8_t)((uint8_t)((lo & 15) * (uint8_t)10) + 8) >> 4;  /* nearest tenth, 0..9 */
    n = 3 + neg;
    if (ip >= 10)
        n++;
    if (ip >= 100)
        n++;
    if (!out_uart)
        out_pad(14 - n);
    if (neg)
        out_ch('-');
    if (ip >= 100) {
        out_ch('1');
        ip -= 100;
        n = 0;                          /* the tens digit even if 0 */
    }
    ip = text_bcd(ip);
    if (!n || ip >= 0x10)
        out_ch('0' + (ip >> 4));
    out_ch('0' + (ip & 0x0F));
    out_ch('.');
    out_ch('0' + lo);
    if (!out_uart)
        out_ch((char)0xDF);
}

#endif /* FEATURE_DS18B20 */
