/*
 * uart.h - interrupt-driven UART (mode 1, 8N1) at UART_BAUD, Timer 1 mode 2 (auto-reload
 * TH1 = UART_TH1, SMOD = UART_SMOD) per board_config.h.
 *
 * Receive: the serial interrupt stores every byte in a 32-byte XRAM ring (33 ms of input at
 * 9600 baud); the main loop drains it into the protocol's line parser, which may also leave
 * bytes there (flow control: protocol.h). Interrupts are never disabled for longer than a
 * 1-Wire slot, so RI is always served within one frame.
 * Overflow: a byte that finds the ring full is dropped, and so is every byte after it until
 * the ring has been emptied and a line ends: the line cut by the overflow and every line
 * dropped whole are lost, the interrupt counts them (an empty line, CR after LF, is not a
 * line). Storing resumes with the first byte of a line that arrives once the ring is empty,
 * so the loss is one gap at one place in the byte stream: uart_rx_lost() reports the count
 * when the reader has taken every byte before the gap, and before any byte after it.
 * Transmit: one line buffer. uart_tx_start() (only while uart_tx_idle()) empties it,
 * uart_putc() appends to it and starts the interrupt-driven transmission; it never waits.
 * A reply longer than the buffer is written in pieces, each when the last one has been sent
 * (protocol.c checks the piece sizes at compile time); bytes beyond the buffer are dropped.
 * uart_event: set by the interrupt whenever a byte arrives or the buffer has been sent, so
 * the main loop asks the protocol for work only then (and sleeps otherwise).
 */
#ifndef UART_H
#define UART_H

#include "compat.h"

#define UART_RX_SIZE 32             /* power of two */
#define UART_TX_SIZE 52             /* the longest piece of a reply: HELP's 49 characters */

void    uart_init(void);
bool_t  uart_rx_ready(void);        /* at least one byte waiting */
uint8_t uart_getc(void);            /* call only when uart_rx_ready() */
/* lines lost to an overflow, once every byte received before them has been taken (0 before
 * that, and while the loss goes on); the count is taken: the next call returns 0 */
uint16_t uart_rx_lost(void);
void    uart_putc(uint8_t c);
bool_t  uart_tx_idle(void);         /* the last line is completely sent */
void    uart_tx_start(void);        /* a new line: call only when uart_tx_idle() */

#if FW_TARGET
extern volatile __bit uart_event;   /* a byte came in or the line buffer was sent */
void uart_isr(void) __interrupt(4);  /* prototype must be visible to main.c */
#endif

#endif /* UART_H */
