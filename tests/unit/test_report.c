/* Host unit tests of lib/runtime/report.c: counting, prefixes, exit codes. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "console.h"
#include "exit.h"
#include "hostlink.h"
#include "pci_regs.h"
#include "report.h"
#include "slot_invariants.h"
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

/*
 * A check's key (report_keyed(), lib/runtime/report.h): sent before the text
 * on a result that does not pass, "key=<test>/<field>/<condition>", the
 * field by its pci_regs.h name; the console line and the text stay as
 * report() writes them, and a PASS carries no key.
 */
UNIT_TEST(report_keyed_line_format)
{
	char err[80];
	const char *com2;
	struct report_key two[2] = { REPORT_KEY(PCI_EXP_LNKCAP_SLS, VALID_ENCODING),
				     REPORT_KEY(PCI_EXP_LNKCAP_MLW, VALID_ENCODING) };

	CHECK_EQ(args_parse("slot-regs slot=00:12.0", err, sizeof(err)), 0);
	time_init(SIM_PM_TIMER_PORT, false);
	hostlink_init(true, 1000);
	report_reset();
	report_prefix_push("slot-regs");
	CHECK(!report_keyed(false, REPORT_KEY(PCI_EXP_LNKCTL_LD, WRITABLE),
			    "PCI_EXP_LNKCTL_LD: RO, reads 0x%x", 0));
	CHECK(report_keyed(true, REPORT_KEY(PCI_EXP_SLTSTA_PDS, SET), "PDS set"));
	report_keys(false, two, 2, "encodings");
	report_keys(false, two, 0, "no key");
	com2 = sim_uart_output(COM2_PORT);
	CHECK(strstr(com2, " result FAIL key=slot-regs/PCI_EXP_LNKCTL_LD/writable "
		      "slot-regs: PCI_EXP_LNKCTL_LD: RO, reads 0x0\n") != NULL);
	CHECK(strstr(com2, " result PASS slot-regs: PDS set\n") != NULL);
	CHECK(strstr(com2, " result FAIL key=slot-regs/PCI_EXP_LNKCAP_SLS/valid-encoding "
		      "key=slot-regs/PCI_EXP_LNKCAP_MLW/valid-encoding slot-regs: encodings\n"));
	CHECK(strstr(com2, " result FAIL slot-regs: no key\n") != NULL);
	CHECK(strstr(com1(), "FAIL: slot-regs: PCI_EXP_LNKCTL_LD: RO, reads 0x0\r\n") != NULL);
	CHECK(strstr(com1(), "PASS: slot-regs: PDS set\r\n") != NULL);
	CHECK_EQ(report_failures(), 3);
	report_prefix_pop();
	hostlink_init(false, 0);
}

/* Every finding kind of a continuous window on one line: keys and text whole. */
UNIT_TEST(report_keys_of_every_slot_finding_fit_the_host_link)
{
	struct report_key keys[SLOT_BAD_KINDS];
	char err[80];
	const char *line;
	int n;

	CHECK_EQ(args_parse("continuous", err, sizeof(err)), 0);
	time_init(SIM_PM_TIMER_PORT, false);
	hostlink_init(true, 1000);
	report_reset();
	report_prefix_push("continuous");
	report_prefix_push("slot 00:12.0");
	n = slot_expect_keys(SLOT_BAD_ALL & ~SLOT_BAD_GONE, keys, SLOT_BAD_KINDS);
	CHECK_EQ(n, 5);
	report_keys(false, keys, n, "after migration %u: %lu operations since the previous "
		    "one, slot state %s", 4294967295u, 18446744073709551615ul,
		    "NOT as commanded (INFO lines above)");
	line = strstr(sim_uart_output(COM2_PORT), " result FAIL key=continuous/");
	CHECK(line != NULL);
	CHECK(line && strstr(line, "key=continuous/PCI_EXP_LNKSTA_DLLLA/clear-without-presence "
			     "continuous: slot 00:12.0: after migration 4294967295: "));
	CHECK(line && strstr(line, "slot state NOT as commanded (INFO lines above)\n"));
	CHECK(line && strlen("SP1 4294967295") + strcspn(line, "\n") <= HOSTLINK_LINE_MAX);
	report_prefix_pop();
	report_prefix_pop();
	hostlink_init(false, 0);
}
