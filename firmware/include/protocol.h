/*
 * protocol.h - the serial line protocol of docs/protocol.md.
 *
 * protocol_poll() drains the UART receive ring, assembles lines (CR, LF or CR LF end a
 * line; empty lines are ignored) and answers each complete line at once: the DS1302 write
 * of a SET happens before its reply is queued, a fraction of a millisecond after the line's
 * last byte. Called from the main loop every pass and between LCD characters.
 */
#ifndef PROTOCOL_H
#define PROTOCOL_H

#include "compat.h"

#define PROTO_MAX_LINE 40

void protocol_poll(void);
/* Answer the complete line now in the line buffer (exposed for host tests). */
void protocol_line_done(void);

#endif /* PROTOCOL_H */
