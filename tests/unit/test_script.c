/*
 * test_script.c - lib/script/script_run.c: loading, and every step run against
 * the simulated root port (sim_rootport.c) with a device behind it. The
 * parser alone: test_script_parse.c.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "hostlink.h"
#include "pci.h"
#include "pci_regs.h"
#include "report.h"
#include "script_run.h"
#include "slot.h"
#include "time.h"
#include "sim.h"
#include "sim_rootport.h"
#include "unit.h"

#define SEC_BUS 3

static struct sim_func *port, *child;
static struct sim_port *model;
static uint16_t aer;

static const char *com1(void)
{
	return sim_uart_output(COM1_PORT);
}

static const char *com2(void)
{
	return sim_uart_output(COM2_PORT);
}

/* A QEMU-like root port at 00:12.0 (AER at 0x100) with a NIC behind it. */
static void machine(const struct sim_port_opts *opts)
{
	struct sim_port_opts o = { .qemu_unplug_on_pic_off = true };
	struct ecam_window w;

	time_init(SIM_PM_TIMER_PORT, false);
	hostlink_init(true, 1000);
	report_reset();
	sim_ecam_window(&w);
	pci_cfg_use_ecam(&w, 1);
	port = sim_add_root_port(pci_bdf(0, 0, 0x12, 0), SEC_BUS, opts ? opts : &o);
	model = sim_port_of(port);
	aer = sim_add_ext_cap(port, 0x0001, 2, 0x48);
	sim_set32(port, aer + 0x08, 0x00400000);	/* AER_UNCOR_MASK */
	child = sim_add_func(pci_bdf(0, SEC_BUS, 0, 0), 0x1af4, 0x1041, 0x020000);
}

static int load(const char *text)
{
	char err[200];
	int n = script_load(text, err, sizeof(err));

	if (n < 0)
		printf("  script_load: %s\n", err);
	return n;
}

UNIT_TEST(script_load_names_the_bad_step_and_counts)
{
	char err[200], big[SCRIPT_MAX_BYTES];
	int len = 0;

	CHECK_EQ(script_load("1 delay 1\r\n\n2 log x\n", err, sizeof(err)), 2);
	CHECK_EQ(script_step_at(1)->op, SCRIPT_LOG);
	CHECK(script_step_at(2) == NULL);
	CHECK_EQ(script_load("1 delay 1\n9 read 16 00:12.0 h1 X\n", err, sizeof(err)), -1);
	CHECK(strstr(err, "step 2 (9 read 16 00:12.0 h1 X): bad register location") != NULL);
	for (int i = 0; i <= SCRIPT_MAX_STEPS; i++)
		len += snprintf(big + len, sizeof(big) - len, "%d delay 0\n", i);
	CHECK_EQ(script_load(big, err, sizeof(err)), -1);
	CHECK(strstr(err, "more than 256 steps") != NULL);
}

UNIT_TEST(script_read_prints_and_observes)
{
	machine(NULL);
	CHECK_EQ(load("4 read 16 00:12.0 c10+1a SLTSTA\n"
		      "5 read 32 00:12.0 e1+8 AER_UNCOR_MASK\n"
		      "6 read 8 00:12.0 h19 SECONDARY_BUS\n"
		      "7 read 16 00:12.0/0 h2 DEVICE\n"), 4);
	script_run();
	CHECK(strstr(com1(), "line 4: read16 00:12.0 SLTSTA = 0x0040") != NULL);
	CHECK(strstr(com1(), "line 5: read32 00:12.0 AER_UNCOR_MASK = 0x00400000") != NULL);
	CHECK(strstr(com1(), "line 6: read8 00:12.0 SECONDARY_BUS = 0x03") != NULL);
	CHECK(strstr(com1(), "line 7: read16 03:00.0 DEVICE = 0x1041") != NULL);
	CHECK(strstr(com2(), "obs 00:12.0 SLTSTA 0x40\n") != NULL);
	CHECK(strstr(com2(), "obs 00:12.0 AER_UNCOR_MASK 0x400000\n") != NULL);
	CHECK(strstr(com2(), "obs 03:00.0 DEVICE 0x1041\n") != NULL);
	CHECK(strstr(com2(), "log script: line") == NULL);	/* no prefix pushed here */
	CHECK(strstr(com2(), "log line 4: read16") != NULL);
	CHECK_EQ(report_failures(), 0);
}

UNIT_TEST(script_write_is_one_access_of_its_width)
{
	machine(NULL);
	/* The seed: PCC=1 and PIC=off in ONE 16-bit write; QEMU unplugs. */
	CHECK_EQ(load("1 write 16 00:12.0 c10+18 SLTCTL 0x7c0\n"
		      "2 wait-cc 00:12.0\n"
		      "3 expect 16 00:12.0 c10+1a SLTSTA 0x40 0x0\n"
		      "4 expect 16 00:12.0/0 h0 VENDOR 0xffff 0xffff\n"), 4);
	script_run();
	CHECK_EQ(model->commands, 1);
	CHECK_EQ(model->sltctl_non16, 0);
	CHECK_EQ(model->unplugs, 1);
	CHECK_EQ(port->last_write_size, 2);
	CHECK(!(sim_get16(port, model->exp + PCI_EXP_SLTSTA) & PCI_EXP_SLTSTA_CC));
	CHECK(strstr(com2(), "result PASS line 2: wait-cc 00:12.0: Command Completed") != NULL);
	CHECK(strstr(com2(), "result PASS line 3: expect16 00:12.0 SLTSTA & 0x0040 == "
		     "0x0000 (read 0x0008)") != NULL);
	CHECK(strstr(com2(), "result PASS line 4: expect16 03:00.0 VENDOR") != NULL);
	CHECK_EQ(report_failures(), 0);
}

UNIT_TEST(script_write8_and_write32)
{
	machine(NULL);
	port->wmask[0x3c] = 0xff;			/* INTERRUPT_LINE */
	CHECK_EQ(load("1 write 8 00:12.0 h3c INTERRUPT_LINE 0x5a\n"
		      "2 expect 8 00:12.0 h3c INTERRUPT_LINE 0xff 0x5a\n"
		      "3 write 32 00:12.0 e1+8 AER_UNCOR_MASK 0xffffffff\n"), 3);
	script_run();
	CHECK_EQ(port->cfg[0x3c], 0x5a);
	CHECK_EQ(port->last_write_size, 4);
	CHECK_EQ(port->last_write_off, aer + 8);
	CHECK_EQ(report_failures(), 0);
}

UNIT_TEST(script_expect_reports_both_values_on_failure)
{
	machine(NULL);
	CHECK_EQ(load("12 expect 16 00:12.0 c10+1a SLTSTA 0x40 0x0\n"), 1);
	script_run();
	CHECK_EQ(report_failures(), 1);
	CHECK(strstr(com2(), "result FAIL line 12: expect16 00:12.0 SLTSTA & 0x0040 == "
		     "0x0000 (read 0x0040)") != NULL);
}

UNIT_TEST(script_save_and_expect_same)
{
	machine(NULL);
	sim_set_wmask16(port, 0x3c, 0x00ff);		/* INTERRUPT_LINE is RW */
	CHECK_EQ(load("1 save 32 00:12.0 c10+14 SLTCAP cap\n"
		      "2 write 32 00:12.0 c10+14 SLTCAP 0xffffffff\n"
		      "3 same cap\n"
		      "4 save 8 00:12.0 h3c INTERRUPT_LINE line\n"
		      "5 write 8 00:12.0 h3c INTERRUPT_LINE 0xff\n"
		      "6 same line\n"
		      "7 same never-saved\n"), 7);
	script_run();
	CHECK(strstr(com2(), "result PASS line 3: 00:12.0 SLTCAP reads the same as "
		     "saved cap at line 1") != NULL);
	CHECK(strstr(com2(), "result FAIL line 6: 00:12.0 INTERRUPT_LINE reads the same "
		     "as saved line at line 4 (now 0xff, was 0x00)") != NULL);
	CHECK(strstr(com2(), "result FAIL line 7: expect-same never-saved: nothing saved")
	      != NULL);
	CHECK_EQ(report_failures(), 2);
}

UNIT_TEST(script_missing_capability_or_device_is_a_failure)
{
	machine(NULL);
	sim_find(pci_bdf(0, SEC_BUS, 0, 0))->present = false;
	CHECK_EQ(load("1 read 16 00:12.0/0 c10+1a SLTSTA\n"
		      "2 read 16 00:11.0/0 h0 VENDOR\n"
		      "3 read 32 00:12.0 e0d+4 ACS_CAP\n"), 3);
	script_run();
	CHECK_EQ(report_failures(), 3);
	CHECK(strstr(com2(), "line 1: read16 03:00.0 SLTSTA: no capability 0x10 "
		     "(nothing answers there)") != NULL);
	CHECK(strstr(com2(), "line 2: read16 00:11.0 (behind slot) VENDOR: port 00:11.0 "
		     "has no secondary bus") != NULL);
	CHECK(strstr(com2(), "no extended capability 0x000d") != NULL);
}

UNIT_TEST(script_extended_registers_need_ecam)
{
	machine(NULL);
	pci_cfg_use_portio();
	CHECK_EQ(load("1 read 32 00:12.0 e1+8 AER_UNCOR_MASK\n"), 1);
	script_run();
	CHECK(strstr(com2(), "no extended config space") != NULL);
	CHECK_EQ(report_failures(), 1);
}

UNIT_TEST(script_slot_power_off_and_on)
{
	struct sim_port_opts o = { .child_returns = true };

	machine(&o);
	CHECK_EQ(load("1 power-off 00:12.0\n"
		      "2 expect 16 00:12.0 c10+18 SLTCTL 0x700 0x700\n"
		      "3 clear-events 00:12.0\n"
		      "4 expect 16 00:12.0 c10+1a SLTSTA 0x19 0x0\n"
		      "5 power-on 00:12.0\n"
		      "6 expect 16 00:12.0 c10+18 SLTCTL 0x700 0x100\n"
		      "7 expect 16 00:12.0/0 h0 VENDOR 0xffff 0x1af4\n"), 7);
	script_run();
	CHECK(model->commands >= 4);
	CHECK_EQ(model->overlapped, 0);
	CHECK(strstr(com2(), "result PASS line 1: slot-power-off 00:12.0: commands "
		     "completed") != NULL);
	CHECK(strstr(com2(), "log line 3: clear-events 00:12.0: cleared") != NULL);
	CHECK(strstr(com2(), "log line 5: slot-power-on 00:12.0: link up, a function "
		     "answers behind the slot") != NULL);
	CHECK_EQ(report_failures(), 0);
}

UNIT_TEST(script_slot_steps_want_a_slot)
{
	machine(NULL);
	CHECK_EQ(load("1 power-off 03:00.0\n"), 1);
	script_run();
	CHECK(strstr(com2(), "result FAIL line 1: slot-power-off 03:00.0: not a port "
		     "with a slot") != NULL);
}

UNIT_TEST(script_wait_cc_has_a_deadline)
{
	struct sim_port_opts o = { .never_complete = true };
	uint64_t t0;

	machine(&o);
	CHECK_EQ(load("1 write 16 00:12.0 c10+18 SLTCTL 0x3c0\n2 wait-cc 00:12.0\n"), 2);
	t0 = sim_now_us();
	script_run();
	CHECK(sim_now_us() - t0 >= SLOT_CMD_POLL_TIMEOUT_MS * 1000);
	CHECK(sim_now_us() - t0 < SLOT_CMD_POLL_TIMEOUT_MS * 1000 + 500000);
	CHECK(strstr(com2(), "result FAIL line 2: wait-cc 00:12.0") != NULL);
}

UNIT_TEST(script_delay_log_and_checkpoint)
{
	char go[64];
	uint64_t t0;

	machine(NULL);
	CHECK_EQ(load("1 delay 250\n2 log hello there\n3 checkpoint here\n"
		      "4 log after\n"), 4);
	/* The checkpoint is the third line from now (two log lines first). */
	snprintf(go, sizeof(go), "SP1 1 go %u migrations=1 side=dst\n", hostlink_seq() + 3);
	sim_uart_feed(COM2_PORT, go);
	t0 = sim_now_us();
	script_run();
	CHECK(sim_now_us() - t0 >= 250000);
	CHECK(strstr(com2(), " log line 2: hello there\n") != NULL);
	CHECK(strstr(com2(), " checkpoint here\n") != NULL);
	CHECK(strstr(com2(), "result PASS line 3: go-ahead at checkpoint here") != NULL);
	CHECK(strstr(com2(), "running on the destination, 1 migration(s)") != NULL);
	CHECK(strstr(com2(), "log line 4: after") != NULL);
}

UNIT_TEST(script_stops_at_a_checkpoint_without_go)
{
	machine(NULL);
	CHECK_EQ(load("1 checkpoint lonely\n2 log never\n"), 2);
	script_run();
	CHECK(strstr(com2(), "result FAIL line 1: go-ahead at checkpoint lonely") != NULL);
	CHECK(strstr(com2(), "never") == NULL);
	CHECK(strstr(com2(), "script stopped at line 1") != NULL);
}
