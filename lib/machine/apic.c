/*
 * apic.c - local xAPIC through MMIO (see apic.h). Intel SDM Vol. 3A
 * chapter 10: §10.4.3 (software enable via SVR bit 8), §10.8.4 (IRR/ISR),
 * §10.8.5 (EOI: a write of 0 to the EOI register), §10.9 (spurious
 * interrupts get no EOI), §10.11 (MSI address and data).
 */
#include "apic.h"
#include "hw.h"
#include "printf.h"

static uint64_t base;

void apic_init_at(uint64_t b)
{
	base = b;
	apic_write(APIC_SPIV, APIC_SPIV_APIC_ENABLED | APIC_SPURIOUS_VECTOR);
	apic_write(APIC_TASKPRI, 0);
	apic_write(APIC_LVTT, apic_read(APIC_LVTT) | APIC_LVT_MASKED);
}

int apic_init(char *err, size_t len)
{
	uint64_t msr = rdmsr(MSR_IA32_APICBASE);

	if (msr & MSR_IA32_APICBASE_EXTD) {
		snprintf(err, len, "IA32_APIC_BASE 0x%llx: x2APIC mode, not supported",
			 (unsigned long long)msr);
		return -1;
	}
	if (!(msr & MSR_IA32_APICBASE_ENABLE)) {
		wrmsr(MSR_IA32_APICBASE, msr | MSR_IA32_APICBASE_ENABLE);
		msr = rdmsr(MSR_IA32_APICBASE);
		if (!(msr & MSR_IA32_APICBASE_ENABLE)) {
			snprintf(err, len, "IA32_APIC_BASE 0x%llx: cannot enable the APIC",
				 (unsigned long long)msr);
			return -1;
		}
	}
	apic_init_at(msr & MSR_IA32_APICBASE_BASE);
	return 0;
}

bool apic_ready(void)
{
	return base != 0;
}

uint64_t apic_base(void)
{
	return base;
}

uint32_t apic_read(uint32_t reg)
{
	return base ? mmio_read32(base + reg) : 0;
}

void apic_write(uint32_t reg, uint32_t val)
{
	if (base)
		mmio_write32(base + reg, val);
}

uint8_t apic_id(void)
{
	return (uint8_t)(apic_read(APIC_ID) >> 24);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

static bool bit_of(uint32_t reg, unsigned int vector)
{
	vector &= 0xff;
	return apic_read(reg + (vector / 32) * 0x10) & (1u << (vector % 32));
}

bool apic_irr_test(unsigned int vector)
{
	return bit_of(APIC_IRR, vector);
}

bool apic_isr_test(unsigned int vector)
{
	return bit_of(APIC_ISR, vector);
}

static int list_bits(char *buf, size_t len, uint32_t reg)
{
	int n = 0, count = 0;

	for (unsigned int i = 0; i < 8; i++) {
		uint32_t w = apic_read(reg + i * 0x10);

		for (unsigned int b = 0; b < 32; b++)
			if (w & (1u << b))
				n += snprintf(buf + n, len > (size_t)n ? len - n : 0,
					      "%s%02x", count++ ? "," : "", i * 32 + b);
	}
	if (!count)
		n += snprintf(buf + n, len > (size_t)n ? len - n : 0, "-");
	return n;
}

const char *apic_pending_str(char *buf, size_t len)
{
	int n = snprintf(buf, len, "IRR ");

	n += list_bits(buf + n, len > (size_t)n ? len - n : 0, APIC_IRR);
	n += snprintf(buf + n, len > (size_t)n ? len - n : 0, " ISR ");
	list_bits(buf + n, len > (size_t)n ? len - n : 0, APIC_ISR);
	return buf;
}

uint32_t apic_msi_address(void)
{
	return MSI_ADDR_BASE | (uint32_t)apic_id() << MSI_ADDR_DEST_ID_SHIFT;
}

uint32_t apic_msi_data(uint8_t vector)
{
	/* Edge, fixed delivery mode (000b), vector in bits 7:0. */
	return vector;
}
