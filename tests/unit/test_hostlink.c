/*
 * Host unit tests of lib/runtime/hostlink.c: line format, the go-ahead and
 * its deadline.
 */
#include <stdio.h>
#include <string.h>

#include "console.h"
#include "hostlink.h"
#include "time.h"
#include "sim.h"
#include "unit.h"

static void start(void)
{
	time_init(SIM_PM_TIMER_PORT, false);
	hostlink_init(true, 1000);
}

UNIT_TEST(hostlink_lines_have_sequence_numbers)
{
	start();
	hostlink_send("hello", "proto=%d test=%s", 1, "x");
	hostlink_send("log", "bad\tbyte\n");
	hostlink_send("bye", "%s", "");
	CHECK(strstr(sim_uart_output(COM2_PORT), "SP1 1 hello proto=1 test=x\n") != NULL);
	CHECK(strstr(sim_uart_output(COM2_PORT), "SP1 2 log bad?byte?\n") != NULL);
	CHECK(strstr(sim_uart_output(COM2_PORT), "SP1 3 bye\n") != NULL);
	CHECK_STR(sim_uart_output(COM1_PORT), "");
}

UNIT_TEST(hostlink_long_lines_are_cut)
{
	char big[HOSTLINK_LINE_MAX + 100];

	start();
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	hostlink_send("log", "%s", big);
	CHECK_EQ(strlen(sim_uart_output(COM2_PORT)), HOSTLINK_LINE_MAX + 1);
}

UNIT_TEST(hostlink_off_sends_nothing)
{
	struct hostlink_go go;

	hostlink_init(false, 1000);
	hostlink_send("log", "x");
	CHECK_STR(sim_uart_output(COM2_PORT), "");
	CHECK(hostlink_checkpoint("c", &go));
}

UNIT_TEST(hostlink_parse_go_accepts_only_the_right_line)
{
	struct hostlink_go go = { 0, false, 0, 0 };

	CHECK(hostlink_parse_go("SP1 1 go 7 migrations=2 side=dst", 7, &go));
	CHECK_EQ(go.migrations, 2);
	CHECK(go.on_destination);
	CHECK(hostlink_parse_go("SP1 9 go 7 migrations=0 side=src", 7, &go));
	CHECK(!go.on_destination);
	CHECK(!hostlink_parse_go("SP1 1 go 6 migrations=2 side=dst", 7, &go));
	CHECK(!hostlink_parse_go("SP1 1 go 7 migrations=2 side=mid", 7, &go));
	CHECK(!hostlink_parse_go("SP1 1 go 7 migrations=x side=dst", 7, &go));
	CHECK(!hostlink_parse_go("SP2 1 go 7 migrations=2 side=dst", 7, &go));
	CHECK(!hostlink_parse_go("SP1 1 go 7 migrations=99999999999 side=dst", 7, &go));
	CHECK(!hostlink_parse_go("", 7, &go));
	CHECK(!hostlink_parse_go("SP1 1 go 7 migrations=2 side=dst trailing", 7, &go));
}

UNIT_TEST(hostlink_parse_go_reads_the_qmp_outcome_and_deleted_count)
{
	struct hostlink_go go = { 0, false, 5, 5 };

	/* Without the optional fields: no QMP ran, no count said. */
	CHECK(hostlink_parse_go("SP1 1 go 7 migrations=0 side=src", 7, &go));
	CHECK_EQ(go.qmp, -1);
	CHECK_EQ(go.deleted, 0);
	CHECK(hostlink_parse_go("SP1 1 go 7 migrations=1 side=dst " CONTRACT_GO_QMP_OK, 7, &go));
	CHECK_EQ(go.qmp, 1);
	CHECK(go.on_destination);
	CHECK(hostlink_parse_go("SP1 1 go 7 migrations=0 side=src qmp=failed deleted=3", 7, &go));
	CHECK_EQ(go.qmp, 0);
	CHECK_EQ(go.deleted, 3);
	CHECK(hostlink_parse_go("SP1 1 go 7 migrations=0 side=src deleted=12", 7, &go));
	CHECK_EQ(go.qmp, -1);
	CHECK_EQ(go.deleted, 12);
	/* A refused line leaves @go as it was: bad words, wrong order, a blank too many. */
	static const char *const tails[] = {
		" qmp=maybe", " qmp=okay", " deleted=", " deleted=x", " deleted=1 qmp=ok",
		CONTRACT_GO_QMP_OK, " qmp=ok ", " deleted=99999999999",
	};
	char line[96];

	go = (struct hostlink_go){ 4, true, 1, 9 };
	for (unsigned int i = 0; i < sizeof(tails) / sizeof(tails[0]); i++) {
		snprintf(line, sizeof(line), "SP1 1 go 7 migrations=0 side=src%s", tails[i]);
		CHECK(!hostlink_parse_go(line, 7, &go));
	}
	CHECK_EQ(go.migrations, 4);
	CHECK_EQ(go.qmp, 1);
	CHECK_EQ(go.deleted, 9);
}

UNIT_TEST(hostlink_checkpoint_waits_for_its_go)
{
	struct hostlink_go go = { 0, false, 0, 0 };
	char lines[200], want[64];
	unsigned int seq;

	start();
	seq = hostlink_seq() + 1;
	/* Garbage and a go for another checkpoint first: both ignored. */
	snprintf(lines, sizeof(lines), "\x01\xff garbage\r\nSP1 1 go %u migrations=1 "
		 "side=dst\nSP1 2 go %u migrations=3 side=dst\r\n", seq + 1, seq);
	sim_uart_feed(COM2_PORT, lines);
	CHECK(hostlink_checkpoint("powered-off", &go));
	CHECK_EQ(go.migrations, 3);
	CHECK(go.on_destination);
	CHECK_EQ(hostlink_migrations(), 3);
	snprintf(want, sizeof(want), "SP1 %u checkpoint powered-off\n", seq);
	CHECK(strstr(sim_uart_output(COM2_PORT), want) != NULL);
	CHECK(strstr(sim_uart_output(COM2_PORT), "log ignored host line: ") != NULL);
}

UNIT_TEST(hostlink_checkpoint_times_out)
{
	struct hostlink_go go;
	uint64_t t0;

	start();
	t0 = sim_now_us();
	CHECK(!hostlink_checkpoint("never", &go));
	CHECK(sim_now_us() - t0 >= 1000 * 1000);
	CHECK(sim_now_us() - t0 < 2 * 1000 * 1000);
}
