/* esp32c3-hello: a bare-metal (no_std-style) program for the ESP32-C3. After the second-stage
 * bootloader has mapped flash and loaded the RAM segments it enters _start, which sets the
 * stack, zeroes .bss and prints numbered lines "hello N" on UART0 at the baud the ROM left. */
#include <stdint.h>

/* ESP32-C3 TRM, UART controller: UART0 at 0x60000000; FIFO register at +0x00 (writes push a
 * byte), STATUS at +0x1C with the TX FIFO fill level in bits 16..25; the FIFO holds 128 bytes. */
#define UART0_FIFO (*(volatile uint32_t *)0x60000000u)
#define UART0_STATUS (*(volatile uint32_t *)0x6000001Cu)
#define UART_TXFIFO_COUNT(status) (((status) >> 16) & 0x3FFu)
#define UART_FIFO_BYTES 128u

extern uint32_t _bss_start[], _bss_end[];

static const char greeting[] = "hello ";  /* flash-mapped data (DROM) */
static volatile uint32_t line_number = 1; /* initialised data (DRAM) */
static char digits[12];                   /* zeroed data (.bss) */

/* Reset entry: the stack first, then C. */
__asm__(".section .text._start, \"ax\"\n"
        ".global _start\n"
        "_start:\n"
        "    la sp, _stack_top\n"
        "    j app_main\n");

/* Kept in IRAM: console output must not depend on the flash cache. */
__attribute__((section(".iram1.uart_put"), noinline)) static void uart_put(char c)
{
    while (UART_TXFIFO_COUNT(UART0_STATUS) >= UART_FIFO_BYTES - 1u)
        ;
    UART0_FIFO = (uint8_t)c;
}

static void uart_write(const char *s)
{
    while (*s)
        uart_put(*s++);
}

static const char *decimal(uint32_t n)
{
    char *p = digits + sizeof digits - 1;
    *p = 0;
    do {
        *--p = (char)('0' + n % 10u);
        n /= 10u;
    } while (n);
    return p;
}

static void delay(uint32_t loops)
{
    for (volatile uint32_t i = 0; i < loops; i++)
        ;
}

__attribute__((noreturn, used)) void app_main(void)
{
    for (uint32_t *w = _bss_start; w < _bss_end; w++)
        *w = 0;
    for (;;) {
        uart_write(greeting);
        uart_write(decimal(line_number++));
        uart_write("\r\n");
        delay(4000000u);
    }
}
