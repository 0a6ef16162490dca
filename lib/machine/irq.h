/*
 * irq.h - interrupts for the few tests that need them. The firmware polls;
 * interrupts are enabled only inside a test's explicit window:
 *
 *	irq_register(IRQ_VECTOR_HOTPLUG, NULL, NULL);
 *	irq_window_open();
 *	... make the device raise it ...
 *	n = irq_wait(IRQ_VECTOR_HOTPLUG, 1, 100);	(deadline)
 *	irq_window_close();
 *
 * Every vector 32..255 enters irq_entry() (boot/cpu.asm stubs): it counts
 * the delivery, calls the vector's handler if any, and sends the local
 * APIC an EOI (not for the spurious vector, Intel SDM Vol. 3A §10.9).
 * Deliveries to vectors nobody registered are counted as unexpected.
 */
#ifndef LIB_IRQ_H
#define LIB_IRQ_H

#include <stdbool.h>

#define IRQ_VECTOR_FIRST	32
#define IRQ_VECTOR_HOTPLUG	0x40	/* the hot-plug MSI (tests/hotplug_irq.c) */

typedef void (*irq_handler)(unsigned int vector, void *ctx);

/* @fn may be NULL: the vector is then only counted (and expected). */
void irq_register(unsigned int vector, irq_handler fn, void *ctx);
void irq_unregister(unsigned int vector);

/* Deliveries so far to @vector; to unregistered vectors; in total. */
unsigned int irq_count(unsigned int vector);
unsigned int irq_unexpected(void);
unsigned int irq_last_unexpected_vector(void);
unsigned int irq_total(void);
void irq_reset_counts(void);

/* sti / cli; whether a window is open (for the firmware's own checks). */
void irq_window_open(void);
void irq_window_close(void);
bool irq_window_is_open(void);

/*
 * Waits until @vector's count reaches @count or @ms pass (deadline; the
 * run's watchdog applies). Returns the count then.
 */
unsigned int irq_wait(unsigned int vector, unsigned int count, unsigned int ms);

/* The C side of the interrupt stubs (boot/cpu.asm). */
void irq_entry(unsigned long vector);

#endif
