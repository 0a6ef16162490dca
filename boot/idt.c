/*
 * idt.c - our own IDT for the 32 CPU exceptions (stubs in boot/cpu.asm).
 * OVMF's handlers would print to its own console and hang; after
 * ExitBootServices the run must report the fault and exit instead.
 * Vectors 32..255 go to the interrupt stubs, which call irq_entry()
 * (lib/machine/irq.c) and return; interrupts stay disabled outside a test's window.
 */
#include <stdint.h>

#include "fault.h"

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t zero;
} __attribute__((packed));

struct idtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

#define GATE_INTERRUPT_PRESENT 0x8e	/* present, DPL 0, 64-bit interrupt gate */

extern const uint64_t isr_stub_table[32];
extern const uint64_t irq_stub_table[256 - 32];
void idt_load(const struct idtr *idtr);
uint16_t read_cs(void);

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void set_gate(int vector, uint64_t handler, uint16_t cs)
{
	idt[vector] = (struct idt_gate){
		.offset_lo = (uint16_t)handler,
		.selector = cs,
		.type_attr = GATE_INTERRUPT_PRESENT,
		.offset_mid = (uint16_t)(handler >> 16),
		.offset_hi = (uint32_t)(handler >> 32),
	};
}

void idt_init(void)
{
	static struct idtr idtr;
	uint16_t cs = read_cs();

	for (int v = 0; v < 32; v++)
		set_gate(v, isr_stub_table[v], cs);
	for (int v = 32; v < 256; v++)
		set_gate(v, irq_stub_table[v - 32], cs);
	idtr.limit = sizeof(idt) - 1;
	idtr.base = (uint64_t)(uintptr_t)idt;
	idt_load(&idtr);
}
