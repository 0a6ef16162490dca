/*
 * console.c - polled 16550 UART driver (see console.h).
 *
 * No interrupts: the firmware polls. Transmit waits for the holding
 * register with a bounded spin (it must work before the clock does, and a
 * dead UART must not hang the run).
 */
#include "console.h"
#include "hw.h"

#define UART_RBR 0	/* receive buffer (read) */
#define UART_THR 0	/* transmit holding (write) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define  UART_LSR_DR	0x01
#define  UART_LSR_THRE	0x20
#define  UART_LSR_TEMT	0x40	/* FIFO and shift register empty */
#define UART_DLL 0
#define UART_DLM 1

#define UART_TX_SPINS 100000
#define UART_DRAIN_SPINS (16 * UART_TX_SPINS)	/* a whole FIFO's worth */

void uart_init(uint16_t base)
{
	outb(base + UART_IER, 0x00);
	outb(base + UART_LCR, 0x80);		/* DLAB: program the divisor */
	outb(base + UART_DLL, 0x01);		/* 115200 baud */
	outb(base + UART_DLM, 0x00);
	outb(base + UART_LCR, 0x03);		/* 8N1 */
	outb(base + UART_FCR, 0x07);		/* FIFOs on, both cleared */
	outb(base + UART_MCR, 0x03);		/* DTR, RTS; OUT2 off: polled */
}

void uart_putc(uint16_t base, char c)
{
	for (int i = 0; i < UART_TX_SPINS; i++)
		if (inb(base + UART_LSR) & UART_LSR_THRE)
			break;
	outb(base + UART_THR, (uint8_t)c);
}

bool uart_drain(uint16_t base)
{
	for (int i = 0; i < UART_DRAIN_SPINS; i++)
		if (inb(base + UART_LSR) & UART_LSR_TEMT)
			return true;
	return false;
}

int uart_getc(uint16_t base)
{
	if (!(inb(base + UART_LSR) & UART_LSR_DR))
		return -1;
	return inb(base + UART_RBR);
}

void console_init(void)
{
	uart_init(COM1_PORT);
}

void console_putc(char c)
{
	if (c == '\n')
		uart_putc(COM1_PORT, '\r');
	uart_putc(COM1_PORT, c);
}

void console_write(const char *s, unsigned long len)
{
	for (unsigned long i = 0; i < len; i++)
		console_putc(s[i]);
}
