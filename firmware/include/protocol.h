/*
 * protocol.h - the serial line protocol of docs/protocol.md.
 *
 * protocol_rx() drains the UART receive ring into the line parser. Lines are parsed as they
 * arrive: a SET is validated and its DS1302 clock burst built before its line ends (at the
 * '*' of the checksum, or whenever the receive ring runs dry), so at the line end only the
 * checksum test and the 8-byte clock-burst write remain (well within 2 ms). A complete line
 * is executed at once and its reply queued as a one-byte code; protocol_poll() also sends
 * the queued replies, one whenever the transmit ring is empty, so received lines are never
 * held up by replies still going out (pipelined requests are all answered, in order).
 * Called from the main loop every pass, between LCD characters, and by uart_putc() while
 * it waits for room.
 */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include "compat.h"

#define PROTO_MAX_LINE 40
#define PROTO_QUEUE    144          /* replies waiting to be sent (one byte each) */

void   protocol_rx(void);           /* take received bytes, execute complete lines */
void   protocol_poll(void);         /* protocol_rx() and send a queued reply */
bool_t protocol_pending(void);      /* protocol_poll() has work now */
void   protocol_banner(void);       /* "clock51 READY" */

#endif /* PROTOCOL_H */
