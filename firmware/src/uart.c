/*
 * uart.c - interrupt-driven UART. See uart.h.
 *
 * The ISR calls nothing (it saves only the few registers it uses; no register bank is
 * reserved, which leaves 16 more bytes of internal RAM for data). Ring indices are single
 * bytes, so the main loop reads them atomically; each index has one writer (RX: head = ISR,
 * tail = main; TX: head = main, tail = ISR). tx_busy is set by uart_putc() when it starts a
 * transmission (by setting TI: the interrupt then loads SBUF) and cleared by the interrupt
 * when the buffer is sent, so the buffer is only reset while the interrupt leaves it alone.
 *
 * Overflow bookkeeping, all written by the ISR (rx_skip also by uart_rx_lost() with
 * interrupts off): rx_mid = the last byte received, stored or not, was not a line end (a
 * line is in progress); rx_skip = bytes are being dropped since the ring was full; rx_lost =
 * lines dropped meanwhile (a line end dropped while rx_mid). Dropping ends at the first byte
 * of a line that finds the ring empty, or, when the reader finds the ring empty after a
 * dropped line end, at once: either way every byte still in the ring came before the gap,
 * every byte stored later after it.
 */
#include "board_config.h"
#include "uart.h"
#include "tick.h"

#define RX_MASK (UART_RX_SIZE - 1)

static PDATA uint8_t rx_buf[UART_RX_SIZE];
static PDATA uint8_t tx_buf[UART_TX_SIZE];
static volatile uint8_t rx_head, rx_tail, tx_head;
/* only the ISR touches these in C (the rest is assembler): not volatile, for shorter code */
static uint8_t tx_tail;
static uint8_t rx_lost_lo, rx_lost_hi;  /* lines lost, 16 bits (uart_rx_lost() takes it) */
static volatile __bit tx_busy, rx_skip, rx_mid;
volatile __bit uart_event;

void uart_init(void)
{
    SCON = 0x50;                    /* mode 1 (8-bit, variable baud), REN = 1 */
#if UART_SMOD
    PCON |= 0x80;
#else
    PCON &= 0x7F;
#endif
    TMOD = TMOD_TIMERS;             /* Timer 1 (still stopped) mode 2, auto-reload */
    TH1 = UART_TH1;
    TL1 = UART_TH1;
    TR1 = 1;
    ES = 1;                         /* indices, counts and flags start at 0 (cleared RAM) */
}

#define XSTR(x) STR(x)
#define STR(x) #x

/* The bookkeeping is uart.h's:
 *   receive: next = (rx_head + 1) & RX_MASK; while dropping (rx_skip), store again from
 *   a byte that starts a line (!rx_mid) into an empty ring; else a full ring (next ==
 *   rx_tail) starts dropping. A stored byte goes to rx_buf[rx_head], rx_head = next. A
 *   line end dropped while a line was in progress counts one lost line (rx_lost, 16 bits);
 *   rx_mid = the byte is not a line end. uart_event = 1.
 *   transmit: the next byte of the line buffer, or, when it is all sent, tx_busy = 0 and
 *   uart_event = 1.
 * In C (15 bytes more than the same in assembler, measured): a debugger can stop on its
 * lines. It calls nothing, so SDCC saves only the registers it uses. */
void uart_isr(void) __interrupt(4)
{
    uint8_t c, next;

    if (RI) {
        RI = 0;
        c = SBUF;
        next = (rx_head + 1) & RX_MASK;
        if (rx_skip) {
            if (!rx_mid && rx_head == rx_tail) {
                rx_skip = 0;                /* a line starts, the ring is empty */
                goto store;
            }
        } else if (next == rx_tail) {
            rx_skip = 1;                    /* full: drop from this byte on */
        } else {
store:
            rx_buf[rx_head] = c;
            rx_head = next;
        }
        if (c == '\r' || c == '\n') {
            if (rx_skip && rx_mid)
                if (!++rx_lost_lo)          /* dropped, ending a line: one lost */
                    rx_lost_hi++;
            rx_mid = 0;
        } else {
            rx_mid = 1;
        }
        uart_event = 1;
    }
    if (TI) {
        TI = 0;
        if (tx_tail == tx_head) {
            tx_busy = 0;                    /* the line is sent */
            uart_event = 1;
        } else {
            SBUF = tx_buf[tx_tail];
            tx_tail++;
        }
    }
}

/* rx_head != rx_tail, in C (the carry) */
bool_t uart_rx_ready(void) __naked
{
    __asm__("    mov  a,_rx_head\n"
            "    xrl  a,_rx_tail\n"
            "    add  a,#0xFF\n"                    /* C: A != 0 */
            "    ret\n");
}

/* rx_tail moves on first (one XCH), then the byte is read: the interrupt stores only at
 * rx_head, which reaches the byte's slot only with the store after next, which the ring's
 * one empty slot refuses (next == rx_tail). Uses A and R0. */
uint8_t uart_getc(void) __naked
{
    __asm__("    mov  a,_rx_tail\n"
            "    inc  a\n"
            "    anl  a,#" XSTR(RX_MASK) "\n"
            "    xch  a,_rx_tail\n"                 /* A = the byte's index */
            "    add  a,#_rx_buf\n"
            "    mov  r0,a\n"
            "    movx a,@r0\n"
            "    mov  dpl,a\n"
            "    ret\n");
}

/* With interrupts off: a gap reached and ended with a line end (rx_skip, !rx_mid, the ring
 * empty) ends the dropping; then, unless still dropping, the count is taken (n = rx_lost,
 * rx_lost = 0); else n = 0. */
uint16_t uart_rx_lost(void) __naked
{
    __asm__("    clr  _EA\n"
            "    jnb  _rx_skip,00001$\n"
            "    jb   _rx_mid,00001$\n"
            "    mov  a,_rx_tail\n"
            "    cjne a,_rx_head,00001$\n"
            "    clr  _rx_skip\n"                   /* the gap is reached and ended */
            "00001$:\n"
            "    mov  dptr,#0\n"
            "    jb   _rx_skip,00002$\n"
            "    clr  a\n"
            "    xch  a,_rx_lost_lo\n"
            "    xch  a,dpl\n"                      /* A = 0 again (DPTR was) */
            "    xch  a,_rx_lost_hi\n"
            "    mov  dph,a\n"
            "00002$:\n"
            "    setb _EA\n"
            "    ret\n");
}

/* In assembler (it runs for every byte sent): touches A and DPL only (R0 is restored). The
 * byte is in the buffer before tx_head moves past it, so the interrupt never sends a byte not
 * yet written. */
void uart_putc(uint8_t c) __naked
{
    (void)c;
    __asm__("    mov  a,_tx_head\n"
            "    cjne a,#" XSTR(UART_TX_SIZE) ",00001$\n"
            "00001$:\n"
            "    jnc  00002$\n"                   /* full: the byte is dropped */
            "    add  a,#_tx_buf\n"                /* (PDATA, as the interrupt reads it) */
            "    xch  a,r0\n"                      /* R0 -> the slot, A = the caller's R0 */
            "    xch  a,dpl\n"                     /* A = c, DPL = the caller's R0 */
            "    movx @r0,a\n"
            "    mov  r0,dpl\n"
            "    inc  _tx_head\n"
            "00002$:\n"
            "    jb   _tx_busy,00003$\n"
            "    setb _tx_busy\n"
            "    setb _TI\n"                      /* the interrupt sends the buffer */
            "00003$:\n"
            "    ret\n");
}

bool_t uart_tx_idle(void)
{
    return !tx_busy;
}

void uart_tx_start(void) __naked
{
    __asm__("    clr  a\n"
            "    mov  _tx_head,a\n"
            "    mov  _tx_tail,a\n"
            "    ret\n");
}
