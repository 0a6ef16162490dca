/*
 * irq.c - interrupt bookkeeping (see irq.h). The handler side runs with
 * interrupts disabled (interrupt gates clear IF) and only counts, calls the
 * registered handler and sends the EOI; it prints nothing, so it never
 * interleaves with the console output of the code it interrupted.
 */
#include "apic.h"
#include "hw.h"
#include "irq.h"
#include "time.h"

struct irq_slot {
	irq_handler fn;
	void *ctx;
	bool registered;
};

static struct irq_slot slots[256];
static volatile unsigned int counts[256];
static volatile unsigned int unexpected, total, last_unexpected;
static bool window_open;

void irq_register(unsigned int vector, irq_handler fn, void *ctx)
{
	if (vector < IRQ_VECTOR_FIRST || vector > 255)
		return;
	slots[vector] = (struct irq_slot){ fn, ctx, true };
}

void irq_unregister(unsigned int vector)
{
	if (vector < 256)
		slots[vector] = (struct irq_slot){ 0 };
}

unsigned int irq_count(unsigned int vector)
{
	return vector < 256 ? counts[vector] : 0;
}

unsigned int irq_unexpected(void)
{
	return unexpected;
}

unsigned int irq_last_unexpected_vector(void)
{
	return last_unexpected;
}

unsigned int irq_total(void)
{
	return total;
}

void irq_reset_counts(void)
{
	for (int i = 0; i < 256; i++)
		counts[i] = 0;
	unexpected = total = last_unexpected = 0;
}

void irq_window_open(void)
{
	window_open = true;
	cpu_enable_interrupts();
}

void irq_window_close(void)
{
	cpu_disable_interrupts();
	window_open = false;
}

bool irq_window_is_open(void)
{
	return window_open;
}

unsigned int irq_wait(unsigned int vector, unsigned int count, unsigned int ms)
{
	struct deadline d = deadline_in_ms(ms);

	while (irq_count(vector) < count && !deadline_expired(d))
		cpu_relax();
	return irq_count(vector);
}

void irq_entry(unsigned long vector)
{
	const struct irq_slot *s;

	vector &= 0xff;
	s = &slots[vector];
	counts[vector]++;
	total++;
	if (!s->registered) {
		unexpected++;
		last_unexpected = (unsigned int)vector;
	} else if (s->fn) {
		s->fn((unsigned int)vector, s->ctx);
	}
	/* The spurious vector sets no ISR bit: an EOI would retire another one. */
	if (vector != APIC_SPURIOUS_VECTOR)
		apic_eoi();
}
