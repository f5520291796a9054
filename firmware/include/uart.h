/*
 * uart.h - interrupt-driven UART (mode 1, 8N1) at UART_BAUD, Timer 1 mode 2 (auto-reload
 * TH1 = UART_TH1, SMOD = UART_SMOD) per board_config.h.
 *
 * Receive: the serial interrupt stores every byte in a 32-byte XRAM ring (33 ms of input at
 * 9600 baud); the main loop drains it into the protocol's line parser at every pass and
 * between LCD characters, so no byte is lost while it talks to the LCD or the DS1302.
 * Interrupts are never disabled for longer than a few instructions (the DS1302 and LCD
 * drivers run with EA = 1), so RI is always served within one frame.
 * Transmit: a 32-byte XRAM ring drained by the interrupt; when it is full uart_putc() keeps
 * feeding received bytes to the protocol (protocol_rx) while it waits, so a long reply
 * never makes the receive ring overflow.
 */
#ifndef UART_H
#define UART_H

#include "compat.h"

#define UART_RX_SIZE 32
#define UART_TX_SIZE 32

void    uart_init(void);
bool_t  uart_rx_ready(void);        /* at least one byte waiting */
uint8_t uart_getc(void);            /* call only when uart_rx_ready() */
void    uart_putc(uint8_t c);
bool_t  uart_tx_empty(void);        /* nothing waiting in the transmit ring */

#if FW_TARGET
void uart_isr(void) __interrupt(4);  /* prototype must be visible to main.c */
#endif

#endif /* UART_H */
