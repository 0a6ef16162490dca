/*
 * contract.h - the host-guest contract: every name and number the image and
 * the harness must agree on, in one place. The harness reads this file at
 * import (scripts/slotprobelib/contract.py), so each value is one literal
 * on its #define line: a decimal number or a "string". Both sides test the
 * other uses these values (tests/unit/test_contract.c,
 * tests/harness/test_contract.py).
 */
#ifndef LIB_CONTRACT_H
#define LIB_CONTRACT_H

/* fw_cfg files the harness hands the guest (-fw_cfg name=...). */
#define CONTRACT_FWCFG_ARGS		"opt/slotprobe/args"	/* "<test> key=value ..." */
#define CONTRACT_FWCFG_MIGRATION	"opt/slotprobe/migration"	/* "NNNNNNNN": migrations so far */
#define CONTRACT_FWCFG_SCRIPT		"opt/slotprobe/script"	/* the compiled script */
/*
 * Warm start (scripts/slotprobelib/warmstart.py): a QEMU with this file
 * (any contents) runs an image that stops at checkpoint
 * CONTRACT_WARM_CHECKPOINT, set up but before it reads CONTRACT_FWCFG_ARGS,
 * so the harness can save the VM there and restore it for later runs.
 */
#define CONTRACT_FWCFG_WARM		"opt/slotprobe/warm"
#define CONTRACT_WARM_CHECKPOINT	"boot-ready"	/* always the image's first line (seq 1) */

/*
 * Exit codes: the guest writes one to isa-debug-exit, QEMU exits with
 * (code << 1) | 1 (the kvm-unit-tests convention).
 */
#define CONTRACT_EXIT_PASS		0
#define CONTRACT_EXIT_FAIL		1
#define CONTRACT_EXIT_CRASH		2
#define CONTRACT_EXIT_WATCHDOG		3
#define CONTRACT_EXIT_ERROR		4	/* set-up error */
#define CONTRACT_EXIT_SKIP		77

/* The host link (README "Host link"): "SP<proto> <seq> <verb> ..." on COM2. */
#define CONTRACT_HOSTLINK_PROTO		1
#define CONTRACT_HOSTLINK_LINE_MAX	240	/* characters, without the newline */

/*
 * Scripts (guest test "script"): what scripts/slotprobelib/script.py lets
 * through, lib/script/script_run.c must accept. Lengths are characters, without the NUL.
 */
#define CONTRACT_SCRIPT_MAX_BYTES	16384	/* the compiled text, NUL included */
#define CONTRACT_SCRIPT_MAX_STEPS	256
#define CONTRACT_SCRIPT_MAX_SAVES	16
#define CONTRACT_SCRIPT_NAME_MAX	31	/* checkpoint, save and label names */
/*
 * A `log` step's text: 150, the harness's limit all along (the guest's
 * buffer allowed 159; the two had drifted). The guest sends it as
 * "SP1 SEQ log PREFIXES line N: TEXT" in one host link line of at most
 * 240 characters: 150 leaves 58 for the sequence number and the report
 * prefixes (tests/unit/test_contract.c sends the longest one).
 */
#define CONTRACT_SCRIPT_TEXT_MAX	150
#define CONTRACT_SCRIPT_DELAY_MAX_MS	60000

#endif
