/*
 * protocol.h - the serial line protocol of docs/protocol.md.
 *
 * protocol_poll() drains the UART receive ring into the line parser. Lines are parsed as they
 * arrive: a SET is validated and its DS1302 clock burst built before its line ends (at the
 * '#' or '*' of the check, or whenever the receive ring runs dry), so at the line end only the
 * check test and the DS1302 write (WP off, clock burst) remain. A complete line is
 * executed at once and its reply queued (a code and the request's result); protocol_poll()
 * also turns the oldest queued reply into text whenever the previous line has been sent.
 * Writing a reply never waits (the UART's line buffer holds a piece of it; the next piece
 * follows when the buffer has been sent), so received lines are never held up by replies
 * going out, and pipelined requests are answered in order.
 *
 * Queue: PROTO_QUEUE bytes. A reply is queued from its line end until its text is started:
 * a code byte, followed by the request's result where the reply needs more than one flag
 * (a SET's time: 6 bytes; an ALARM's time: 2; the date a CAL asks about: 3), so each reply
 * states what its own request did even when later lines changed things meanwhile (an ALARM entry is its code alone when
 * the time is the one of the ALARM entry before). It holds what a host has sent beyond the
 * request whose reply is on the wire: 49 PINGs, GETs, HOURS, INFOs or errors, 17 ALARMs
 * with times of their own, 14 CALs, 7 SETs (mixes in proportion).
 * Flow control: a new line is only taken while the queue has room for the largest entry
 * (7 bytes); otherwise it stays in the UART's receive ring until a reply has gone out. No
 * reply is ever dropped. No finite buffer can keep up with a host that streams short
 * requests without reading (at 9600 baud a 2-byte request, "X" CR, arrives in 2 ms while its
 * 21-byte reply takes 22 ms): once the receive ring is full too, bytes are lost (uart.h) and
 * each line lost is answered "ERR overflow" in its place, so every line still gets exactly
 * one reply. A host that waits for each reply, or sends requests at least as long as their
 * replies, never has more than a few outstanding.
 */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include "compat.h"

#define PROTO_MAX_LINE 40
#define PROTO_QUEUE    56           /* bytes: reply codes and their results */

void   protocol_poll(void);         /* take received bytes, execute lines, send replies */
bool_t protocol_set_near(void);     /* a SET line is within two bytes of its end (work that
                                       can wait should: its DS1302 write is due then) */
bool_t protocol_idle(void);        /* no line under way, no byte waiting */
void   protocol_rx(void);           /* take received bytes, execute lines (no text: it may
                                       run while the text sink is in use) */
void   protocol_banner(void);       /* "clock51 READY" */

#endif /* PROTOCOL_H */
