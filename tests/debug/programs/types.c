/* Every kind of C type and address space the debug information describes: the CDB
 * reader and value tests (tests/debug/test_cdb.py) read it after main() set it up. */
#include <8052.h>
#include <stdint.h>

struct point { int x; int y; };
struct rec {
    unsigned char tag;
    struct point p;
    char name[4];
    unsigned int flags : 3;
    unsigned int mode : 5;
    long big;
    __xdata unsigned char *xp;
};

signed char c_global = -5;
unsigned char uc_global = 200;
int i_global = -1234;
unsigned int ui_global = 54321;
long l_global = -100000;
unsigned long ul_global = 3000000000UL;
float f_global = 1.5;
__bit b_global;
__xdata int x_array[5];
__idata unsigned char i_buf[3];
__code const char banner[] = "hi!";
struct rec r_global;
__xdata struct point x_point;
char *g_ptr;
__xdata unsigned char *x_ptr;
__idata unsigned char *i_ptr;
__code const char *c_ptr;
struct point *p_ptr;
static unsigned char file_static = 7;

int sum(int a, int b) __reentrant
{
    int t = a + b;
    char pad[3];
    pad[0] = 1; pad[1] = 2; pad[2] = 3;
    return t + pad[1];
}

long scale(long v, unsigned char k)
{
    long acc = 0;
    unsigned char n;
    for (n = 0; n < k; n++) {
        acc += v;
    }
    return acc;
}

float half(float f)
{
    float h = f / 2;
    return h;
}

void main(void)
{
    static unsigned char counter;
    unsigned char i;
    r_global.tag = 'R';
    r_global.p.x = 10;
    r_global.p.y = -20;
    r_global.name[0] = 'a';
    r_global.flags = 5;
    r_global.mode = 17;
    r_global.big = 123456789;
    for (i = 0; i < 5; i++)
        x_array[i] = i * 100;
    i_buf[0] = 1; i_buf[1] = 2; i_buf[2] = 3;
    x_point.x = 7; x_point.y = 8;
    g_ptr = &c_global;
    x_ptr = (__xdata unsigned char *)&x_array[1];
    i_ptr = i_buf;
    c_ptr = banner;
    p_ptr = &r_global.p;
    b_global = 1;
    i_global = sum(i_global, 4);
    l_global = scale(l_global, 3);
    f_global = half(f_global);
    counter++;
    file_static++;
    while (1)               /* DONE */
        ;
}
