/*
 * acpi.h - the ACPI tables slotprobe needs: RSDP, XSDT (RSDT fallback),
 * MCFG and FADT. Every table is validated (signature, length, checksum,
 * counts, ranges) before use; a malformed one gives a one-line reason.
 * DRAFT interface: the owner of lib/acpi.c may extend it.
 */
#ifndef LIB_ACPI_H
#define LIB_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include "pci.h"

#define ACPI_MAX_MCFG 16

struct acpi_info {
	uint8_t revision;			/* RSDP revision */
	bool have_mcfg;
	int mcfg_count;
	struct ecam_window mcfg[ACPI_MAX_MCFG];
	bool have_fadt;
	uint16_t pm_timer_port;			/* 0: none */
	bool pm_timer_32bit;
};

/*
 * Parse from the RSDP at physical address @rsdp. Returns 0, or -1 with a
 * one-line reason in @err (e.g. "MCFG: checksum 0x12, expected 0").
 * A missing MCFG is not an error (have_mcfg = false).
 */
int acpi_parse(uint64_t rsdp, struct acpi_info *info, char *err, int errlen);

#endif
