/*
 * apic.h - the local APIC in xAPIC mode, through its MMIO page at the base
 * IA32_APIC_BASE names (Intel SDM Vol. 3A §10.4.1, §10.4.4): software
 * enable, task priority, EOI, and the IRR/ISR bits that say which
 * interrupts are pending or in service. Register names as Linux's
 * arch/x86/include/asm/apicdef.h. x2APIC is not supported (reported).
 */
#ifndef LIB_APIC_H
#define LIB_APIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSR_IA32_APICBASE		0x1b
#define  MSR_IA32_APICBASE_BSP		(1u << 8)
#define  MSR_IA32_APICBASE_EXTD		(1u << 10)	/* x2APIC mode */
#define  MSR_IA32_APICBASE_ENABLE	(1u << 11)
#define  MSR_IA32_APICBASE_BASE		0xfffff000ull

#define APIC_ID		0x20
#define APIC_LVR	0x30
#define APIC_TASKPRI	0x80
#define APIC_EOI	0xb0
#define APIC_SPIV	0xf0
#define  APIC_SPIV_APIC_ENABLED	(1u << 8)
#define APIC_ISR	0x100	/* 8 registers, 16 bytes apart */
#define APIC_TMR	0x180
#define APIC_IRR	0x200
#define APIC_ESR	0x280
#define APIC_LVTT	0x320
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define  APIC_LVT_MASKED	(1u << 16)

/* The vector the SVR names; the APIC sends it without ISR bit, so no EOI. */
#define APIC_SPURIOUS_VECTOR	0xff

/* The MSI address window (Intel SDM Vol. 3A §10.11.1). */
#define MSI_ADDR_BASE		0xfee00000u
#define MSI_ADDR_DEST_ID_SHIFT	12

/*
 * Reads IA32_APIC_BASE, enables the APIC globally if it is not, then
 * software-enables it (SVR: APIC_SPURIOUS_VECTOR), TPR 0, LVT timer masked.
 * Returns 0, or -1 with a reason in @err (x2APIC mode, no APIC).
 */
int apic_init(char *err, size_t len);
/* The same on a given base (host tests; apic_init() after the MSR read). */
void apic_init_at(uint64_t base);
bool apic_ready(void);

uint64_t apic_base(void);
uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t val);
uint8_t apic_id(void);			/* xAPIC ID: bits 31:24 of APIC_ID */
void apic_eoi(void);

/* One bit of the 256-bit IRR / ISR / TMR (8 registers 16 bytes apart). */
bool apic_irr_test(unsigned int vector);
bool apic_isr_test(unsigned int vector);
/* "IRR 30 ISR -": the vectors set in IRR and ISR, for a report line. */
const char *apic_pending_str(char *buf, size_t len);

/* MSI for this CPU: fixed delivery, physical destination, edge (data = vector). */
uint32_t apic_msi_address(void);
uint32_t apic_msi_data(uint8_t vector);

#endif
