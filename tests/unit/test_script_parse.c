/*
 * test_script_parse.c - lib/script/script_parse.c alone: every step kind, every
 * kind of malformed line, whole scripts. No machine: the parser is pure.
 */
#include <stdio.h>
#include <string.h>

#include "script.h"
#include "unit.h"

static bool parse_fails(const char *line, const char *why)
{
	struct script_step st;
	char err[200] = "";

	if (script_parse_line(line, &st, err, sizeof(err)) == 0)
		return false;
	if (!strstr(err, why)) {
		printf("  '%s': error '%s', wanted '%s'\n", line, err, why);
		return false;
	}
	return true;
}

UNIT_TEST(script_parses_every_step_kind)
{
	struct script_step st;
	char err[100];

	CHECK_EQ(script_parse_line("7 read 16 00:12.0 c10+1a SLTSTA", &st, err, 100), 0);
	CHECK_EQ(st.line, 7);
	CHECK_EQ(st.op, SCRIPT_READ);
	CHECK_EQ(st.reg.space, SCRIPT_CAP);
	CHECK_EQ(st.reg.cap_id, 0x10);
	CHECK_EQ(st.reg.off, 0x1a);
	CHECK_EQ(st.reg.width, 16);
	CHECK_STR(st.reg.label, "SLTSTA");
	CHECK_EQ(script_parse_line("1 write 32 00:12.0/2 e1+8 AER_UNCOR_MASK 0xffffffff",
				   &st, err, 100), 0);
	CHECK(st.dev.behind_slot);
	CHECK_EQ(st.dev.fn, 2);
	CHECK_EQ(st.reg.space, SCRIPT_EXT);
	CHECK_EQ(st.value, 0xffffffffu);
	CHECK_EQ(script_parse_line("1 expect 8 0001:02:03.4 h1b SEC_LATENCY 0xf0 0x10",
				   &st, err, 100), 0);
	CHECK_EQ(st.dev.bdf.seg, 1);
	CHECK_EQ(st.mask, 0xf0);
	CHECK_EQ(st.value, 0x10);
	CHECK_EQ(script_parse_line("1 save 16 00:12.0 h0 VENDOR v.1", &st, err, 100), 0);
	CHECK_STR(st.name, "v.1");
	CHECK_EQ(script_parse_line("1 same v.1", &st, err, 100), 0);
	CHECK_EQ(st.op, SCRIPT_SAME);
	CHECK_EQ(script_parse_line("1 power-off 00:12.0", &st, err, 100), 0);
	CHECK_EQ(st.op, SCRIPT_POWER_OFF);
	CHECK_EQ(script_parse_line("1 power-on 00:12.0", &st, err, 100), 0);
	CHECK_EQ(st.op, SCRIPT_POWER_ON);
	CHECK_EQ(script_parse_line("1 clear-events 00:12.0", &st, err, 100), 0);
	CHECK_EQ(st.op, SCRIPT_CLEAR_EVENTS);
	CHECK_EQ(script_parse_line("1 wait-cc 00:12.0", &st, err, 100), 0);
	CHECK_EQ(st.op, SCRIPT_WAIT_CC);
	CHECK_EQ(script_parse_line("1 delay 250", &st, err, 100), 0);
	CHECK_EQ(st.value, 250);
	CHECK_EQ(script_parse_line("1 checkpoint powered-off", &st, err, 100), 0);
	CHECK_STR(st.name, "powered-off");
	CHECK_EQ(script_parse_line("1 log  two  words ", &st, err, 100), 0);
	CHECK_STR(st.text, "two  words ");
}

UNIT_TEST(script_rejects_malformed_lines)
{
	CHECK(parse_fails("read 16 00:12.0 h0 VENDOR", "no line number"));
	CHECK(parse_fails("3", "no step"));
	CHECK(parse_fails("3 frob 00:12.0", "unknown step: frob"));
	CHECK(parse_fails("3 read 24 00:12.0 h0 X", "bad width"));
	CHECK(parse_fails("3 read 16 00:32.0 h0 X", "bad device"));
	CHECK(parse_fails("3 read 16 00:12.0/8 h0 X", "bad device"));
	CHECK(parse_fails("3 read 16 00:12.0 c10+19 X", "bad register location"));
	CHECK(parse_fails("3 read 16 00:12.0 c100+0 X", "bad register location"));
	CHECK(parse_fails("3 read 32 00:12.0 h1000 X", "bad register location"));
	CHECK(parse_fails("3 read 16 00:12.0 x10 X", "bad register location"));
	CHECK(parse_fails("3 read 16 00:12.0 h0", "bad register label"));
	CHECK(parse_fails("3 write 16 00:12.0 h0 X 0x10000", "bad value"));
	CHECK(parse_fails("3 write 8 00:12.0 h0 X 256", "bad value"));
	CHECK(parse_fails("3 write 16 00:12.0 h0 X 12z", "bad value"));
	CHECK(parse_fails("3 expect 16 00:12.0 h0 X 0x1", "bad value"));
	CHECK(parse_fails("3 expect 16 00:12.0 h0 X 0x1 0x2", "value outside mask"));
	CHECK(parse_fails("3 save 16 00:12.0 h0 X bad/name", "bad save name"));
	CHECK(parse_fails("3 same", "bad name"));
	CHECK(parse_fails("3 power-off 00:12.0/0", "bad port"));
	CHECK(parse_fails("3 wait-cc", "bad port"));
	CHECK(parse_fails("3 delay 60001", "bad delay"));
	CHECK(parse_fails("3 log", "log text"));
	CHECK(parse_fails("3 read 16 00:12.0 h0 X extra", "extra words"));
	CHECK(parse_fails("3 checkpoint a b", "extra words"));
}

UNIT_TEST(script_parse_fills_the_callers_steps)
{
	struct script_step steps[3];
	char err[200] = "";

	CHECK_EQ(script_parse("1 delay 1\r\n\n2 log x\n3 same v", steps, 3, err,
			      sizeof(err)), 3);
	CHECK_EQ(steps[0].op, SCRIPT_DELAY);
	CHECK_EQ(steps[1].op, SCRIPT_LOG);
	CHECK_EQ(steps[2].line, 3);
	CHECK_EQ(script_parse("", steps, 3, err, sizeof(err)), 0);
	CHECK_EQ(script_parse("1 delay 1\n2 delay 2\n", steps, 1, err, sizeof(err)), -1);
	CHECK(strstr(err, "more than 1 steps") != NULL);
	CHECK_EQ(script_parse("1 delay 1\n2 delay 0x\n", steps, 3, err, sizeof(err)), -1);
	CHECK(strstr(err, "step 2 (2 delay 0x): bad delay: 0x") != NULL);
}

UNIT_TEST(script_numbers_refuse_overflow)
{
	struct script_step st;
	char err[100];

	CHECK_EQ(script_parse_line("4294967295 delay 1", &st, err, 100), -1);
	CHECK_EQ(script_parse_line("1 write 32 00:12.0 h0 X 0x100000000", &st, err, 100), -1);
	CHECK_EQ(script_parse_line("1 write 32 00:12.0 h0 X 4294967296", &st, err, 100), -1);
	CHECK_EQ(script_parse_line("1 write 32 00:12.0 h0 X 4294967295", &st, err, 100), 0);
	CHECK_EQ(st.value, 0xffffffffu);
}
