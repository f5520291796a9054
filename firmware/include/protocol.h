/*
 * protocol.h - the serial line protocol of docs/protocol.md.
 *
 * protocol_poll() drains the UART receive ring into the line parser. Lines are parsed as they
 * arrive: a SET is validated and its DS1302 clock burst built before its line ends (at the
 * '#' or '*' of the check, or whenever the receive ring runs dry), so at the line end only the
 * check test and the DS1302 write (WP off, clock burst) remain. A complete line is
 * executed at once and its reply queued as a one-byte code; protocol_poll() also turns the
 * oldest queued code into its reply line whenever the previous line has been sent. Writing
 * a reply never waits (the UART buffer holds a whole line), so received lines are never held
 * up by replies going out and pipelined requests are answered in order.
 *
 * Queue: PROTO_QUEUE bytes. A reply is queued from its line end until its text is generated,
 * which happens as soon as the line before it has been sent: a code byte, followed by the
 * request's result (a SET's time or the date a CAL asks about: 7 bytes; the settings after
 * ALARM, HOURS or INFO: 3), so each reply states what its own request did even when later
 * lines changed things meanwhile. The queue holds what a host has sent beyond the request
 * whose reply is on the wire: up to 31 PINGs, GETs or errors, 7 ALARM/HOURS/INFO, or 3 SETs
 * or CALs waiting (mixes in proportion). No finite queue can do more: at 9600 baud a 2-byte request ("X" CR) arrives
 * in 2 ms while its 21-byte reply takes 22 ms to send, so a host streaming short requests
 * without reading would outrun any queue. Beyond that a reply is dropped (never a received
 * byte). A host that waits for each reply, or sends requests at least as long as their
 * replies, never has more than a few outstanding.
 */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include "compat.h"

#define PROTO_MAX_LINE 40
#define PROTO_QUEUE    32           /* bytes: reply codes and their results */

void   protocol_poll(void);         /* take received bytes, execute lines, start a reply */
bool_t protocol_pending(void);      /* protocol_poll() has work now */
void   protocol_banner(void);       /* "clock51 READY" */

#endif /* PROTOCOL_H */
