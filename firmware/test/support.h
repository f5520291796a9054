/*
 * support.h - small helpers shared by the suites (support.c, compiled into every suite).
 */
#ifndef SUPPORT_H
#define SUPPORT_H

#include <stdint.h>

/* "20yy-mm-dd" in a static buffer (for assertion messages) */
const char *date_text(uint8_t yy, uint8_t mm, uint8_t dd);

#endif /* SUPPORT_H */
