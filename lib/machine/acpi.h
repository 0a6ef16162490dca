/*
 * acpi.h - the ACPI tables slotprobe needs: RSDP, XSDT (RSDT fallback),
 * MCFG and FADT. Every table is validated (signature, length, checksum,
 * counts, ranges) before use; a malformed one gives a one-line reason.
 */
#ifndef LIB_ACPI_H
#define LIB_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include "pci.h"

#define ACPI_MAX_MCFG 16
/* No table we read is anywhere near this; a larger length is corruption. */
#define ACPI_MAX_TABLE_LEN (1u << 20)

struct acpi_info {
	uint8_t revision;			/* RSDP revision */
	bool used_xsdt;				/* false: the RSDT (ACPI 1.0) */
	bool have_mcfg;				/* at least one ECAM window */
	bool mcfg_found;			/* an MCFG table, maybe empty */
	int mcfg_count;
	struct ecam_window mcfg[ACPI_MAX_MCFG];
	bool have_fadt;
	uint16_t pm_timer_port;			/* 0: none */
	bool pm_timer_32bit;
	bool pm_timer_from_x;			/* from X_PM_TMR_BLK (GAS) */
};

/*
 * Parse from the RSDP at physical address @rsdp. Returns 0, or -1 with a
 * one-line reason in @err naming the table (e.g. "MCFG: checksum mismatch
 * (sum 0x3c)").
 *
 * A missing MCFG is not an error (have_mcfg = false). Neither is an MCFG
 * with zero allocations (length exactly 44): it is well formed and says
 * "no ECAM", so have_mcfg = false and mcfg_found = true, the way Linux's
 * pci_mmcfg code treats it; the caller falls back to port I/O and can say
 * why. MCFG allocations must not overlap (same segment, shared buses).
 * The first MCFG and the first FACP in the XSDT are used.
 */
int acpi_parse(uint64_t rsdp, struct acpi_info *info, char *err, int errlen);

#endif
