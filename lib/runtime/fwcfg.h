/*
 * fwcfg.h - QEMU's fw_cfg interface (docs/specs/fw_cfg.rst in QEMU), read
 * through its I/O ports. The harness hands the test name and parameters over
 * as the file CONTRACT_FWCFG_ARGS (-fw_cfg name=opt/slotprobe/args,file=F),
 * and the number of migrations so far as CONTRACT_FWCFG_MIGRATION (lib/runtime/contract.h).
 */
#ifndef LIB_FWCFG_H
#define LIB_FWCFG_H

#include <stdbool.h>
#include <stdint.h>
#include "contract.h"

bool fwcfg_present(void);

/*
 * Copies the named file into @buf (NUL-terminated, truncated to size-1).
 * Returns the file's full length, or -1 when there is no such file.
 */
int fwcfg_read_file(const char *name, char *buf, int size);

/*
 * The directory entry of the named file: its select key and size.
 * Returns false when there is no fw_cfg or no such file.
 */
bool fwcfg_find_file(const char *name, uint16_t *select, uint32_t *size);

/*
 * The harness's migration counter: every QEMU of a run is started with
 *   -fw_cfg name=opt/slotprobe/migration,string=NNNNNNNN
 * (8 decimal digits: successful migrations before it ran the guest).
 * fw_cfg contents are not migrated, so after a migration the guest reads
 * the destination's number. Meant to be polled: the select key is looked
 * up once and cached.
 */
#define FWCFG_MIGRATION_FILE	CONTRACT_FWCFG_MIGRATION

/*
 * Present (any contents) only in the QEMUs of a warm start: the image then
 * stops at HOSTLINK_WARM_CHECKPOINT before it reads its test selection
 * (lib/runtime/runtime.c).
 */
#define FWCFG_WARM_FILE		CONTRACT_FWCFG_WARM
#define FWCFG_COUNTER_DIGITS	8

enum fwcfg_counter_status {
	FWCFG_COUNTER_OK,
	FWCFG_COUNTER_ABSENT,	/* no fw_cfg, or no such file */
	FWCFG_COUNTER_MALFORMED,	/* not 8 decimal digits */
	FWCFG_COUNTER_UNSTABLE,	/* successive reads kept disagreeing */
};

struct fwcfg_counter {
	const char *name;
	bool looked_up;		/* select is valid */
	bool absent;		/* looked up and not there: not looked for again */
	uint16_t select;
	unsigned int lookups;	/* directory walks so far (for tests) */
	char last_raw[FWCFG_COUNTER_DIGITS + 1];	/* the last bytes read */
};

void fwcfg_counter_init(struct fwcfg_counter *c, const char *name);

/*
 * Reads the counter into @value. A read can straddle a migration (the
 * first bytes from the source, the rest from the destination), so the
 * value is read twice and must agree (a few tries). A malformed value makes
 * it walk the directory again once (the destination may order its files
 * differently) before giving up.
 */
enum fwcfg_counter_status fwcfg_counter_read(struct fwcfg_counter *c, uint32_t *value);

/* "ok", "absent", "malformed", "unstable". */
const char *fwcfg_counter_status_str(enum fwcfg_counter_status st);

#endif
