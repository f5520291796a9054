/*
 * uart.h - interrupt-driven UART (mode 1, 8N1) at UART_BAUD, Timer 1 mode 2 (auto-reload
 * TH1 = UART_TH1, SMOD = UART_SMOD) per board_config.h.
 *
 * Receive: the serial interrupt stores every byte in a 64-byte XRAM ring (64 ms of input at
 * 9600 baud), so no byte is lost while the main loop talks to the LCD or the DS1302.
 * Transmit: a 96-byte XRAM ring drained by the interrupt; uart_putc() only waits (in idle
 * mode) when the ring is full.
 */
#ifndef UART_H
#define UART_H

#include "compat.h"

#define UART_RX_SIZE 64
#define UART_TX_SIZE 96

void    uart_init(void);
bool_t  uart_rx_ready(void);        /* at least one byte waiting */
uint8_t uart_getc(void);            /* call only when uart_rx_ready() */
void    uart_putc(uint8_t c);
void    uart_puts(const CODE char *s);
bool_t  uart_tx_idle(void);         /* everything sent */

#if FW_TARGET
void uart_isr(void) __interrupt(4);  /* prototype must be visible to main.c */
#endif

#endif /* UART_H */
