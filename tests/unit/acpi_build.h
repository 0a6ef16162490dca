/*
 * acpi_build.h - ACPI tables built in host memory for the unit tests.
 *
 * Tables live in an arena below 4 GiB (RSDT entries are 32-bit addresses);
 * acpi_build_reset() starts it over. Builders fill headers and fix checksums;
 * tests then break what they mean to test (and call acpi_fix_checksum() again
 * when only the checksum should stay right).
 */
#ifndef ACPI_BUILD_H
#define ACPI_BUILD_H

#include <stdint.h>
#include "../../lib/pci/pci.h"

void acpi_build_reset(void);
void *acpi_alloc(uint32_t len);
uint64_t acpi_phys(const void *p);

/* A table header (signature, length, revision, OEM ids) and its checksum. */
uint8_t *acpi_build_table(const char *sig, uint32_t len, uint8_t revision);
void acpi_fix_checksum(uint8_t *table);

/* RSDP revision 0 (@xsdt ignored) or 2; checksums set. */
uint8_t *acpi_build_rsdp(uint8_t revision, uint64_t rsdt, uint64_t xsdt);
/* XSDT (8-byte entries) or RSDT (4-byte), pointing at @tables. */
uint8_t *acpi_build_xsdt(uint8_t *const *tables, int n);
uint8_t *acpi_build_rsdt(uint8_t *const *tables, int n);
uint8_t *acpi_build_mcfg(const struct ecam_window *w, int n);
/*
 * FADT of @len bytes (116: ACPI 1.0; 276: ACPI 6): PM_TMR_BLK = @pm_blk,
 * X_PM_TMR_BLK = system I/O @x_pm_blk when @len has room and it is nonzero.
 */
uint8_t *acpi_build_fadt(uint32_t len, uint16_t pm_blk, uint64_t x_pm_blk,
			 uint32_t flags);

void acpi_put16(uint8_t *b, uint16_t v);
void acpi_put32(uint8_t *b, uint32_t v);
void acpi_put64(uint8_t *b, uint64_t v);

#endif
