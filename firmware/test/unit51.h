/*
 * unit51.h - clock51's small unit-test harness for firmware tests that run on the 8051
 * (in `clock51-sim exec`, through `pio test -e test`). Our own code; its API names and its
 * output follow the Unity test framework's conventions, so PlatformIO's readers and people
 * who know Unity feel at home:
 *
 *     firmware/test/test_calendar/test_main.c:41:test_weekday:PASS
 *     firmware/test/test_calendar/test_main.c:57:test_valid:FAIL: Expected 29 Was 28
 *     ...
 *     -----------------------
 *     12 Tests 1 Failures 0 Ignored
 *     FAIL
 *
 * A suite is one folder firmware/test/test_<name>/ whose main() is in test_main.c:
 *
 *     #include "unit51.h"
 *     static void test_something(void) { TEST_ASSERT_EQUAL_UINT8(3, f()); }
 *     void main(void) { UNITY_BEGIN(); RUN_TEST(test_something); UNITY_END(); }
 *
 * - A failed assertion prints file:line:test:FAIL: message and ends the test at once, from
 *   any depth of calls (setjmp/longjmp; the 8051 code is not reentrant, so do not assert
 *   inside recursion). TEST_IGNORE() ends it as ignored. Every assertion evaluates its
 *   arguments once.
 * - Output goes to the UART (mode 1, 57600 baud at 11.0592 MHz: TH1 = 0xFF, SMOD = 1), so a
 *   test image also reports on a real board's serial port.
 * - Result: UNITY_BEGIN() writes 1 to the simulator's exit status port (SFR 0xFF, which no
 *   MCS-51 part implements); UNITY_END() prints the summary, writes 0 there when every test
 *   passed (else the failure count, at most 255) and stops in `sjmp .`. `clock51-sim exec`
 *   exits 0 only when the port holds 0 at that stop, so a suite that crashes, hangs (cycle
 *   budget) or stops before UNITY_END() fails too. UNITY_END() does not return.
 */
#ifndef UNIT51_H
#define UNIT51_H

#include <stdint.h>

/* The harness keeps its parameters on the stack (reentrant), not in the scarce directly
 * addressed RAM the modules under test need; its state is in indirect RAM (idata). */
#define UNIT_RE __reentrant

typedef void (*unit_fn)(void);

void unit_begin(void) UNIT_RE;
void unit_end(void) UNIT_RE;
void unit_run(unit_fn fn, const char *name, const char *file, uint16_t line) UNIT_RE;

/* how unit_equal() prints the two values */
#define UNIT_DEC  0     /* signed decimal */
#define UNIT_UDEC 1     /* unsigned decimal */
#define UNIT_HEX8 2     /* 0x2A */
#define UNIT_HEX16 3    /* 0x012A */

/* The failing paths (never return: the test ends) and the comparisons. */
void unit_fail(const char *file, uint16_t line, const char *what, const char *msg) UNIT_RE;
void unit_ignore(const char *file, uint16_t line, const char *msg) UNIT_RE;
void unit_true(uint8_t ok, const char *file, uint16_t line, const char *what,
               const char *msg) UNIT_RE;
void unit_equal(int32_t expected, int32_t actual, uint8_t how, const char *file,
                uint16_t line, const char *msg) UNIT_RE;
void unit_equal_string(const char *expected, const char *actual, const char *file,
                       uint16_t line, const char *msg) UNIT_RE;
void unit_equal_memory(const void *expected, const void *actual, uint8_t len,
                       const char *file, uint16_t line, const char *msg) UNIT_RE;

/* Print from a test (one line, e.g. context before a loop of assertions). */
void unit_print(const char *s) UNIT_RE;
void unit_print_uint(uint16_t v) UNIT_RE;

/* ---- the Unity-style API ---- */

#define UNITY_BEGIN()   unit_begin()
#define UNITY_END()     unit_end()
#define RUN_TEST(fn)    unit_run(fn, #fn, __FILE__, __LINE__)

#define TEST_FAIL_MESSAGE(m)        unit_fail(__FILE__, __LINE__, "", m)
#define TEST_FAIL()                 TEST_FAIL_MESSAGE(0)
#define TEST_IGNORE_MESSAGE(m)      unit_ignore(__FILE__, __LINE__, m)
#define TEST_IGNORE()               TEST_IGNORE_MESSAGE(0)

#define TEST_ASSERT_MESSAGE(c, m) \
    unit_true((c) ? 1 : 0, __FILE__, __LINE__, "Expression Evaluated To FALSE", m)
#define TEST_ASSERT(c)                  TEST_ASSERT_MESSAGE(c, 0)
#define TEST_ASSERT_TRUE_MESSAGE(c, m) \
    unit_true((c) ? 1 : 0, __FILE__, __LINE__, "Expected TRUE Was FALSE", m)
#define TEST_ASSERT_TRUE(c)             TEST_ASSERT_TRUE_MESSAGE(c, 0)
#define TEST_ASSERT_FALSE_MESSAGE(c, m) \
    unit_true((c) ? 0 : 1, __FILE__, __LINE__, "Expected FALSE Was TRUE", m)
#define TEST_ASSERT_FALSE(c)            TEST_ASSERT_FALSE_MESSAGE(c, 0)

#define TEST_ASSERT_EQUAL_INT_MESSAGE(e, a, m) \
    unit_equal((int32_t)(e), (int32_t)(a), UNIT_DEC, __FILE__, __LINE__, m)
#define TEST_ASSERT_EQUAL_UINT_MESSAGE(e, a, m) \
    unit_equal((int32_t)(uint32_t)(e), (int32_t)(uint32_t)(a), UNIT_UDEC, __FILE__, __LINE__, m)
#define TEST_ASSERT_EQUAL_UINT8_MESSAGE(e, a, m) \
    unit_equal((uint8_t)(e), (uint8_t)(a), UNIT_UDEC, __FILE__, __LINE__, m)
#define TEST_ASSERT_EQUAL_UINT16_MESSAGE(e, a, m) \
    unit_equal((uint16_t)(e), (uint16_t)(a), UNIT_UDEC, __FILE__, __LINE__, m)
#define TEST_ASSERT_EQUAL_HEX8_MESSAGE(e, a, m) \
    unit_equal((uint8_t)(e), (uint8_t)(a), UNIT_HEX8, __FILE__, __LINE__, m)
#define TEST_ASSERT_EQUAL_HEX16_MESSAGE(e, a, m) \
    unit_equal((uint16_t)(e), (uint16_t)(a), UNIT_HEX16, __FILE__, __LINE__, m)
#define TEST_ASSERT_EQUAL_MESSAGE(e, a, m)  TEST_ASSERT_EQUAL_INT_MESSAGE(e, a, m)
#define TEST_ASSERT_EQUAL_STRING_MESSAGE(e, a, m) \
    unit_equal_string(e, a, __FILE__, __LINE__, m)
#define TEST_ASSERT_EQUAL_MEMORY_MESSAGE(e, a, n, m) \
    unit_equal_memory(e, a, n, __FILE__, __LINE__, m)

#define TEST_ASSERT_EQUAL_INT(e, a)     TEST_ASSERT_EQUAL_INT_MESSAGE(e, a, 0)
#define TEST_ASSERT_EQUAL_UINT(e, a)    TEST_ASSERT_EQUAL_UINT_MESSAGE(e, a, 0)
#define TEST_ASSERT_EQUAL_UINT8(e, a)   TEST_ASSERT_EQUAL_UINT8_MESSAGE(e, a, 0)
#define TEST_ASSERT_EQUAL_UINT16(e, a)  TEST_ASSERT_EQUAL_UINT16_MESSAGE(e, a, 0)
#define TEST_ASSERT_EQUAL_HEX8(e, a)    TEST_ASSERT_EQUAL_HEX8_MESSAGE(e, a, 0)
#define TEST_ASSERT_EQUAL_HEX16(e, a)   TEST_ASSERT_EQUAL_HEX16_MESSAGE(e, a, 0)
#define TEST_ASSERT_EQUAL(e, a)         TEST_ASSERT_EQUAL_MESSAGE(e, a, 0)
#define TEST_ASSERT_EQUAL_STRING(e, a)  TEST_ASSERT_EQUAL_STRING_MESSAGE(e, a, 0)
#define TEST_ASSERT_EQUAL_MEMORY(e, a, n) TEST_ASSERT_EQUAL_MEMORY_MESSAGE(e, a, n, 0)

#endif /* UNIT51_H */
