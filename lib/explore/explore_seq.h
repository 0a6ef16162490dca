/*
 * explore_seq.h - what the explorer does to a hot-plug port: one step, a
 * sequence of steps, the seeded random numbers that make them, and a step
 * as a line of slotprobe's script language (scripts/slotprobelib/script.py),
 * so a minimized finding is a ready `script =` plan entry.
 *
 * Register steps name a byte offset in the port's PCI Express capability
 * and a size of 1, 2 or 4 bytes, naturally aligned: every width and
 * alignment the bus allows, e.g. an 8-bit write to the upper byte of Slot
 * Control (offset 0x19) or a 32-bit write covering Slot Control and Slot
 * Status (0x18). Host steps are what the harness does at a checkpoint.
 */
#ifndef LIB_EXPLORE_SEQ_H
#define LIB_EXPLORE_SEQ_H

#include <stdbool.h>
#include <stdint.h>

enum xop {
	XOP_READ,	/* read SIZE bytes at OFF */
	XOP_WRITE,	/* write VALUE (SIZE bytes) at OFF */
	XOP_READ_CHILD,	/* 16-bit Vendor ID of function 0 behind the slot */
	XOP_WAIT_CC,	/* the script's wait-cc: poll Slot Status for Command
			   Completed up to 1 s, then clear it (RW1C, CC alone) */
	XOP_DELAY,	/* VALUE ms */
	XOP_DEVICE_ADD,	/* host: QMP device_add of the slot's device */
	XOP_DEVICE_DEL,	/* host: QMP device_del of it */
	XOP_MIGRATE,	/* host: live migration */
	XOP_COUNT
};

struct xstep {
	uint8_t op;	/* enum xop */
	uint8_t off;	/* in the PCI Express capability */
	uint8_t size;	/* bytes: 1, 2, 4 */
	uint32_t value;	/* write: the value; delay: ms */
};

#define XSEQ_MAX 48

struct xseq {
	int n;
	struct xstep s[XSEQ_MAX];
};

bool xstep_is_host(const struct xstep *s);

/* splitmix64: small, seedable, the same sequence on host and firmware. */
struct xrng {
	uint64_t state;
};

void xrng_seed(struct xrng *r, uint64_t seed);
uint32_t xrng_next(struct xrng *r);
uint32_t xrng_below(struct xrng *r, uint32_t n);	/* 0 .. n-1 (n > 0) */

/*
 * @v, positioned at capability byte offset @from, as seen from offset @to
 * (e.g. a register's value as an access at another alignment reads it):
 * shifted by whole bytes, bits that leave the 32 dropped.
 */
uint32_t xbytes_move(uint32_t v, uint8_t from, uint8_t to);

/* The register name script.py knows for exactly this offset and size, or NULL. */
const char *xreg_name(uint8_t off, uint8_t size);

/* What the script names: the port and the device behind it. */
struct xscript_names {
	const char *port;	/* "00:12.0" or the port's QEMU id */
	const char *device_add;	/* JSON arguments of device_add */
	const char *device_id;	/* the id device_del names */
};

/*
 * @s as one script line ("write8 00:12.0 cap:0x10+0x19 0x04", "checkpoint
 * h3 migrate"); @n numbers checkpoint names. Returns the length written.
 */
int xstep_script(const struct xstep *s, const struct xscript_names *nm, int n,
		 char *buf, int len);

#endif
