/* test_acpi.c - lib/machine/acpi.c on tables built in host memory. */
#include <string.h>

#include "acpi.h"
#include "acpi_build.h"
#include "sim.h"
#include "unit.h"

static struct acpi_info info;
static char err[160];

static int parse(const uint8_t *rsdp)
{
	return acpi_parse(acpi_phys(rsdp), &info, err, sizeof(err));
}

/* ACPI 2.0+: RSDP revision 2 → XSDT → @tables. */
static uint8_t *acpi2(uint8_t *const *tables, int n)
{
	return acpi_build_rsdp(2, 0, acpi_phys(acpi_build_xsdt(tables, n)));
}

static const struct ecam_window q35_ecam = { 0xb0000000, 0, 0, 0xff };

static uint8_t *good_fadt(void)
{
	return acpi_build_fadt(276, 0x608, 0x608, 1u << 8);
}

/* Parses an XSDT holding just @mcfg and expects failure with @want. */
static void expect_mcfg_error(uint8_t *mcfg, const char *want)
{
	uint8_t *tables[] = { good_fadt(), mcfg };

	CHECK_EQ(parse(acpi2(tables, 2)), -1);
	CHECK_STR(err, want);
}

/* ---- the good paths ---- */

UNIT_TEST(acpi_v2_xsdt_mcfg_fadt)
{
	uint8_t *tables[2];

	acpi_build_reset();
	tables[0] = good_fadt();
	tables[1] = acpi_build_mcfg(&q35_ecam, 1);
	CHECK_EQ(parse(acpi_build_rsdp(2, 0, acpi_phys(acpi_build_xsdt(tables, 2)))), 0);
	CHECK_STR(err, "");
	CHECK_EQ(info.revision, 2);
	CHECK(info.used_xsdt);
	CHECK(info.have_mcfg);
	CHECK(info.mcfg_found);
	CHECK_EQ(info.mcfg_count, 1);
	CHECK_EQ(info.mcfg[0].base, 0xb0000000);
	CHECK_EQ(info.mcfg[0].seg, 0);
	CHECK_EQ(info.mcfg[0].bus_start, 0);
	CHECK_EQ(info.mcfg[0].bus_end, 0xff);
	CHECK(info.have_fadt);
	CHECK_EQ(info.pm_timer_port, 0x608);
	CHECK(info.pm_timer_32bit);
	CHECK(info.pm_timer_from_x);
}

UNIT_TEST(acpi_v1_rsdt)
{
	uint8_t *tables[2];

	acpi_build_reset();
	tables[0] = acpi_build_mcfg(&q35_ecam, 1);
	tables[1] = acpi_build_fadt(116, 0xb008, 0, 0);
	CHECK_EQ(parse(acpi_build_rsdp(0, acpi_phys(acpi_build_rsdt(tables, 2)), 0)), 0);
	CHECK_EQ(info.revision, 0);
	CHECK(!info.used_xsdt);
	CHECK(info.have_mcfg);
	CHECK_EQ(info.pm_timer_port, 0xb008);
	CHECK(!info.pm_timer_32bit);
	CHECK(!info.pm_timer_from_x);
}

UNIT_TEST(acpi_v2_without_xsdt_uses_rsdt)
{
	uint8_t *tables[1];

	acpi_build_reset();
	tables[0] = acpi_build_fadt(116, 0xb008, 0, 0);
	CHECK_EQ(parse(acpi_build_rsdp(2, acpi_phys(acpi_build_rsdt(tables, 1)), 0)), 0);
	CHECK(!info.used_xsdt);
	CHECK_EQ(info.pm_timer_port, 0xb008);
}

UNIT_TEST(acpi_several_mcfg_allocations)
{
	static const struct ecam_window w[3] = {
		{ 0xe0000000, 0, 0x00, 0x7f },
		{ 0xf0000000, 0, 0x80, 0xbf },
		{ 0x4000000000ull, 1, 0x10, 0x1f },
	};
	uint8_t *tables[1];

	acpi_build_reset();
	tables[0] = acpi_build_mcfg(w, 3);
	CHECK_EQ(parse(acpi2(tables, 1)), 0);
	CHECK_EQ(info.mcfg_count, 3);
	CHECK(memcmp(info.mcfg, w, sizeof(w)) == 0);
	CHECK_EQ(info.mcfg[2].base, 0x4000000000ull);
	CHECK_EQ(info.mcfg[2].seg, 1);
	CHECK_EQ(info.mcfg[2].bus_start, 0x10);
	CHECK_EQ(info.mcfg[2].bus_end, 0x1f);
	CHECK(!info.have_fadt);
	CHECK_EQ(info.pm_timer_port, 0);
}

UNIT_TEST(acpi_x_pm_tmr_blk_wins_over_pm_tmr_blk)
{
	uint8_t *tables[1];

	acpi_build_reset();
	tables[0] = acpi_build_fadt(276, 0xb008, 0x608, 0);
	CHECK_EQ(parse(acpi2(tables, 1)), 0);
	CHECK_EQ(info.pm_timer_port, 0x608);
	CHECK(info.pm_timer_from_x);
	CHECK(!info.pm_timer_32bit);
}

UNIT_TEST(acpi_x_pm_tmr_blk_zero_or_memory_falls_back)
{
	uint8_t *tables[1];

	acpi_build_reset();
	tables[0] = acpi_build_fadt(276, 0xb008, 0, 1u << 8);
	CHECK_EQ(parse(acpi2(tables, 1)), 0);
	CHECK_EQ(info.pm_timer_port, 0xb008);
	CHECK(!info.pm_timer_from_x);
	CHECK(info.pm_timer_32bit);

	tables[0] = acpi_build_fadt(276, 0xb008, 0xfed00000, 0);
	tables[0][208] = 0;		/* system memory: not a port we can read */
	acpi_fix_checksum(tables[0]);
	CHECK_EQ(parse(acpi2(tables, 1)), 0);
	CHECK_EQ(info.pm_timer_port, 0xb008);
	CHECK(!info.pm_timer_from_x);
}

UNIT_TEST(acpi_fadt_shorter_than_x_fields)
{
	uint8_t *tables[1];

	/* ACPI 2.0 FADT cut at 200 bytes: X_PM_TMR_BLK is not there to read. */
	acpi_build_reset();
	tables[0] = acpi_build_fadt(200, 0xb008, 0, 0);
	CHECK_EQ(parse(acpi2(tables, 1)), 0);
	CHECK_EQ(info.pm_timer_port, 0xb008);
}

UNIT_TEST(acpi_no_mcfg_is_not_an_error)
{
	uint8_t *tables[1];

	acpi_build_reset();
	tables[0] = good_fadt();
	CHECK_EQ(parse(acpi2(tables, 1)), 0);
	CHECK(!info.have_mcfg);
	CHECK(!info.mcfg_found);
	CHECK_EQ(info.mcfg_count, 0);
}

UNIT_TEST(acpi_empty_mcfg_means_no_ecam)
{
	uint8_t *tables[1];

	acpi_build_reset();
	tables[0] = acpi_build_mcfg(NULL, 0);
	CHECK_EQ(parse(acpi2(tables, 1)), 0);
	CHECK(!info.have_mcfg);
	CHECK(info.mcfg_found);
	CHECK_EQ(info.mcfg_count, 0);
}

UNIT_TEST(acpi_unrelated_tables_are_not_validated)
{
	uint8_t *tables[3];

	acpi_build_reset();
	tables[0] = acpi_build_table("APIC", 44, 1);
	tables[0][9] ^= 0x55;		/* not ours to judge */
	tables[1] = acpi_build_mcfg(&q35_ecam, 1);
	tables[2] = good_fadt();
	CHECK_EQ(parse(acpi2(tables, 3)), 0);
	CHECK(info.have_mcfg);
	CHECK(info.have_fadt);
}

/* ---- RSDP ---- */

UNIT_TEST(acpi_rsdp_null)
{
	CHECK_EQ(acpi_parse(0, &info, err, sizeof(err)), -1);
	CHECK_STR(err, "RSDP: null address");
}

UNIT_TEST(acpi_rsdp_bad_signature)
{
	uint8_t *r = acpi2(NULL, 0);

	r[3] = 'X';
	CHECK_EQ(parse(r), -1);
	CHECK_STR(err, "RSDP: bad signature");
}

UNIT_TEST(acpi_rsdp_bad_checksum)
{
	uint8_t *r = acpi2(NULL, 0);

	r[8] += 1;
	CHECK_EQ(parse(r), -1);
	CHECK_STR(err, "RSDP: checksum mismatch (sum 0x01)");
}

UNIT_TEST(acpi_rsdp_bad_extended_checksum)
{
	uint8_t *r = acpi2(NULL, 0);

	r[32] += 2;
	CHECK_EQ(parse(r), -1);
	CHECK_STR(err, "RSDP: extended checksum mismatch (sum 0x02)");
}

UNIT_TEST(acpi_rsdp_v2_length_too_short)
{
	uint8_t *r = acpi2(NULL, 0);

	r[20] = 20;
	r[32] += 16;		/* extended checksum still right */
	CHECK_EQ(parse(r), -1);
	CHECK_STR(err, "RSDP: length 20 invalid for revision 2");
}

UNIT_TEST(acpi_rsdp_v1_without_rsdt)
{
	acpi_build_reset();
	CHECK_EQ(parse(acpi_build_rsdp(0, 0, 0)), -1);
	CHECK_STR(err, "RSDP: RSDT address 0");
}

/* ---- XSDT / RSDT ---- */

static uint8_t *xsdt_of(uint8_t *rsdp)
{
	uint64_t phys = 0;

	for (int i = 7; i >= 0; i--)
		phys = phys << 8 | rsdp[24 + i];
	return (uint8_t *)(uintptr_t)phys;
}

UNIT_TEST(acpi_xsdt_bad_checksum)
{
	uint8_t *tables[1] = { NULL };
	uint8_t *r, *x;

	acpi_build_reset();
	tables[0] = good_fadt();
	r = acpi2(tables, 1);
	x = xsdt_of(r);
	x[9] += 0x3c;
	CHECK_EQ(parse(r), -1);
	CHECK_STR(err, "XSDT: checksum mismatch (sum 0x3c)");
}

UNIT_TEST(acpi_xsdt_bad_signature)
{
	uint8_t *r = acpi2(NULL, 0);

	memcpy(xsdt_of(r), "RS\x01T", 4);
	CHECK_EQ(parse(r), -1);
	CHECK_STR(err, "XSDT: bad signature \"RS?T\"");
}

UNIT_TEST(acpi_xsdt_shorter_than_header)
{
	uint8_t *r = acpi2(NULL, 0), *x = xsdt_of(r);

	acpi_put32(x + 4, 20);
	CHECK_EQ(parse(r), -1);
	CHECK_STR(err, "XSDT: length 20 shorter than header");
}

UNIT_TEST(acpi_xsdt_absurd_length)
{
	uint8_t *r = acpi2(NULL, 0), *x = xsdt_of(r);

	acpi_put32(x + 4, 0x7fffffff);
	CHECK_EQ(parse(r), -1);
	CHECK_STR(err, "XSDT: length 2147483647 absurd (over 1 MiB)");
}

UNIT_TEST(acpi_xsdt_partial_entry)
{
	uint8_t *tables[1];
	uint8_t *r, *x;

	acpi_build_reset();
	tables[0] = good_fadt();
	r = acpi2(tables, 1);
	x = xsdt_of(r);
	acpi_put32(x + 4, 36 + 5);
	acpi_fix_checksum(x);
	CHECK_EQ(parse(r), -1);
	CHECK_STR(err, "XSDT: length 41 not a whole number of 8-byte entries");
}

UNIT_TEST(acpi_xsdt_null_entry)
{
	uint8_t *tables[2];
	uint8_t *r, *x;

	acpi_build_reset();
	tables[0] = good_fadt();
	tables[1] = good_fadt();
	r = acpi2(tables, 2);
	x = xsdt_of(r);
	acpi_put64(x + 36 + 8, 0);
	acpi_fix_checksum(x);
	CHECK_EQ(parse(r), -1);
	CHECK_STR(err, "XSDT: entry 1 is a null pointer");
}

UNIT_TEST(acpi_rsdt_truncated)
{
	uint8_t *tables[1], *rsdt;

	acpi_build_reset();
	tables[0] = good_fadt();
	rsdt = acpi_build_rsdt(tables, 1);
	acpi_put32(rsdt + 4, 38);
	acpi_fix_checksum(rsdt);
	CHECK_EQ(parse(acpi_build_rsdp(0, acpi_phys(rsdt), 0)), -1);
	CHECK_STR(err, "RSDT: length 38 not a whole number of 4-byte entries");
}

/* ---- MCFG ---- */

UNIT_TEST(acpi_mcfg_bad_checksum)
{
	uint8_t *m;

	acpi_build_reset();
	m = acpi_build_mcfg(&q35_ecam, 1);
	m[50] ^= 0x01;
	expect_mcfg_error(m, "MCFG: checksum mismatch (sum 0x01)");
}

UNIT_TEST(acpi_mcfg_truncated)
{
	uint8_t *m;

	acpi_build_reset();
	m = acpi_build_table("MCFG", 40, 1);
	expect_mcfg_error(m, "MCFG: length 40 shorter than 44");
	m = acpi_build_mcfg(&q35_ecam, 1);
	acpi_put32(m + 4, 44 + 10);
	acpi_fix_checksum(m);
	expect_mcfg_error(m, "MCFG: length 54 leaves a partial allocation");
}

UNIT_TEST(acpi_mcfg_bus_range_reversed)
{
	struct ecam_window w = { 0xb0000000, 0, 255, 0 };

	acpi_build_reset();
	expect_mcfg_error(acpi_build_mcfg(&w, 1),
			  "MCFG: allocation 0 bus range 255..0 reversed");
}

UNIT_TEST(acpi_mcfg_base_zero)
{
	struct ecam_window w[2] = { { 0xb0000000, 0, 0, 0x7f }, { 0, 1, 0, 0xff } };

	acpi_build_reset();
	expect_mcfg_error(acpi_build_mcfg(w, 2), "MCFG: allocation 1 base address 0");
}

UNIT_TEST(acpi_mcfg_base_misaligned)
{
	struct ecam_window w = { 0xb0000800, 0, 0, 0xff };

	acpi_build_reset();
	expect_mcfg_error(acpi_build_mcfg(&w, 1),
			  "MCFG: allocation 0 base 0xb0000800 not 1 MiB aligned");
}

UNIT_TEST(acpi_mcfg_window_wraps)
{
	struct ecam_window w = { 0xfffffffffff00000ull, 0, 0, 1 };

	acpi_build_reset();
	expect_mcfg_error(acpi_build_mcfg(&w, 1),
			  "MCFG: allocation 0 window at 0xfffffffffff00000 wraps the address space");
}

UNIT_TEST(acpi_mcfg_overlapping_allocations)
{
	struct ecam_window w[2] = {
		{ 0xb0000000, 0, 0x00, 0x7f }, { 0xc0000000, 0, 0x40, 0xff },
	};

	acpi_build_reset();
	expect_mcfg_error(acpi_build_mcfg(w, 2),
			  "MCFG: allocations 0 and 1 overlap (segment 0)");
}

UNIT_TEST(acpi_mcfg_too_many_allocations)
{
	struct ecam_window w[ACPI_MAX_MCFG + 1];

	for (int i = 0; i <= ACPI_MAX_MCFG; i++)
		w[i] = (struct ecam_window){ 0xb0000000 + (uint64_t)i * 0x10000000, i, 0, 0xff };
	acpi_build_reset();
	expect_mcfg_error(acpi_build_mcfg(w, ACPI_MAX_MCFG + 1),
			  "MCFG: 17 allocations, at most 16 supported");
	/* ACPI_MAX_MCFG itself is fine. */
	{
		uint8_t *tables[1] = { acpi_build_mcfg(w, ACPI_MAX_MCFG) };

		CHECK_EQ(parse(acpi2(tables, 1)), 0);
		CHECK_EQ(info.mcfg_count, ACPI_MAX_MCFG);
	}
}

/* ---- FADT ---- */

UNIT_TEST(acpi_fadt_truncated)
{
	uint8_t *tables[1];

	acpi_build_reset();
	tables[0] = acpi_build_fadt(100, 0xb008, 0, 0);
	CHECK_EQ(parse(acpi2(tables, 1)), -1);
	CHECK_STR(err, "FACP: length 100 shorter than the ACPI 1.0 FADT (116)");
}

UNIT_TEST(acpi_fadt_bad_checksum)
{
	uint8_t *tables[1];

	acpi_build_reset();
	tables[0] = good_fadt();
	tables[0][76] ^= 0x10;
	CHECK_EQ(parse(acpi2(tables, 1)), -1);
	CHECK_STR(err, "FACP: checksum mismatch (sum 0x10)");
}

UNIT_TEST(acpi_fadt_pm_tmr_blk_out_of_port_space)
{
	uint8_t *tables[1];

	acpi_build_reset();
	tables[0] = acpi_build_fadt(116, 0, 0, 0);
	acpi_put32(tables[0] + 76, 0x12345);
	acpi_fix_checksum(tables[0]);
	CHECK_EQ(parse(acpi2(tables, 1)), -1);
	CHECK_STR(err, "FACP: PM_TMR_BLK 0x12345 beyond the I/O port space");
}

/* ---- from the tables to config access ---- */

UNIT_TEST(acpi_mcfg_drives_ecam_access)
{
	struct ecam_window w;
	uint8_t *tables[1];

	sim_ecam_window(&w);
	sim_add_func(pci_bdf(0, 1, 0, 0), 0x1033, 0x0194, 0x0c0330);
	acpi_build_reset();
	tables[0] = acpi_build_mcfg(&w, 1);
	CHECK_EQ(parse(acpi2(tables, 1)), 0);
	pci_cfg_use_ecam(info.mcfg, info.mcfg_count);
	CHECK_EQ(pci_cfg_read32(pci_bdf(0, 1, 0, 0), 0), 0x01941033);
}
