/*
 * fwcfg.c - fw_cfg file access by port I/O (see fwcfg.h).
 * On hardware without fw_cfg the signature read returns 0xff bytes, so
 * fwcfg_present() is false and nothing else is touched.
 */
#include "fwcfg.h"
#include "hw.h"
#include "libc.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_FILE_DIR		0x0019
#define FW_CFG_NAME_MAX		56

static void select_key(uint16_t key)
{
	outw(FW_CFG_PORT_SEL, key);
}

static void read_bytes(void *dst, int n)
{
	uint8_t *p = dst;

	while (n--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

bool fwcfg_present(void)
{
	char sig[4];

	select_key(FW_CFG_SIGNATURE);
	read_bytes(sig, 4);
	return memcmp(sig, "QEMU", 4) == 0;
}

/* One directory entry (big-endian fields), QEMU docs/specs/fw_cfg.rst. */
struct fwcfg_file {
	uint8_t size[4];
	uint8_t select[2];
	uint8_t reserved[2];
	char name[FW_CFG_NAME_MAX];
};

bool fwcfg_find_file(const char *name, uint16_t *select, uint32_t *size)
{
	uint8_t count_be[4];
	uint32_t count;

	if (!fwcfg_present())
		return false;
	select_key(FW_CFG_FILE_DIR);
	read_bytes(count_be, 4);
	count = be32(count_be);
	/* A directory bigger than this is not QEMU's: don't walk garbage. */
	if (count > 4096)
		return false;
	for (uint32_t i = 0; i < count; i++) {
		struct fwcfg_file entry;

		read_bytes(&entry, sizeof(entry));
		entry.name[FW_CFG_NAME_MAX - 1] = 0;
		if (strcmp(entry.name, name) != 0)
			continue;
		*select = (uint16_t)(entry.select[0] << 8 | entry.select[1]);
		*size = be32(entry.size);
		return true;
	}
	return false;
}

int fwcfg_read_file(const char *name, char *buf, int size)
{
	uint16_t select;
	uint32_t len;
	int n;

	if (!fwcfg_find_file(name, &select, &len))
		return -1;
	n = len < (uint32_t)size - 1 ? (int)len : size - 1;
	select_key(select);
	read_bytes(buf, n);
	buf[n] = 0;
	return (int)len;
}

/* ---- the migration counter (fwcfg.h) ---- */

#define COUNTER_TRIES	4	/* pairs of reads before "unstable" */

void fwcfg_counter_init(struct fwcfg_counter *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
}

static bool counter_lookup(struct fwcfg_counter *c, bool *right_size)
{
	uint32_t size = 0;

	c->lookups++;
	c->looked_up = fwcfg_find_file(c->name, &c->select, &size);
	*right_size = size == FWCFG_COUNTER_DIGITS;
	return c->looked_up;
}

/* Selecting a key rewinds its data offset, so each read starts at byte 0. */
static void counter_raw(const struct fwcfg_counter *c, char raw[FWCFG_COUNTER_DIGITS])
{
	select_key(c->select);
	read_bytes(raw, FWCFG_COUNTER_DIGITS);
}

static bool parse_digits(const char *raw, uint32_t *value)
{
	uint32_t v = 0;

	for (int i = 0; i < FWCFG_COUNTER_DIGITS; i++) {
		if (raw[i] < '0' || raw[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(raw[i] - '0');
	}
	*value = v;
	return true;
}

/* Two reads that agree; false when they kept disagreeing. */
static bool counter_stable(struct fwcfg_counter *c, char raw[FWCFG_COUNTER_DIGITS])
{
	char again[FWCFG_COUNTER_DIGITS];

	counter_raw(c, raw);
	for (int i = 0; i < COUNTER_TRIES; i++) {
		counter_raw(c, again);
		if (memcmp(raw, again, FWCFG_COUNTER_DIGITS) == 0)
			return true;
		memcpy(raw, again, FWCFG_COUNTER_DIGITS);
	}
	return false;
}

static enum fwcfg_counter_status counter_try(struct fwcfg_counter *c, uint32_t *value)
{
	char raw[FWCFG_COUNTER_DIGITS];
	bool right_size = true;

	if (c->absent)
		return FWCFG_COUNTER_ABSENT;
	if (!c->looked_up && !counter_lookup(c, &right_size)) {
		c->absent = true;	/* every QEMU of a run has it, or none */
		return FWCFG_COUNTER_ABSENT;
	}
	if (!right_size)
		return FWCFG_COUNTER_MALFORMED;
	if (!counter_stable(c, raw))
		return FWCFG_COUNTER_UNSTABLE;
	memcpy(c->last_raw, raw, FWCFG_COUNTER_DIGITS);
	c->last_raw[FWCFG_COUNTER_DIGITS] = 0;
	return parse_digits(raw, value) ? FWCFG_COUNTER_OK : FWCFG_COUNTER_MALFORMED;
}

enum fwcfg_counter_status fwcfg_counter_read(struct fwcfg_counter *c, uint32_t *value)
{
	bool cached = c->looked_up;
	enum fwcfg_counter_status st = counter_try(c, value);

	/* A stale key (another directory on this side) reads something else: look again. */
	if (st == FWCFG_COUNTER_MALFORMED && cached) {
		c->looked_up = false;
		st = counter_try(c, value);
	}
	/* Nothing valid behind it: look the file up again next time. */
	if (st == FWCFG_COUNTER_MALFORMED)
		c->looked_up = false;
	return st;
}

const char *fwcfg_counter_status_str(enum fwcfg_counter_status st)
{
	switch (st) {
	case FWCFG_COUNTER_OK:		return "ok";
	case FWCFG_COUNTER_ABSENT:	return "absent";
	case FWCFG_COUNTER_MALFORMED:	return "malformed";
	case FWCFG_COUNTER_UNSTABLE:	return "unstable";
	}
	return "?";
}
