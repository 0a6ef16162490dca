/*
 * test_fwcfg.c - lib/runtime/fwcfg.c against the simulated fw_cfg (sim_fwcfg.c):
 * files by name, and the migration counter the harness passes to every
 * QEMU of a run (cached key, double reads, straddled and malformed values,
 * a destination with another directory).
 */
#include <string.h>

#include "fwcfg.h"
#include "sim.h"
#include "sim_fwcfg.h"
#include "unit.h"

#define ARGS_FILE CONTRACT_FWCFG_ARGS
#define MIG FWCFG_MIGRATION_FILE

static struct fwcfg_counter counter;

/* What the harness gives every QEMU: args first, then the counter. */
static void harness_qemu(const char *count)
{
	sim_fwcfg_init();
	sim_fwcfg_add_string("etc/boot-fail-wait", "\x05\x00\x00\x00");
	sim_fwcfg_add_string(ARGS_FILE, "continuous migrations=3");
	sim_fwcfg_add_string(MIG, count);
	fwcfg_counter_init(&counter, MIG);
}

UNIT_TEST(fwcfg_absent_device)
{
	char buf[16] = "x";
	uint32_t v = 7;

	CHECK(!fwcfg_present());
	CHECK_EQ(fwcfg_read_file(ARGS_FILE, buf, sizeof(buf)), -1);
	fwcfg_counter_init(&counter, MIG);
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_ABSENT);
	CHECK_EQ(v, 7);
}

UNIT_TEST(fwcfg_read_file_by_name)
{
	char buf[64];

	harness_qemu("00000000");
	CHECK(fwcfg_present());
	CHECK_EQ(fwcfg_read_file(ARGS_FILE, buf, sizeof(buf)), 23);
	CHECK_STR(buf, "continuous migrations=3");
	CHECK_EQ(fwcfg_read_file(MIG, buf, sizeof(buf)), 8);
	CHECK_STR(buf, "00000000");
	CHECK_EQ(fwcfg_read_file("opt/other", buf, sizeof(buf)), -1);
}

UNIT_TEST(fwcfg_read_file_truncates)
{
	char buf[11];

	harness_qemu("00000000");
	CHECK_EQ(fwcfg_read_file(ARGS_FILE, buf, sizeof(buf)), 23);	/* the full length */
	CHECK_STR(buf, "continuous");
}

UNIT_TEST(fwcfg_find_file_gives_key_and_size)
{
	uint16_t select = 0;
	uint32_t size = 0;

	harness_qemu("00000004");
	CHECK(fwcfg_find_file(MIG, &select, &size));
	CHECK_EQ(select, 0x22);
	CHECK_EQ(size, 8);
	CHECK(!fwcfg_find_file("opt/slotprobe", &select, &size));
}

UNIT_TEST(fwcfg_counter_reads_and_caches_the_key)
{
	uint32_t v = 0;
	unsigned int reads;

	harness_qemu("00000012");
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_OK);
	CHECK_EQ(v, 12);
	CHECK_STR(counter.last_raw, "00000012");
	reads = sim_fwcfg_data_reads();
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_OK);
	CHECK_EQ(v, 12);
	CHECK_EQ(counter.lookups, 1);
	/* Cached: two 8-byte reads, no directory walk. */
	CHECK_EQ(sim_fwcfg_data_reads() - reads, 16);
}

UNIT_TEST(fwcfg_counter_sees_the_destinations_number)
{
	uint32_t v = 0;

	harness_qemu("00000000");
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_OK);
	CHECK_EQ(v, 0);
	sim_fwcfg_set_string(MIG, "00000001", 0);	/* migrated */
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_OK);
	CHECK_EQ(v, 1);
	sim_fwcfg_set_string(MIG, "99999999", 0);
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_OK);
	CHECK_EQ(v, 99999999);
	CHECK_EQ(counter.lookups, 1);
}

/*
 * A migration in the middle of a read: the first bytes come from the
 * source ("00000009"), the rest from the destination ("00000010"); a single
 * read could say 00000000 or 00000019. Whenever it happens, the answer is
 * one of the two real numbers, and once it said 10 it never says 9 again.
 */
UNIT_TEST(fwcfg_counter_straddled_read_is_never_mixed)
{
	for (unsigned int after = 1; after <= 40; after++) {
		uint32_t v = 0, prev = 9;

		harness_qemu("00000009");
		CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_OK);
		sim_fwcfg_set_string(MIG, "00000010", after);
		for (int i = 0; i < 8 && prev != 10; i++) {
			CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_OK);
			if (!CHECK(v == 9 || v == 10) || !CHECK(v >= prev))
				return;
			prev = v;
		}
		CHECK_EQ(prev, 10);
	}
}

UNIT_TEST(fwcfg_counter_malformed_values)
{
	uint32_t v = 5;

	harness_qemu("0000001x");
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_MALFORMED);
	CHECK_EQ(v, 5);
	CHECK_STR(counter.last_raw, "0000001x");
	sim_fwcfg_set_string(MIG, "-0000001", 0);
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_MALFORMED);
	sim_fwcfg_set_string(MIG, "123", 0);		/* not 8 bytes */
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_MALFORMED);
	sim_fwcfg_set_string(MIG, "123456789", 0);
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_MALFORMED);
	sim_fwcfg_set_string(MIG, "00000003", 0);	/* and back to a good one */
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_OK);
	CHECK_EQ(v, 3);
	CHECK_STR(fwcfg_counter_status_str(FWCFG_COUNTER_MALFORMED), "malformed");
}

/*
 * A destination whose fw_cfg directory is ordered differently: the cached
 * key now selects another file, which does not read as 8 digits; the
 * counter walks the directory again and finds its file.
 */
UNIT_TEST(fwcfg_counter_relooks_when_the_key_moved)
{
	uint32_t v = 0;

	harness_qemu("00000002");
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_OK);
	sim_fwcfg_clear_files();
	sim_fwcfg_add_string(MIG, "00000003");
	sim_fwcfg_add_string(ARGS_FILE, "continuous migrations=3");
	sim_fwcfg_add_string("etc/boot-fail-wait", "\x05\x00\x00\x00");
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_OK);
	CHECK_EQ(v, 3);
	CHECK_EQ(counter.lookups, 2);
}

UNIT_TEST(fwcfg_counter_absent_file_is_not_looked_for_again)
{
	uint32_t v = 0;
	unsigned int selects;

	sim_fwcfg_init();
	sim_fwcfg_add_string(ARGS_FILE, "continuous");
	fwcfg_counter_init(&counter, MIG);
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_ABSENT);
	selects = sim_fwcfg_selects();
	CHECK_EQ(fwcfg_counter_read(&counter, &v), FWCFG_COUNTER_ABSENT);
	CHECK_EQ(sim_fwcfg_selects(), selects);
}

/* A fw_cfg device from one test is gone after the reset between tests. */
UNIT_TEST(fwcfg_gone_after_sim_reset)
{
	harness_qemu("00000000");
	CHECK(fwcfg_present());
	sim_reset();
	CHECK(!fwcfg_present());
}
