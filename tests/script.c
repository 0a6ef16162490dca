/*
 * script - runs a register-level sequence the harness hands over (fw_cfg
 * file opt/slotprobe/script), so a plan entry or `slotprobe script FILE`
 * can reproduce any sequence without rebuilding the image. The harness
 * (scripts/slotprobelib/script.py) compiles and checks the human script;
 * the interpreter is lib/script/ (script_parse.c, script_run.c). A script
 * that is missing, longer than the buffer or malformed ends the run as a
 * set-up error before any step.
 */
#include "contract.h"
#include "exit.h"
#include "fwcfg.h"
#include "guest_test.h"
#include "printf.h"
#include "report.h"
#include "script_run.h"


static char text[SCRIPT_MAX_BYTES];

GUEST_TEST(script_main, "script", "",
	   "*",
	   "run the scripted register steps the harness handed over")
{
	char err[200];
	int len = fwcfg_read_file(CONTRACT_FWCFG_SCRIPT, text, sizeof(text));
	int n;

	if (len < 0)
		fw_error("script: no fw_cfg file %s (run it from a plan entry with a "
			 "script, or slotprobe script FILE)", CONTRACT_FWCFG_SCRIPT);
	if (len >= (int)sizeof(text))
		fw_error("script: %d bytes, longer than the %d-byte buffer", len,
			 (int)sizeof(text) - 1);
	n = script_load(text, err, sizeof(err));
	if (n < 0)
		fw_error("script: %s", err);
	if (n == 0)
		fw_error("script: no steps");
	printf("script: %d step(s)\n", n);
	script_run();
}
