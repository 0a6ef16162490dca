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

/*
 * The host link (README "Host link"): "SP<proto> <seq> <verb> ..." on COM2.
 * 512 (240 before check keys): a failed check's keys come before its text
 * (below), and the longest line known, a continuous window's five keys and
 * text, is 416 (tests/unit/test_report.c).
 */
#define CONTRACT_HOSTLINK_PROTO		1
#define CONTRACT_HOSTLINK_LINE_MAX	512	/* characters, without the newline */
/*
 * The go-ahead: "SP1 <hseq> go <ckpt-seq> migrations=N side=src|dst", then
 * optionally the outcome of the QMP commands run at this checkpoint (all
 * accepted, or one refused; absent when none ran) and the number of
 * DEVICE_DELETED events naming a device id seen so far on this run (both
 * for the explorer's device add/del steps, lib/explore/explore_pci.h).
 */
#define CONTRACT_GO_QMP_OK		"qmp=ok"
#define CONTRACT_GO_QMP_FAILED		"qmp=failed"
#define CONTRACT_GO_DELETED		"deleted="	/* then a decimal number */

/*
 * A failed check's identity (lib/runtime/report.h report_keyed()): the
 * result line carries "key=<test>/<field>/<condition>" words before its
 * text, field as lib/pci/pci_regs.h names it (a register's name, or
 * "PCI_EXP_LNKCTL2[15:12]" for bits Linux leaves unnamed), condition one of
 * these words: what the check requires of the field. Errata name the same
 * pairs (tests/errata.cfg `checks`); the harness refuses any other word.
 *
 * The attribute a field must show when written (PCIe r5.0 §7.4 Table 7-2,
 * lib/conformance/regattr.c):
 */
#define CONTRACT_COND_READ_ONLY		"read-only"	/* RO, HwInit */
#define CONTRACT_COND_WRITABLE		"writable"	/* RW, RWS */
#define CONTRACT_COND_WRITABLE_OR_0	"writable-or-0"	/* RW or hardwired to 0 */
#define CONTRACT_COND_WRITABLE_READS_0	"writable-reads-0"	/* RW, reads 0 */
#define CONTRACT_COND_WRITE_1_CLEARS	"write-1-clears"	/* RW1C */
#define CONTRACT_COND_HARDWIRED_0	"hardwired-0"
#define CONTRACT_COND_HARDWIRED_1	"hardwired-1"
#define CONTRACT_COND_RESERVED_0	"reserved-0"	/* RsvdP, RsvdZ */
/* What a field must read at a point of a test: */
#define CONTRACT_COND_VALID_ENCODING	"valid-encoding"	/* no reserved encoding */
#define CONTRACT_COND_SET		"set"
#define CONTRACT_COND_CLEAR		"clear"
#define CONTRACT_COND_ON		"on"		/* a control (PCC, PIC) reads on */
#define CONTRACT_COND_OFF		"off"
#define CONTRACT_COND_RAISED		"raised"	/* an event bit its cause set */
#define CONTRACT_COND_CLEARED		"cleared"	/* events software cleared are gone */
#define CONTRACT_COND_UNCHANGED		"unchanged"	/* across a checkpoint */
#define CONTRACT_COND_PRESENT		"present"	/* PCI_VENDOR_ID behind the slot answers */
#define CONTRACT_COND_ABSENT		"absent"
#define CONTRACT_COND_ABSENT_AFTER_UNPLUG "absent-after-unplug"
#define CONTRACT_COND_SET_WITH_FUNCTION	"set-with-function"	/* PDS, a function answers */
#define CONTRACT_COND_CLEAR_WITHOUT_FUNCTION "clear-without-function"
#define CONTRACT_COND_CLEAR_WITHOUT_PRESENCE "clear-without-presence"	/* DLLLA, PDS clear */
#define CONTRACT_COND_CLEAR_WITHOUT_POWER "clear-without-power"	/* DLLLA, PCC off */
#define CONTRACT_COND_NO_INTERRUPT_WHEN_DISABLED "no-interrupt-when-disabled"
/* The slot invariants under a stream of commands (lib/slot/slot_invariants.h): */
#define CONTRACT_COND_NOT_ALL_ONES	"not-all-ones"	/* the port answers */
#define CONTRACT_COND_AS_COMMANDED	"as-commanded"	/* Slot Control */
#define CONTRACT_COND_EVENTS_CAUSED	"events-caused"	/* no event without a cause */
#define CONTRACT_COND_EVENTS_KEPT	"events-kept"	/* until software clears them */
#define CONTRACT_COND_CONSISTENT	"consistent"	/* PDS vs the bus, settled */

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
 * "SP1 SEQ log PREFIXES line N: TEXT" in one host link line (at most
 * 240 characters when this was set: 150 left 58 for the sequence number
 * and the report prefixes; tests/unit/test_contract.c sends the longest one).
 */
#define CONTRACT_SCRIPT_TEXT_MAX	150
#define CONTRACT_SCRIPT_DELAY_MAX_MS	60000

#endif
