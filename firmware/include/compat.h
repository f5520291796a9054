/*
 * compat.h - hides SDCC's 8051 keywords so the pure-logic modules (calendar, lunar,
 * protocol parsing, text formatting) also compile with a host C compiler for unit tests.
 *
 * Memory-space qualifiers used by the firmware:
 *   CODE   constant tables in program memory (SDCC __code)
 *   XDATA  on-chip XRAM (256 bytes on STC89C52RC; MOVX @DPTR)
 *   PDATA  the same XRAM through MOVX @Ri (SDCC __pdata: an 8-bit address in R0/R1; the
 *          STC89C52RC's internal XRAM takes Ri as its whole address, P2 plays no part; the
 *          firmware's XRAM variables are all here: a byte less per access than XDATA, and
 *          indexing is 8-bit arithmetic)
 *   IDATA  internal RAM reached indirectly (upper 128 bytes usable)
 *   NEAR   pointee in internal RAM (data or idata): 1-byte @Ri pointers instead of SDCC's
 *          3-byte generic pointers (much smaller and faster code)
 *   REENTRANT  for the rare function called from both an ISR and main (none at present)
 *   BIT    a flag in the bit-addressable area (SDCC __bit): eight flags per byte of
 *          internal RAM, set, cleared and tested by single bit instructions
 * On a host compiler they all vanish.
 */
#ifndef COMPAT_H
#define COMPAT_H

#include <stdint.h>

#if defined(__SDCC_mcs51) || defined(SDCC_mcs51)
/* These functions save the registers they use themselves, so their callers keep values in
 * registers across the call instead of pushing and popping them around every call: chosen
 * one by one by measuring the image (README "The firmware": size). Every module includes
 * this header, so callers and callees agree. */
#pragma callee_saves blink_restart,cal_days_in_month,pad_take
#pragma callee_saves rq_get,rq_len,rq_put,stop,ui_cancel_edit
/* (assembler routines that touch no R0-R7, or save what they touch) */
#pragma callee_saves crc16,crc8,put_byte,get_byte,ow_reset,ow_byte,delay_100us,out_ch,uart_putc
#pragma callee_saves text_bcd,nibble_out,bus_out
#define CODE      __code
#define XDATA     __xdata
#define PDATA     __pdata
#define IDATA     __idata
#define NEAR      __idata
#define REENTRANT __reentrant
#define BIT       __bit
#define FW_TARGET 1
#else
#define CODE
#define XDATA
#define PDATA
#define IDATA
#define NEAR
#define REENTRANT
#define BIT       uint8_t
#define FW_TARGET 0
#endif

/* a truth value: on the 8051 a bit, so a function returns it in the carry flag (a caller
 * tests it with one JC/JNC instead of moving DPL into A and testing that: 97 bytes less
 * code, measured) and a variable of it takes a bit of the bit-addressable area */
#if FW_TARGET
typedef __bit bool_t;
#else
typedef uint8_t bool_t;
#endif

#endif /* COMPAT_H */
