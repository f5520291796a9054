/* Pointers and structs: an array of records in XRAM, sorted through pointers, and a
 * linked list in IRAM. */
#include "short.h"

struct rec {
    unsigned char key;
    unsigned int val;
};

static __xdata struct rec recs[24];
static struct node {
    unsigned char v;
    struct node *next;
} nodes[8];

static void swap(__xdata struct rec *a, __xdata struct rec *b)
{
    unsigned char k = a->key;
    unsigned int v = a->val;
    a->key = b->key;
    a->val = b->val;
    b->key = k;
    b->val = v;
}

void main(void)
{
    unsigned char i, j, n = 6 + SP_N;
    unsigned char seed = 5 + 3 * SP_N;
    unsigned int sum = 0;
    struct node *p;

    uart_init();
    for (i = 0; i < n; i++) {
        seed = seed * 37 + 11;
        recs[i].key = seed;
        recs[i].val = (unsigned int)seed * (i + 1);
    }
    for (i = 0; i + 1 < n; i++)
        for (j = 0; j + 1 < n - i; j++)
            if (recs[j].key > recs[j + 1].key)
                swap(&recs[j], &recs[j + 1]);
    for (i = 0; i < 8; i++) {
        nodes[i].v = recs[i % n].key;
        nodes[i].next = i < 7 ? &nodes[i + 1] : 0;
    }
    for (p = nodes; p; p = p->next)
        sum = sum * 3 + p->v;
    hex8(recs[0].key);
    hex8(recs[n - 1].key);
    putchar(' ');
    hex16(recs[n / 2].val);
    putchar(' ');
    hex16(sum);
    nl();
    done();
}
