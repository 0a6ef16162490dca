/* acpi_build.c - ACPI tables in host memory for the unit tests (see acpi_build.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "acpi_build.h"

#define ARENA_SIZE (1u << 22)

static uint8_t *arena;
static uint32_t arena_used;

void acpi_build_reset(void)
{
	arena_used = 0;
}

void *acpi_alloc(uint32_t len)
{
	void *p;

	if (!arena) {
		/* MAP_32BIT: below 2 GiB, so an RSDT can point at the tables. */
		arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (arena == MAP_FAILED) {
			perror("acpi_build: mmap below 4 GiB");
			abort();
		}
	}
	len = (len + 15) & ~15u;
	if (arena_used + len > ARENA_SIZE)
		arena_used = 0;		/* tables of earlier tests are dead */
	p = arena + arena_used;
	arena_used += len;
	memset(p, 0, len);
	return p;
}

uint64_t acpi_phys(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

void acpi_put16(uint8_t *b, uint16_t v)
{
	b[0] = v & 0xff;
	b[1] = v >> 8;
}

void acpi_put32(uint8_t *b, uint32_t v)
{
	acpi_put16(b, v & 0xffff);
	acpi_put16(b + 2, v >> 16);
}

void acpi_put64(uint8_t *b, uint64_t v)
{
	acpi_put32(b, v & 0xffffffff);
	acpi_put32(b + 4, v >> 32);
}

static uint32_t get32(const uint8_t *b)
{
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

void acpi_fix_checksum(uint8_t *t)
{
	uint32_t len = get32(t + 4);
	uint8_t sum = 0;

	t[9] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += t[i];
	t[9] = (uint8_t)-sum;
}

uint8_t *acpi_build_table(const char *sig, uint32_t len, uint8_t revision)
{
	/* Room for at least a header, whatever length the test claims. */
	uint8_t *t = acpi_alloc(len > 36 ? len : 36);

	memcpy(t, sig, 4);
	acpi_put32(t + 4, len);
	t[8] = revision;
	memcpy(t + 10, "SLOTPR", 6);
	memcpy(t + 16, "UNITTEST", 8);
	acpi_put32(t + 24, 1);
	memcpy(t + 28, "SPRB", 4);
	acpi_put32(t + 32, 1);
	if (len >= 36)
		acpi_fix_checksum(t);
	return t;
}

static uint8_t checksum_of(const uint8_t *b, uint32_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

uint8_t *acpi_build_rsdp(uint8_t revision, uint64_t rsdt, uint64_t xsdt)
{
	uint8_t *r = acpi_alloc(36);

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "SLOTPR", 6);
	r[15] = revision;
	acpi_put32(r + 16, (uint32_t)rsdt);
	r[8] = checksum_of(r, 20);
	if (revision >= 2) {
		acpi_put32(r + 20, 36);
		acpi_put64(r + 24, xsdt);
		r[32] = checksum_of(r, 36);
	}
	return r;
}

static uint8_t *build_root(const char *sig, int entry_size, uint8_t *const *tables, int n)
{
	uint8_t *t = acpi_build_table(sig, 36 + n * entry_size, 1);

	for (int i = 0; i < n; i++) {
		if (entry_size == 8)
			acpi_put64(t + 36 + i * 8, acpi_phys(tables[i]));
		else
			acpi_put32(t + 36 + i * 4, (uint32_t)acpi_phys(tables[i]));
	}
	acpi_fix_checksum(t);
	return t;
}

uint8_t *acpi_build_xsdt(uint8_t *const *tables, int n)
{
	return build_root("XSDT", 8, tables, n);
}

uint8_t *acpi_build_rsdt(uint8_t *const *tables, int n)
{
	return build_root("RSDT", 4, tables, n);
}

uint8_t *acpi_build_mcfg(const struct ecam_window *w, int n)
{
	uint8_t *t = acpi_build_table("MCFG", 44 + 16 * n, 1);

	for (int i = 0; i < n; i++) {
		uint8_t *a = t + 44 + 16 * i;

		acpi_put64(a, w[i].base);
		acpi_put16(a + 8, w[i].seg);
		a[10] = w[i].bus_start;
		a[11] = w[i].bus_end;
	}
	acpi_fix_checksum(t);
	return t;
}

uint8_t *acpi_build_fadt(uint32_t len, uint16_t pm_blk, uint64_t x_pm_blk,
			 uint32_t flags)
{
	uint8_t *t = acpi_build_table("FACP", len, len >= 244 ? 6 : 1);

	if (len >= 80)
		acpi_put32(t + 76, pm_blk);
	if (len >= 92)
		t[91] = pm_blk ? 4 : 0;		/* PM_TMR_LEN */
	if (len >= 116)
		acpi_put32(t + 112, flags);
	if (len >= 220 && x_pm_blk) {
		t[208] = 1;			/* system I/O */
		t[209] = 32;			/* bit width */
		t[211] = 3;			/* dword access */
		acpi_put64(t + 212, x_pm_blk);
	}
	acpi_fix_checksum(t);
	return t;
}
