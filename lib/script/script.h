/*
 * script.h - the guest interpreter of scripted actions (guest test
 * "script"). The harness compiles a human script (scripts/slotprobelib/
 * script.py: register names, device ids, widths and values are all checked
 * there) into a resolved form, one step per line:
 *
 *   LINE read W DEV LOC LABEL              LINE write W DEV LOC LABEL VALUE
 *   LINE expect W DEV LOC LABEL MASK VALUE
 *   LINE save W DEV LOC LABEL NAME         LINE same NAME
 *   LINE power-off|power-on|clear-events|wait-cc PORT
 *   LINE delay MS     LINE checkpoint NAME     LINE log TEXT
 *
 * LINE is the human script's line number (messages name it). DEV is a BDF,
 * or PORT/F: function F behind the slot of PORT (the bus number is the
 * firmware's, read from the port at run time). LOC is hOFF (header offset),
 * cID+OFF (standard capability ID, offset in it) or eID+OFF (extended), hex.
 *
 * Still, the guest trusts nothing: the parser (script_parse.c, pure)
 * rejects any malformed line with a one-line reason; the runner
 * (script_run.h) never waits without a deadline.
 */
#ifndef LIB_SCRIPT_H
#define LIB_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>
#include "contract.h"
#include "pci.h"

/* The host-guest contract's limits (lib/runtime/contract.h); buffer sizes include the NUL. */
#define SCRIPT_MAX_BYTES CONTRACT_SCRIPT_MAX_BYTES
#define SCRIPT_MAX_STEPS CONTRACT_SCRIPT_MAX_STEPS
#define SCRIPT_MAX_SAVES CONTRACT_SCRIPT_MAX_SAVES
#define SCRIPT_NAME_MAX (CONTRACT_SCRIPT_NAME_MAX + 1)	/* names and labels */
#define SCRIPT_TEXT_MAX (CONTRACT_SCRIPT_TEXT_MAX + 1)
#define SCRIPT_DELAY_MAX_MS CONTRACT_SCRIPT_DELAY_MAX_MS

enum script_op {
	SCRIPT_READ, SCRIPT_WRITE, SCRIPT_EXPECT, SCRIPT_SAVE, SCRIPT_SAME,
	SCRIPT_POWER_OFF, SCRIPT_POWER_ON, SCRIPT_CLEAR_EVENTS, SCRIPT_WAIT_CC,
	SCRIPT_DELAY, SCRIPT_CHECKPOINT, SCRIPT_LOG,
};

enum script_space { SCRIPT_HEADER, SCRIPT_CAP, SCRIPT_EXT };

struct script_dev {
	struct pci_bdf bdf;	/* the function, or the port when behind_slot */
	bool behind_slot;
	uint8_t fn;
};

struct script_reg {
	uint8_t space;		/* enum script_space */
	uint16_t cap_id;
	uint16_t off;		/* in the header, or in the capability */
	uint8_t width;		/* 8, 16, 32 */
	char label[SCRIPT_NAME_MAX];
};

struct script_step {
	unsigned int line;
	uint8_t op;		/* enum script_op */
	struct script_dev dev;
	struct script_reg reg;
	uint32_t mask, value;	/* expect: mask, value; write: value; delay: ms */
	char name[SCRIPT_NAME_MAX];
	char text[SCRIPT_TEXT_MAX];
};

/* One line of the resolved form; 0, or -1 with a reason in @err. */
int script_parse_line(const char *line, struct script_step *st, char *err, int errlen);

/*
 * Parses a whole script (NUL-terminated) into at most @max steps. Returns
 * the number of steps, or -1 with a reason naming the line ("step 3 (line
 * 12): ...") in @err.
 */
int script_parse(const char *text, struct script_step *steps, int max, char *err,
		 int errlen);

#endif
