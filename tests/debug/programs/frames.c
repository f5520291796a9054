/* Call stacks, scopes and stepping for the debugger tests (tests/debug/test_runtime.py):
 * a reentrant recursion with its locals on the stack, a Timer 0 interrupt that calls a
 * function, a call through a function pointer, a nested block, assembler entered by a jump
 * from the function that was called, an idle loop. */
#include <8052.h>

volatile unsigned char ticks;
volatile unsigned char isr_seen;
unsigned char depth_seen;
unsigned int calls;

unsigned char leaf(unsigned char v)
{
    unsigned char w;
    calls++;                        /* LEAF_FIRST */
    w = v + 1;
    return w;                       /* LEAF_RETURN */
}

void timer0_isr(void) __interrupt(1)
{
    TH0 = 0xFC;
    ticks++;                        /* ISR_BODY */
    isr_seen = leaf(ticks | 0x80);
}

int fact(int n, unsigned char tag) __reentrant
{
    unsigned char mark[2];          /* on the stack, as tag is */
    mark[0] = tag;                  /* FACT_FIRST */
    mark[1] = (unsigned char)n;
    if (n <= 1) {
        depth_seen = mark[0];       /* FACT_BASE */
        return 1;
    }
    return n * fact(n - 1, tag + 1);  /* FACT_RECURSE */
}

unsigned char (*op)(unsigned char) = leaf;

/* assembler reached by a jump: the return address on the stack follows a call to
 * tail_entry, not to tail_target (as the firmware's start() runs into put_byte()) */
unsigned char jumped;

void tail_target(void) __naked
{
    __asm__("    inc  _jumped\n"   /* TAIL_BODY */
            "    ret\n");
}

void tail_entry(void) __naked
{
    __asm__("    ljmp _tail_target\n");
}

void main(void)
{
    int f;
    unsigned char k;
    TMOD = 0x01;                    /* MAIN_FIRST */
    TH0 = 0xFC;
    TL0 = 0x00;
    ET0 = 1;
    EA = 1;
    TR0 = 1;
    f = fact(4, 10);                /* MAIN_FACT */
    k = op(5);                      /* MAIN_OP */
    {
        unsigned char k2 = k + 1;   /* MAIN_BLOCK */
        depth_seen = k2 + (unsigned char)f;
    }
    tail_entry();                   /* MAIN_TAIL */
    while (1) {
        PCON |= 1;                  /* MAIN_IDLE */
        k++;                        /* MAIN_AFTER_IDLE */
    }
}
