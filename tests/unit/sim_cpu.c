/*
 * sim_cpu.c - interrupt flag, MSRs, local APIC and MMIO RAM of the
 * simulated machine (see sim_cpu.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw.h"
#include "sim_cpu.h"

void irq_entry(unsigned long vector);	/* lib/machine/irq.c */

#define MAX_RAM 4
#define MSR_IA32_APICBASE 0x1b

struct ram {
	uint64_t base;
	uint32_t size;
	uint8_t *mem;
};

static bool if_flag;
static uint64_t apicbase;
static uint32_t lapic[1024];
static unsigned int eois;
static struct ram rams[MAX_RAM];
static int nrams;
static int depth;

void sim_cpu_reset(void)
{
	if_flag = false;
	apicbase = SIM_LAPIC_BASE | 0x900;	/* enabled, BSP */
	memset(lapic, 0, sizeof(lapic));
	lapic[0x20 / 4] = (uint32_t)SIM_LAPIC_ID << 24;
	lapic[0x30 / 4] = 0x00050014;		/* QEMU's version register */
	lapic[0xf0 / 4] = 0xff;			/* SVR after reset: disabled */
	for (int i = 0; i < nrams; i++)
		free(rams[i].mem);
	nrams = 0;
	eois = 0;
	depth = 0;
}

bool sim_cpu_if(void)
{
	return if_flag;
}

void sim_set_msr(uint32_t msr, uint64_t val)
{
	if (msr == MSR_IA32_APICBASE)
		apicbase = val;
}

uint64_t sim_get_msr(uint32_t msr)
{
	return msr == MSR_IA32_APICBASE ? apicbase : 0;
}

uint64_t rdmsr(uint32_t msr)
{
	return sim_get_msr(msr);
}

void wrmsr(uint32_t msr, uint64_t val)
{
	sim_set_msr(msr, val);
}

/* ---- local APIC ---- */

static bool bit(uint32_t reg, int v)
{
	return lapic[(reg + (v / 32) * 0x10) / 4] & (1u << (v % 32));
}

static void set_bit(uint32_t reg, int v, bool on)
{
	uint32_t *w = &lapic[(reg + (v / 32) * 0x10) / 4];

	*w = on ? *w | (1u << (v % 32)) : *w & ~(1u << (v % 32));
}

static int highest(uint32_t reg)
{
	for (int v = 255; v >= 16; v--)
		if (bit(reg, v))
			return v;
	return -1;
}

/* Delivers what the APIC may deliver now (nested, like the CPU would). */
static void deliver(void)
{
	int v;

	if (depth > 16)
		return;
	while (if_flag && (v = highest(0x200)) >= 0 && (v >> 4) > (highest(0x100) >> 4) &&
	       (lapic[0xf0 / 4] & 0x100)) {
		set_bit(0x200, v, false);
		set_bit(0x100, v, true);
		depth++;
		if_flag = false;		/* an interrupt gate clears IF */
		irq_entry((unsigned long)v);
		if_flag = true;			/* iretq restores it */
		depth--;
	}
}

void cpu_enable_interrupts(void)
{
	if_flag = true;
	deliver();
}

void cpu_disable_interrupts(void)
{
	if_flag = false;
}

uint32_t sim_lapic_get(uint32_t reg)
{
	return lapic[(reg & 0xfff) / 4];
}

void sim_lapic_set(uint32_t reg, uint32_t val)
{
	lapic[(reg & 0xfff) / 4] = val;
}

void sim_lapic_raise(uint8_t vector)
{
	set_bit(0x200, vector, true);
	deliver();
}

bool sim_msi_write(uint64_t addr, uint32_t data)
{
	if ((addr & 0xfff00000) != 0xfee00000 || ((addr >> 12) & 0xff) != SIM_LAPIC_ID)
		return false;
	sim_lapic_raise((uint8_t)data);
	return true;
}

unsigned int sim_lapic_eois(void)
{
	return eois;
}

static void lapic_write(uint32_t reg, uint32_t val)
{
	int v;

	switch (reg) {
	case 0xb0:		/* EOI */
		eois++;
		v = highest(0x100);
		if (v >= 0)
			set_bit(0x100, v, false);
		deliver();
		break;
	case 0x20: case 0x30: case 0x100 ... 0x27f:	/* read-only */
		break;
	default:
		lapic[reg / 4] = val;
	}
}

/* ---- MMIO ---- */

void sim_mmio_ram(uint64_t base, uint32_t size)
{
	if (nrams == MAX_RAM) {
		fprintf(stderr, "sim: too many MMIO RAM regions\n");
		abort();
	}
	rams[nrams++] = (struct ram){ base, size, calloc(1, size) };
}

static struct ram *ram_at(uint64_t addr, int size)
{
	for (int i = 0; i < nrams; i++)
		if (addr >= rams[i].base && addr + size <= rams[i].base + rams[i].size)
			return &rams[i];
	return NULL;
}

uint32_t sim_mmio_ram_get32(uint64_t addr)
{
	struct ram *r = ram_at(addr, 4);
	uint32_t v = 0;

	if (r)
		memcpy(&v, r->mem + (addr - r->base), 4);
	return v;
}

void sim_mmio_ram_set32(uint64_t addr, uint32_t val)
{
	struct ram *r = ram_at(addr, 4);

	if (r)
		memcpy(r->mem + (addr - r->base), &val, 4);
}

bool sim_cpu_mmio(uint64_t addr, int size, bool write, uint32_t *val)
{
	uint64_t base = apicbase & 0xfffff000ull;
	struct ram *r;

	if ((apicbase & 0x800) && addr >= base && addr < base + 0x1000) {
		/* 32-bit aligned accesses only, as the xAPIC wants. */
		if (size != 4 || (addr & 0xf))
			return true;
		if (write)
			lapic_write((uint32_t)(addr - base), *val);
		else
			*val = lapic[(addr - base) / 4];
		return true;
	}
	r = ram_at(addr, size);
	if (!r)
		return false;
	if (write)
		memcpy(r->mem + (addr - r->base), val, size);	/* little endian */
	else {
		*val = 0;
		memcpy(val, r->mem + (addr - r->base), size);
	}
	return true;
}
