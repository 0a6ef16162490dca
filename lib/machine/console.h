/*
 * console.h - 16550 UART driver. COM1 is the human console, COM2 the host
 * link (lib/runtime/hostlink.h).
 */
#ifndef LIB_CONSOLE_H
#define LIB_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#define COM1_PORT 0x3f8
#define COM2_PORT 0x2f8

void uart_init(uint16_t base);
void uart_putc(uint16_t base, char c);
/*
 * Waits (bounded) until the UART has handed every byte on: QEMU's 16550
 * keeps bytes its chardev could not take yet in the FIFO (Transmitter
 * Empty clear) and drops them when the VM exits. False if it never drained.
 */
bool uart_drain(uint16_t base);
/* Returns -1 when no byte is waiting. */
int uart_getc(uint16_t base);

/* The human console. */
void console_init(void);
void console_putc(char c);
void console_write(const char *s, unsigned long len);

#endif
