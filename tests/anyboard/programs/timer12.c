/*
 * timer12.c - a 12 MHz board with no serial port: Timer 2 (16-bit auto-reload, RCAP2 =
 * 65536 - 1000: 1000 machine cycles of 1 us) interrupts every 1 ms, main counts seconds
 * on an 8-bit LCD ("up 12 MHz" / "t=N s") and toggles an LED each second. Busy-flag
 * polled LCD. Board: boards/timer12.toml.
 */
#include <8052.h>

#define LCD_RS P2_6
#define LCD_RW P2_5
#define LCD_E  P2_7
#define LCD_DATA P0
#define LED P1_0

static volatile unsigned int ms;

void timer2_isr(void) __interrupt(5)
{
    TF2 = 0;
    ms++;
}

static void lcd_wait(void)
{
    unsigned char busy;
    LCD_DATA = 0xFF;
    LCD_RS = 0;
    LCD_RW = 1;
    do {
        LCD_E = 1;
        busy = LCD_DATA & 0x80;
        LCD_E = 0;
    } while (busy);
    LCD_RW = 0;
}

static void lcd_put(unsigned char rs, unsigned char v)
{
    lcd_wait();
    LCD_RS = rs;
    LCD_DATA = v;
    LCD_E = 1;
    LCD_E = 0;
}

static void lcd_text(const char *s)
{
    while (*s)
        lcd_put(1, *s++);
}

static unsigned int now(void)
{
    unsigned int t;
    EA = 0;
    t = ms;
    EA = 1;
    return t;
}

void main(void)
{
    unsigned char seconds = 0, i;
    unsigned int last;
    RCAP2H = TH2 = (65536 - 1000) >> 8;
    RCAP2L = TL2 = (65536 - 1000) & 0xFF;
    ET2 = 1;
    TR2 = 1;
    EA = 1;
    while (now() < 20)          /* > 15 ms after power-on */
        ;
    LCD_E = 0;
    LCD_RW = 0;
    LCD_RS = 0;
    for (i = 0; i < 3; i++) {   /* 0x30 three times, 5 ms apart */
        LCD_DATA = 0x30;
        LCD_E = 1;
        LCD_E = 0;
        last = now();
        while (now() - last < 5)
            ;
    }
    lcd_put(0, 0x38);
    lcd_put(0, 0x0C);
    lcd_put(0, 0x01);
    lcd_put(0, 0x06);
    lcd_text("up 12 MHz");
    last = now();
    for (;;) {
        if (now() - last >= 1000) {
            last += 1000;
            seconds++;
            LED = !LED;
            lcd_put(0, 0xC0);
            lcd_text("t=");
            if (seconds >= 10)
                lcd_put(1, '0' + seconds / 10);
            lcd_put(1, '0' + seconds % 10);
            lcd_text(" s");
        }
    }
}
