/* --model-large: variables and parameters in XRAM (MOVX @DPTR, MOVX @Ri via pdata),
 * sorting and checksumming xdata arrays, printf (integer) from the large library.
 * The STC89C52RC has 256 bytes of on-chip XRAM: build with --xram-size 256. */
#include <stdio.h>
#include <string.h>
#include "common.h"

__xdata unsigned int values[24];
__xdata char text[40];
__pdata unsigned char pcount[16];

static unsigned int checksum(__xdata unsigned char *p, unsigned char n)
{
    unsigned int s = 0xFFFF;
    while (n--) {
        s ^= *p++;
        s = (s >> 1) ^ ((s & 1) ? 0xA001 : 0);
    }
    return s;
}

void main(void)
{
    unsigned char i, j;
    unsigned int t, seed = 7;

    uart_init();
    puts_("large_model");
    nl();
    for (i = 0; i < 24; i++) {
        seed = seed * 25173 + 13849;
        values[i] = seed;
        pcount[seed & 15]++;
    }
    for (i = 0; i < 23; i++)
        for (j = 0; j < 23 - i; j++)
            if (values[j] > values[j + 1]) {
                t = values[j];
                values[j] = values[j + 1];
                values[j + 1] = t;
            }
    printf("min=%u max=%u mid=%u\r\n", values[0], values[23], values[12]);
    printf("crc=%04x\r\n", checksum((__xdata unsigned char *)values, sizeof values));
    for (i = 0; i < 16; i++)
        printf("%d", pcount[i]);
    printf("\r\n");
    strcpy(text, "large model ");
    strcat(text, "strings in xdata");
    printf("%s len=%d\r\n", text, (int)strlen(text));
    done();
}
