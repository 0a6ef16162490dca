/*
 * test_contract.c - the guest keeps the host-guest contract (lib/runtime/contract.h):
 * its exit codes, fw_cfg names and host link are the header's, and the
 * script interpreter accepts exactly up to the header's limits, which the
 * harness enforces (scripts/slotprobelib/script.py reads the same header;
 * tests/harness/test_contract.py is the other half of this check).
 */
#include <string.h>

#include "console.h"
#include "contract.h"
#include "exit.h"
#include "fwcfg.h"
#include "hostlink.h"
#include "printf.h"
#include "report.h"
#include "script_run.h"
#include "sim.h"
#include "unit.h"

UNIT_TEST(contract_exit_codes)
{
	CHECK_EQ(FW_EXIT_PASS, CONTRACT_EXIT_PASS);
	CHECK_EQ(FW_EXIT_FAIL, CONTRACT_EXIT_FAIL);
	CHECK_EQ(FW_EXIT_CRASH, CONTRACT_EXIT_CRASH);
	CHECK_EQ(FW_EXIT_WATCHDOG, CONTRACT_EXIT_WATCHDOG);
	CHECK_EQ(FW_EXIT_ERROR, CONTRACT_EXIT_ERROR);
	CHECK_EQ(FW_EXIT_SKIP, CONTRACT_EXIT_SKIP);
}

UNIT_TEST(contract_fwcfg_names)
{
	CHECK_STR(FWCFG_MIGRATION_FILE, CONTRACT_FWCFG_MIGRATION);
	CHECK(strncmp(CONTRACT_FWCFG_ARGS, "opt/", 4) == 0);	/* fw_cfg wants opt/ for users */
	CHECK(strncmp(CONTRACT_FWCFG_SCRIPT, "opt/", 4) == 0);
}

UNIT_TEST(contract_hostlink_tag_and_line_limit)
{
	char tag[8];

	/* test_hostlink.c checks the lines sent carry this tag and this limit. */
	snprintf(tag, sizeof(tag), "SP%d", CONTRACT_HOSTLINK_PROTO);
	CHECK_STR(HOSTLINK_TAG, tag);
	CHECK_EQ(HOSTLINK_PROTO, CONTRACT_HOSTLINK_PROTO);
	CHECK_EQ(HOSTLINK_LINE_MAX, CONTRACT_HOSTLINK_LINE_MAX);
}

static int parse(const char *fmt, int n, char c)
{
	char line[CONTRACT_SCRIPT_TEXT_MAX + 80], word[CONTRACT_SCRIPT_TEXT_MAX + 8], err[120];
	struct script_step st;

	memset(word, c, (size_t)n);
	word[n] = 0;
	snprintf(line, sizeof(line), fmt, word);
	return script_parse_line(line, &st, err, sizeof(err));
}

UNIT_TEST(contract_script_text_and_name_limits)
{
	CHECK_EQ(parse("7 log %s", CONTRACT_SCRIPT_TEXT_MAX, 'x'), 0);
	CHECK_EQ(parse("7 log %s", CONTRACT_SCRIPT_TEXT_MAX + 1, 'x'), -1);
	CHECK_EQ(parse("7 checkpoint %s", CONTRACT_SCRIPT_NAME_MAX, 'n'), 0);
	CHECK_EQ(parse("7 checkpoint %s", CONTRACT_SCRIPT_NAME_MAX + 1, 'n'), -1);
	CHECK_EQ(parse("7 save 16 00:12.0 h0 VENDOR_ID %s", CONTRACT_SCRIPT_NAME_MAX, 's'), 0);
	CHECK_EQ(parse("7 save 16 00:12.0 h0 VENDOR_ID %s", CONTRACT_SCRIPT_NAME_MAX + 1, 's'),
		 -1);
}

UNIT_TEST(contract_script_delay_and_step_limits)
{
	struct script_step st;
	char line[64], err[120];
	static char text[CONTRACT_SCRIPT_MAX_BYTES];
	size_t len = 0;

	snprintf(line, sizeof(line), "1 delay %d", CONTRACT_SCRIPT_DELAY_MAX_MS);
	CHECK_EQ(script_parse_line(line, &st, err, sizeof(err)), 0);
	snprintf(line, sizeof(line), "1 delay %d", CONTRACT_SCRIPT_DELAY_MAX_MS + 1);
	CHECK_EQ(script_parse_line(line, &st, err, sizeof(err)), -1);

	for (int i = 0; i < CONTRACT_SCRIPT_MAX_STEPS; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%d delay 0\n", i + 1);
	CHECK(len < sizeof(text));
	CHECK_EQ(script_load(text, err, sizeof(err)), CONTRACT_SCRIPT_MAX_STEPS);
}

/*
 * The longest log text the harness lets through reaches the harness whole:
 * "line N: TEXT" fits one report message (the console shows it all), and
 * "SP1 SEQ log PREFIXES line N: TEXT" one host link line (why
 * CONTRACT_SCRIPT_TEXT_MAX is 150, lib/runtime/contract.h).
 */
UNIT_TEST(contract_longest_log_text_reaches_the_host_whole)
{
	static const char prefix[] = "script-entry-with-a-long-name: ";
	char line[CONTRACT_SCRIPT_TEXT_MAX + 32], err[120], text[CONTRACT_SCRIPT_TEXT_MAX + 1];
	char want[CONTRACT_SCRIPT_TEXT_MAX + 64];
	struct script_step st;
	size_t host_line;

	memset(text, 'y', CONTRACT_SCRIPT_TEXT_MAX);
	text[CONTRACT_SCRIPT_TEXT_MAX] = 0;
	snprintf(line, sizeof(line), "999999 log %s", text);
	report_reset();
	report_prefix_push("script-entry-with-a-long-name");
	CHECK_EQ(script_parse_line(line, &st, err, sizeof(err)), 0);
	CHECK(script_run_step(&st));
	snprintf(want, sizeof(want), "%sline 999999: %s\r\n", prefix, text);
	CHECK(strstr(sim_uart_output(COM1_PORT), want) != NULL);
	host_line = strlen("SP1 4294967295 log ") + strlen(want) - 2;
	CHECK(host_line <= CONTRACT_HOSTLINK_LINE_MAX);
	report_prefix_pop();
}
