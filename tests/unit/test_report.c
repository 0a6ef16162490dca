/* Host unit tests of lib/report.c: counting, prefixes, exit codes. */
#include <string.h>

#include "lib/console.h"
#include "lib/exit.h"
#include "lib/hostlink.h"
#include "lib/report.h"
#include "lib/time.h"
#include "sim.h"
#include "unit.h"

static const char *com1(void)
{
	return sim_uart_output(COM1_PORT);
}

UNIT_TEST(report_prefixes_nest)
{
	report_reset();
	report_prefix_push("slot 00:12.0");
	report_prefix_pushf("step %d", 2);
	report(true, "checked");
	report_prefix_pop();
	report(true, "outer");
	report_prefix_pop();
	report(true, "bare");
	report_prefix_pop();	/* popping an empty stack is harmless */
	CHECK(strstr(com1(), "PASS: slot 00:12.0: step 2: checked\r\n") != NULL);
	CHECK(strstr(com1(), "PASS: slot 00:12.0: outer\r\n") != NULL);
	CHECK(strstr(com1(), "PASS: bare\r\n") != NULL);
}

UNIT_TEST(report_summary_counts_and_exit_codes)
{
	report_reset();
	report(true, "a");
	CHECK_EQ(report_summary(), FW_EXIT_PASS);
	report(false, "b");
	CHECK_EQ(report_failures(), 1);
	CHECK_EQ(report_summary(), FW_EXIT_FAIL);
	CHECK(strstr(com1(), "SUMMARY: 2 tests, 1 unexpected failures, 0 skipped\r\n"));

	report_reset();
	report_skip("nothing to do");
	CHECK_EQ(report_summary(), FW_EXIT_SKIP);
}

UNIT_TEST(report_xfail_and_xpass)
{
	report_reset();
	report_xfail(true, false, "known bug shows");
	CHECK_EQ(report_summary(), FW_EXIT_PASS);
	CHECK(strstr(com1(), "XFAIL: known bug shows") != NULL);
	CHECK(strstr(com1(), ", 1 expected failures") != NULL);
	report_xfail(true, true, "known bug gone");
	CHECK(strstr(com1(), "XPASS: known bug gone") != NULL);
	CHECK_EQ(report_summary(), FW_EXIT_FAIL);
	report_reset();
	report_xfail(false, false, "plain failure");
	CHECK(strstr(com1(), "FAIL: plain failure") != NULL);
	CHECK_EQ(report_failures(), 1);
}

UNIT_TEST(report_results_reach_the_host_link)
{
	time_init(SIM_PM_TIMER_PORT, false);
	hostlink_init(true, 1000);
	report_reset();
	report_prefix_push("t");
	report(false, "value %#x", 5);
	report_summary();
	CHECK(strstr(sim_uart_output(COM2_PORT), "result FAIL t: value ") != NULL);
	CHECK(strstr(sim_uart_output(COM2_PORT),
		     "summary tests=1 failed=1 skipped=0 xfail=0\n") != NULL);
	hostlink_init(false, 0);
}
