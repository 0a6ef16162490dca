/*
 * sim_cpu.h - the simulated machine's CPU side for lib/machine/apic.c and
 * lib/machine/irq.c: the interrupt flag (sti/cli), MSRs (IA32_APIC_BASE), a local xAPIC page
 * at SIM_LAPIC_BASE, and plain MMIO memory regions (an MSI-X table in a BAR).
 *
 * Delivery follows the xAPIC (Intel SDM Vol. 3A §10.8): an MSI or
 * sim_lapic_raise() sets the vector's IRR bit; while interrupts are enabled
 * the highest IRR vector above the ISR's moves to the ISR and irq_entry()
 * runs; an EOI write clears the highest ISR bit and delivers what waits.
 */
#ifndef SIM_CPU_H
#define SIM_CPU_H

#include <stdbool.h>
#include <stdint.h>

#define SIM_LAPIC_BASE	0xfee00000ull
#define SIM_LAPIC_ID	0

void sim_cpu_reset(void);		/* from sim_reset() */

bool sim_cpu_if(void);			/* the interrupt flag */
void sim_set_msr(uint32_t msr, uint64_t val);
uint64_t sim_get_msr(uint32_t msr);

/* The LAPIC page: raw register access (no side effects), delivery, counters. */
uint32_t sim_lapic_get(uint32_t reg);
void sim_lapic_set(uint32_t reg, uint32_t val);
void sim_lapic_raise(uint8_t vector);
/* A memory write a device sends as MSI; false when it is not for this APIC. */
bool sim_msi_write(uint64_t addr, uint32_t data);
unsigned int sim_lapic_eois(void);

/* Plain memory of @size bytes at @base for mmio_read/write (at most 4 regions). */
void sim_mmio_ram(uint64_t base, uint32_t size);
uint32_t sim_mmio_ram_get32(uint64_t addr);
void sim_mmio_ram_set32(uint64_t addr, uint32_t val);

/* For sim.c's MMIO decoding: true when @addr is the LAPIC or a RAM region. */
bool sim_cpu_mmio(uint64_t addr, int size, bool write, uint32_t *val);

#endif
