/* Host unit tests of lib/runtime/report.c: counting, prefixes, exit codes. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console.h"
#include "exit.h"
#include "hostlink.h"
#include "report.h"
#include "time.h"
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

/*
 * In a child process: the firmware ends the run (isa-debug-exit, then the
 * simulator's cpu_halt() aborts); the SIGABRT handler reports what the run
 * printed and its exit code as the child's status.
 */
static void prefix_overflow_child_done(int sig)
{
	bool loud = strstr(com1(), "ERROR: report prefix overflow") != NULL;

	_exit(loud && sim_exit_code() == FW_EXIT_ERROR ? 0 : 1);
}

static int run_child(void (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGABRT, prefix_overflow_child_done);
		fn();
		_exit(2);	/* returned: the overflow went unnoticed */
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void push_too_much(void)
{
	char word[100];

	memset(word, 'p', sizeof(word) - 1);
	word[sizeof(word) - 1] = 0;
	report_reset();
	for (int i = 0; i < 4; i++)
		report_prefix_push(word);
}

static void pushf_too_long(void)
{
	report_reset();
	report_prefix_pushf("slot %0100d", 1);
}

UNIT_TEST(report_prefix_overflow_is_loud)
{
	CHECK_EQ(run_child(push_too_much), 0);
	CHECK_EQ(run_child(pushf_too_long), 0);
}

UNIT_TEST(report_prefix_that_fits_is_kept_whole)
{
	char word[100];

	memset(word, 'p', sizeof(word) - 1);
	word[sizeof(word) - 1] = 0;
	report_reset();
	report_prefix_push(word);
	report_prefix_push(word);
	report(true, "x");
	CHECK(strstr(com1(), "x\r\n") != NULL);
	CHECK_EQ(strlen(strstr(com1(), "PASS: ")), strlen("PASS: ") + 2 * 101 + 3);
	report_prefix_pop();
	report_prefix_pop();
}
